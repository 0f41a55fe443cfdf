package tfrun

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func procSupported() bool { return true }

// peakRSSKB is VmHWM (the peak resident set size, in KiB) of a running
// process, 0 when it is gone.
func peakRSSKB(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// Descendants lists the running child processes of pid and their children,
// read from /proc/<pid>/task/*/children (Linux). A process started by any
// thread of its parent is found.
func Descendants(pid int) []int {
	var out []int
	seen := map[int]bool{pid: true}
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(p) + "/task/*/children")
		for _, t := range tasks {
			data, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, f := range bytes.Fields(data) {
				c, err := strconv.Atoi(string(f))
				if err != nil || seen[c] {
					continue
				}
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// ProcessName is the command name of a running process (/proc/<pid>/comm,
// at most 15 bytes), "" when it is gone.
func ProcessName(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// clockTicks is USER_HZ, the unit of the times in /proc/<pid>/stat (100 on
// every Linux architecture Go supports).
const clockTicks = 100

// waitCPU waits until pid has exited, without reaping it, and returns the
// CPU time (user + system) of the process itself and that of the child
// processes it waited for (Terraform reaps every plugin it started), read
// from the zombie's /proc/<pid>/stat. ok is false when that failed.
func waitCPU(pid int) (self, children time.Duration, ok bool) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EINTR) {
			return 0, 0, false
		}
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// The fields after the command name (which may contain spaces) start
	// with field 3 (state); utime, stime, cutime and cstime are 14 to 17.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 15 {
		return 0, 0, false
	}
	ticks := func(fields ...string) time.Duration {
		var sum int64
		for _, s := range fields {
			n, _ := strconv.ParseInt(s, 10, 64)
			sum += n
		}
		return time.Duration(sum) * time.Second / clockTicks
	}
	return ticks(f[11], f[12]), ticks(f[13], f[14]), true
}
