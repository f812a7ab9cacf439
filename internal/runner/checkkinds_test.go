package runner

// The command layer wires the check kinds in (internal/cli); the tests of
// this package run checks, so they wire them in themselves.
import _ "github.com/opsbook/opsbook/internal/check/all" // every check type
