//go:build unix

package tfrun

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

func setProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// killGroup kills Terraform and the plugins it started.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	// Setpgid (or Setsid) made Terraform the leader of its own group.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}

// maxRSSKB is ru_maxrss of the waited-for process in KiB.
func maxRSSKB(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	maxrss := int64(ru.Maxrss) //nolint:unconvert // int32 on some platforms
	if runtime.GOOS == "darwin" {
		return maxrss / 1024 // bytes there
	}
	return maxrss
}

// Kill sends SIGKILL to one process.
func Kill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }
