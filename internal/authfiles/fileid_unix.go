//go:build unix

package authfiles

import (
	"io/fs"
	"syscall"
)

// fileID returns the device and inode of fi; ok is false where the platform
// has none.
func fileID(fi fs.FileInfo) (dev, ino uint64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return uint64(st.Dev), uint64(st.Ino), true //nolint:unconvert // Dev is int32 on some platforms
}
