package authcli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// statusLine shows the device flow on stderr: the instructions once, then
// a status line that is redrawn with \r on a terminal (with a progress bar
// and the elapsed time, like the Python client) or printed as one line per
// status change otherwise (never for the transient "Polling").
type statusLine struct {
	w       io.Writer
	tty     bool
	tick    time.Duration
	maxPoll time.Duration

	mu      sync.Mutex
	started bool
	ended   bool
	start   time.Time
	status  flows.DeviceStatus
	printed flows.DeviceStatus
	width   int
	stop    chan struct{}
	wg      sync.WaitGroup
}

const barWidth = 30

func newStatusLine(a *app, maxPoll time.Duration) *statusLine {
	tick := a.env.StatusTick
	if tick <= 0 {
		tick = time.Second
	}
	return &statusLine{w: a.errw, tty: a.env.StderrIsTerminal, tick: tick, maxPoll: maxPoll,
		stop: make(chan struct{})}
}

// event is the flows.PollOptions.Display callback.
func (s *statusLine) event(e flows.DeviceEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	if !s.started {
		s.started = true
		s.start = time.Now().Add(-e.Elapsed) // flows' clock: real time
		s.instructions(e)
		if s.tty {
			s.wg.Add(1)
			go s.ticker()
		}
	}
	s.status = e.Status
	final := e.Status == flows.DeviceAuthorized || e.Status == flows.DeviceTimedOut
	if s.tty {
		s.draw()
		if final {
			s.endLocked()
		}
		return
	}
	if e.Status != flows.DevicePolling && e.Status != s.printed {
		fmt.Fprintf(s.w, "[%s] %s\n", clock(time.Since(s.start)), e.Status)
		s.printed = e.Status
	}
	if final {
		s.endLocked()
	}
}

func (s *statusLine) instructions(e flows.DeviceEvent) {
	if e.VerificationURIComplete != "" {
		fmt.Fprintf(s.w, "Visit %s to authenticate.\n", e.VerificationURIComplete)
		fmt.Fprintf(s.w, "(Or visit %s and enter user code '%s'.)\n", e.VerificationURI, e.UserCode)
	} else {
		fmt.Fprintln(s.w, e.Instructions)
	}
	wait := fmt.Sprintf("Waiting up to %s for the login", clock(s.maxPoll))
	if !e.ExpiresAt.IsZero() {
		if left := time.Until(e.ExpiresAt).Round(time.Second); left > 0 && left < s.maxPoll {
			wait += fmt.Sprintf(" (the code expires in %s)", clock(left))
		}
	}
	fmt.Fprintln(s.w, wait+".")
}

func (s *statusLine) ticker() {
	defer s.wg.Done()
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			if !s.ended {
				s.draw()
			}
			s.mu.Unlock()
		}
	}
}

// draw redraws the line (terminal only).
func (s *statusLine) draw() {
	elapsed := time.Since(s.start)
	fill := barWidth
	if s.maxPoll > 0 && elapsed < s.maxPoll {
		fill = int(float64(barWidth) * float64(elapsed) / float64(s.maxPoll))
	}
	if s.status == flows.DeviceAuthorized {
		fill = barWidth
	}
	text := fmt.Sprintf("[%s%s] %s (%s / %s)", strings.Repeat("#", fill), strings.Repeat("-", barWidth-fill),
		s.status, clock(elapsed), clock(s.maxPoll))
	pad := ""
	if n := s.width - len(text); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	s.width = len(text)
	fmt.Fprintf(s.w, "\r%s%s", text, pad)
}

func (s *statusLine) endLocked() {
	if s.ended {
		return
	}
	s.ended = true
	close(s.stop)
	if s.tty && s.started {
		fmt.Fprintln(s.w)
	}
}

// close ends the line (after an error or interruption) and waits for the
// ticker.
func (s *statusLine) close() {
	s.mu.Lock()
	s.endLocked()
	s.mu.Unlock()
	s.wg.Wait()
}

// clock formats a duration as m:ss.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
