//go:build unix

package authfiles

import (
	"os"
	"syscall"
)

func currentUmask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}
