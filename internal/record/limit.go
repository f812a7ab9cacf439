package record

// ParseLimited is Parse for content about to be written as the file rel:
// like ReadFile it refuses more than maxSize bytes (0 means DefaultMaxSize)
// with file/too-large, so a record checked before it is written meets the
// same cap as when validate reads it back.
func ParseLimited(rel string, data []byte, maxSize int64) (*Record, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if int64(len(data)) > maxSize {
		return nil, tooLarge(int64(len(data)), maxSize)
	}
	return Parse(rel, data)
}
