// Package tcp is the "tcp" check type: can a TCP connection be opened to an
// address, and optionally does the service answer with what is expected.
//
// Parameters:
//
//	address  host:port to connect to (required), e.g. "10.32.1.5:8080"
//	send     text written after connecting, e.g. "PING\r\n" (optional)
//	expect   text that must appear in the first bytes the service sends
//	         (at most 4 KiB are read); without expect nothing is read
//
// Placeholders:
//
//	CONNECTED      bool, the connection was established
//	RESPONSE_TIME  time.Duration, until connected, or until expect was seen
//	BODY           string, the bytes read while waiting for expect (only with expect)
//
// The package also holds the network helpers the other network check types
// share: WithDeadline, Dial and Describe, which turns a network error into a
// Chinese message that says what to do.
package tcp
