//go:build linux || darwin

package app

import "syscall"

// diskFree returns the bytes free to this user on the file system holding
// path.
func diskFree(path string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true //nolint:unconvert // the field types differ by OS
}
