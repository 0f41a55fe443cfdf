package devicestatus_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/devicestatus"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func event(code string, s flows.DeviceStatus) flows.DeviceEvent {
	return flows.DeviceEvent{Status: s, UserCode: code, VerificationURI: "https://idp.example/device",
		VerificationURIComplete: "https://idp.example/device?user_code=" + code, Deadline: time.Now().Add(5 * time.Minute)}
}

// TestLineInstructionsOncePerFlow: many polls of one flow show the
// instructions once and redraw one line; after Close its events are
// ignored; a flow with another user code gets its own instructions.
func TestLineInstructionsOncePerFlow(t *testing.T) {
	var b strings.Builder
	l := devicestatus.New(&b, devicestatus.Options{Terminal: true, Tick: time.Hour, Intro: "Log in:"})
	for range 5 {
		l.Event(event("AAAA-1111", flows.DevicePending))
		l.Event(event("AAAA-1111", flows.DevicePolling))
	}
	l.Event(event("AAAA-1111", flows.DevicePending))
	l.Close()
	l.Event(event("AAAA-1111", flows.DevicePending))
	l.Event(event("BBBB-2222", flows.DevicePending))
	l.Event(event("BBBB-2222", flows.DeviceAuthorized))
	l.Close()
	got := b.String()
	for _, want := range []string{"Visit https://idp.example/device?user_code=AAAA-1111 to authenticate.\n",
		"(Or visit https://idp.example/device and enter user code 'AAAA-1111'.)\n",
		"Visit https://idp.example/device?user_code=BBBB-2222 to authenticate.\n"} {
		if strings.Count(got, want) != 1 {
			t.Errorf("%q appears %d times, want once:\n%q", want, strings.Count(got, want), got)
		}
	}
	lines := strings.Split(got, "\n")
	// Per flow: intro, two instruction lines, waiting, the status line.
	if len(lines) != 11 || lines[10] != "" {
		t.Fatalf("%d lines, want 10:\n%q", len(lines)-1, got)
	}
	if n := strings.Count(lines[4], "\r"); n != 11 {
		t.Errorf("the first status line has %d redraws, want 11: %q", n, lines[4])
	}
	if !strings.HasSuffix(strings.TrimRight(lines[9], " "), "Authorized successfully (0:00 / 5:00)") {
		t.Errorf("second status line %q", lines[9])
	}
}

// TestLineWithoutTerminal: one line per status change, no "Polling", no \r.
func TestLineWithoutTerminal(t *testing.T) {
	var b strings.Builder
	l := devicestatus.New(&b, devicestatus.Options{})
	e := event("CCCC-3333", flows.DevicePending)
	e.VerificationURIComplete = ""
	l.Event(e)
	e.Status = flows.DevicePolling
	l.Event(e)
	e.Status = flows.DevicePending
	l.Event(e)
	e.Status = flows.DeviceAuthorized
	l.Event(e)
	l.Close()
	want := "Visit https://idp.example/device and enter user code 'CCCC-3333' to authenticate.\n" +
		"Waiting up to 5:00 for the login.\n[0:00] Authorization pending\n[0:00] Authorized successfully\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
