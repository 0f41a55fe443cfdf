// Package devicestatus shows an OIDC device code login to a person: the
// instructions once (the complete verification URI, and the verification URI
// with the user code), then one status line. On a terminal the line is
// redrawn in place with \r, with a progress bar and the elapsed time (like
// the openEO Python client); elsewhere each status change is a line of its
// own (never the transient "Polling").
//
// Both openeo-auth (on stderr) and the provider (on the controlling terminal)
// use it. Plain Go: no Terraform imports.
package devicestatus

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// Options configure a Line.
type Options struct {
	// Terminal redraws the status line in place with \r.
	Terminal bool
	// Tick is how often the line is redrawn on a terminal; zero means one
	// second.
	Tick time.Duration
	// MaxPoll is how long the flow waits for the login, as shown; zero means
	// the deadline of the flow's events.
	MaxPoll time.Duration
	// Intro, when set, is a line written before the instructions (e.g. who
	// asks for the login).
	Intro string
}

// Line shows the device flows whose events it receives. Its methods are
// safe for concurrent use.
type Line struct {
	w io.Writer
	o Options

	mu       sync.Mutex
	started  bool
	ended    bool
	userCode string
	start    time.Time
	deadline time.Time
	maxPoll  time.Duration
	status   flows.DeviceStatus
	printed  flows.DeviceStatus
	width    int
	stop     chan struct{}
	wg       sync.WaitGroup
}

const barWidth = 30

// New returns a Line that writes to w.
func New(w io.Writer, o Options) *Line {
	if o.Tick <= 0 {
		o.Tick = time.Second
	}
	return &Line{w: w, o: o}
}

// Event is the flows display callback ([flows.PollOptions.Display],
// [flows.OIDCSettings.Display]). The first event of a flow writes the
// instructions; an event with another user code starts a new flow (new
// instructions); events of a flow that has ended are ignored.
func (l *Line) Event(e flows.DeviceEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started && e.UserCode != l.userCode {
		l.endLocked()
		l.started, l.ended, l.printed, l.width = false, false, "", 0
	}
	if l.ended {
		return
	}
	if !l.started {
		l.begin(e)
	}
	l.status = e.Status
	final := e.Status == flows.DeviceAuthorized || e.Status == flows.DeviceTimedOut
	if l.o.Terminal {
		l.draw()
	} else if e.Status != flows.DevicePolling && e.Status != l.printed {
		fmt.Fprintf(l.w, "[%s] %s\n", clock(time.Since(l.start)), e.Status)
		l.printed = e.Status
	}
	if final {
		l.endLocked()
	}
}

func (l *Line) begin(e flows.DeviceEvent) {
	l.started = true
	l.userCode = e.UserCode
	l.start = time.Now().Add(-e.Elapsed) // flows' clock: real time
	l.deadline = e.Deadline
	l.maxPoll = l.o.MaxPoll
	if l.maxPoll <= 0 && !e.Deadline.IsZero() {
		l.maxPoll = e.Deadline.Sub(l.start)
	}
	if l.deadline.IsZero() && l.maxPoll > 0 {
		l.deadline = l.start.Add(l.maxPoll)
	}
	if l.o.Intro != "" {
		fmt.Fprintln(l.w, l.o.Intro)
	}
	fmt.Fprintln(l.w, Instructions(e))
	wait := fmt.Sprintf("Waiting up to %s for the login", clock(l.maxPoll))
	if !e.ExpiresAt.IsZero() {
		if left := time.Until(e.ExpiresAt).Round(time.Second); left > 0 && left < l.maxPoll {
			wait += fmt.Sprintf(" (the code expires in %s)", clock(left))
		}
	}
	fmt.Fprintln(l.w, wait+".")
	if l.o.Terminal {
		l.stop = make(chan struct{})
		l.wg.Add(1)
		go l.ticker(l.stop, l.deadline)
	}
}

// Instructions returns the instruction lines of a device flow: with a
// complete verification URI both forms, as the Python client shows them,
// otherwise the URI and the user code.
func Instructions(e flows.DeviceEvent) string {
	if e.VerificationURIComplete != "" {
		return fmt.Sprintf("Visit %s to authenticate.\n(Or visit %s and enter user code '%s'.)",
			e.VerificationURIComplete, e.VerificationURI, e.UserCode)
	}
	return fmt.Sprintf("Visit %s and enter user code '%s' to authenticate.", e.VerificationURI, e.UserCode)
}

// ticker redraws the line until the flow ends; it also stops a little after
// the flow's deadline, when polling has surely ended.
func (l *Line) ticker(stop <-chan struct{}, deadline time.Time) {
	defer l.wg.Done()
	t := time.NewTicker(l.o.Tick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			l.mu.Lock()
			select {
			case <-stop: // ended while waiting for the lock
				l.mu.Unlock()
				return
			default:
			}
			if !deadline.IsZero() && now.After(deadline.Add(2*l.o.Tick)) {
				l.endLocked()
				l.mu.Unlock()
				return
			}
			l.draw()
			l.mu.Unlock()
		}
	}
}

// draw redraws the line (terminal only).
func (l *Line) draw() {
	elapsed := time.Since(l.start)
	fill := barWidth
	if l.maxPoll > 0 && elapsed < l.maxPoll {
		fill = int(float64(barWidth) * float64(elapsed) / float64(l.maxPoll))
	}
	if l.status == flows.DeviceAuthorized {
		fill = barWidth
	}
	text := fmt.Sprintf("[%s%s] %s (%s / %s)", strings.Repeat("#", fill), strings.Repeat("-", barWidth-fill),
		l.status, clock(elapsed), clock(l.maxPoll))
	pad := ""
	if n := l.width - len(text); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	l.width = len(text)
	fmt.Fprintf(l.w, "\r%s%s", text, pad)
}

func (l *Line) endLocked() {
	if l.ended || !l.started {
		return
	}
	l.ended = true
	if l.stop != nil {
		close(l.stop)
		l.stop = nil
	}
	if l.o.Terminal {
		fmt.Fprintln(l.w)
	}
}

// Close ends the current flow's line (after an error or an interruption)
// and waits for its redrawing to stop. Events of that flow are ignored
// afterwards; a new flow (another user code) starts a new line.
func (l *Line) Close() {
	l.mu.Lock()
	l.endLocked()
	l.mu.Unlock()
	l.wg.Wait()
}

// clock formats a duration as m:ss.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
