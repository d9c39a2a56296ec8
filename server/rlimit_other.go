//go:build !unix

package server

// DefaultMaxTCPConns is the default cap on open TCP connections; where
// there is no open-file limit to derive it from, a fixed one.
func DefaultMaxTCPConns() int { return 20000 }
