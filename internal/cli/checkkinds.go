package cli

// The command layer wires in every check kind, as restic wires in its
// backends: the runner, change runs and validate's runbook lint find them in
// the check registry. Nothing below the command layer imports check/all, so
// readers of records never link a check kind or a database driver.
import _ "github.com/opsbook/opsbook/internal/check/all" // every check type
