//go:build unix

package server

import "syscall"

// DefaultMaxTCPConns is the default cap on open TCP connections: the
// process's open-file limit less a reserve for the database, the logs and
// outgoing connections. Past the limit, accept fails with "too many open
// files" and the server stops answering anyone, health checks included;
// below it, the connections over the cap are refused one by one. (Go
// raises the soft limit to the hard one at start, so this is the hard
// limit: raise it with systemd's LimitNOFILE.)
func DefaultMaxTCPConns() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur > 1<<24 { // unlimited, or as good as
		return 20000
	}
	return max(int(r.Cur)-fdReserve, 64)
}
