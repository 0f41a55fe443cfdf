//go:build !linux

package acceptance_test

import (
	"errors"
	"os"
	"os/exec"
)

func openPTY() (master, slave *os.File, err error) {
	return nil, nil, errors.New("pseudo-terminals are only set up on Linux")
}

func withTerminal(*os.File) func(*exec.Cmd) { return func(*exec.Cmd) {} }
