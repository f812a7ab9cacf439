package record

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Decode fills v, a struct with yaml tags, from the record's fields: the
// typed view of a record-shaped file whose shape the schema has already
// checked (opsbook.yaml, say). Keys v does not name are ignored; a value of
// another type than v's field is an error naming the file.
func (r *Record) Decode(v any) error {
	b, err := yaml.Marshal(r.Fields)
	if err != nil {
		return fmt.Errorf("%s：%w", r.Path, err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s：%w", r.Path, err)
	}
	return nil
}
