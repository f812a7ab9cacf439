// Command opsbook is the ops-as-code tool: validate records, create them,
// export them, run runbooks and build the site. See internal/cli.
package main

import (
	"os"

	"github.com/opsbook/opsbook/internal/cli"
)

func main() { os.Exit(cli.Main()) }
