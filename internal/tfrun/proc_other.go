//go:build !linux

package tfrun

import "time"

func procSupported() bool { return false }

func peakRSSKB(int) int64 { return 0 }

// Descendants lists the child processes of pid; only implemented on Linux.
func Descendants(int) []int { return nil }

// ProcessName is the command name of a running process; only implemented on
// Linux.
func ProcessName(int) string { return "" }

// waitCPU measures CPU time only on Linux.
func waitCPU(int) (self, children time.Duration, ok bool) { return 0, 0, false }
