// Package schemas embeds the record schemas this opsbook binary was built
// with, so `opsbook init` and `opsbook upgrade` can write them into an ops
// repository that has none, or older ones. The files beside this one are at
// once the schemas of the bundled sample repository and the binary's own.
package schemas

import "embed"

// Version is the schema version of the embedded schemas: what opsbook.yaml's
// schema_version must say for this binary to read a repository without an
// upgrade. Raise it with every change that needs `opsbook upgrade` (a field
// renamed or moved, a record migrated) and add the migration beside it.
const Version = 1

// FS holds the schema files (*.yaml) at its root.
//
//go:embed *.yaml
var FS embed.FS
