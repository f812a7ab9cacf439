package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/opsbook/opsbook/internal/changerun"
)

// Exit codes.
const (
	ExitOK    = 0 // everything passed
	ExitFound = 1 // the work ran and found problems
	ExitError = 2 // the work could not run
)

// foundError is returned by a command whose work ran and found problems
// (violations, an overdue obligation, a failed check): exit 1. The problems
// themselves have been printed; text, when not empty, is printed as is.
type foundError struct{ text string }

func (e *foundError) Error() string {
	if e.text == "" {
		return "found problems"
	}
	return e.text
}

// errFound is a foundError whose problems have all been printed.
var errFound error = &foundError{}

// found returns a foundError printing text.
func found(text string) error { return &foundError{text: text} }

// usageError is returned when the command line is wrong: exit 2. text,
// when not empty, is printed as is, then the command's usage (when fs is
// set).
type usageError struct {
	text string
	fs   *flag.FlagSet
}

func (e *usageError) Error() string {
	if e.text == "" {
		return "usage"
	}
	return e.text
}

// usage returns a usageError printing text (if any) and then fs's usage.
func usage(fs *flag.FlagSet, text string) error { return &usageError{text: text, fs: fs} }

// toldError is returned when the work could not run and the user has been
// told why (or is told text, as is): exit 2.
type toldError struct{ text string }

func (e *toldError) Error() string {
	if e.text == "" {
		return "stopped"
	}
	return e.text
}

// errTold is a toldError whose reason has been printed.
var errTold error = &toldError{}

// told returns a toldError printing text.
func told(text string) error { return &toldError{text: text} }

// exitCode is the one place exit codes are chosen: it prints what err
// still has to say on stderr and maps it to 0 (nil, or help asked for),
// 1 (foundError: the work found problems) or 2 (everything else: bad
// usage, a changerun.Refusal, the work could not run).
func exitCode(stderr io.Writer, err error) int {
	var (
		f  *foundError
		u  *usageError
		t  *toldError
		rf *changerun.Refusal
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &f):
		if f.text != "" {
			fmt.Fprintln(stderr, f.text)
		}
		return ExitFound
	case errors.As(err, &u):
		if u.text != "" {
			fmt.Fprintln(stderr, u.text)
		}
		if u.fs != nil {
			u.fs.Usage()
		}
		return ExitError
	case errors.As(err, &t):
		if t.text != "" {
			fmt.Fprintln(stderr, t.text)
		}
		return ExitError
	case errors.As(err, &rf):
		// A change run refused (not approved, outside its window, …) is
		// "could not run", as the user guide documents.
		fmt.Fprintln(stderr, prefixed(err))
		return ExitError
	default:
		fmt.Fprintln(stderr, prefixed(err))
		return ExitError
	}
}

// prefixed is err's text, prefixed with "opsbook: " unless it names opsbook.
func prefixed(err error) string {
	msg := err.Error()
	if !strings.HasPrefix(msg, "opsbook") {
		msg = "opsbook: " + msg
	}
	return msg
}
