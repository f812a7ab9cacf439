// Package themes embeds the site theme so the opsbook binary needs no Hugo,
// Node or theme download: themes/opsbook is copied into each site build.
package themes

import "embed"

// FS holds the opsbook theme under "opsbook/".
//
//go:embed all:opsbook
var FS embed.FS
