// Package tcptest starts misbehaving TCP servers on 127.0.0.1 for the tests
// of the network check types: one that accepts and stays silent, one that
// resets every connection, one that runs a handler, and an address where
// nothing listens. Everything is torn down by t.Cleanup.
package tcptest

import (
	"net"
	"sync"
	"testing"
)

// ClosedAddr returns a loopback address where nothing listens: a port that
// was just bound and released.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// Serve runs handle for every accepted connection (closing it afterwards)
// and returns the listener's address.
func Serve(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	open := map[net.Conn]bool{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open[conn] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					mu.Lock()
					delete(open, conn)
					mu.Unlock()
					conn.Close()
				}()
				handle(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// Silent accepts connections and never writes; it reads (and discards)
// until the client or the cleanup closes the connection.
func Silent(t testing.TB) string {
	t.Helper()
	return Serve(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	})
}

// Reset accepts connections and aborts each one with a TCP RST
// (SO_LINGER 0, then close).
func Reset(t testing.TB) string {
	t.Helper()
	return Serve(t, func(c net.Conn) {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	})
}
