//go:build unix

package authfiles

import (
	"io/fs"
	"syscall"
)

// owner returns the user and group that own fi; ok is false where the
// platform has no such owner.
func owner(fi fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}
