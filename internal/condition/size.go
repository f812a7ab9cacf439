package condition

// Size is a byte count, so conditions can compare with 1GB, 512MB … Checks
// report sizes (disk use, database size, file length) as Size.
type Size int64
