package sshconn

import (
	"errors"

	"github.com/opsbook/opsbook/internal/check"
)

// Error is a connection failure explained for the user (zh-CN).
type Error struct {
	Msg string
	// Security marks a failure that may be an attack rather than an outage:
	// the host presented a key other than the one in known_hosts.
	Security bool
	Err      error // the underlying error, for errors.Is/As
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Err }

// IsSecurity reports whether err is (or wraps) a security failure.
func IsSecurity(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Security
}

// Failed turns err into an observation, carrying its Security flag.
func Failed(err error, values map[string]any) check.Observation {
	obs := check.Failed(err, values)
	obs.Security = IsSecurity(err)
	return obs
}
