package testrig

import (
	"context"
	"testing"
	"time"
)

// reportMargin is how long before the test binary's deadline Context ends,
// so that a command that hangs is stopped and reported with its output
// instead of the binary panicking with a goroutine dump.
const reportMargin = time.Minute

// Context is the context for a whole command run by a test (a Terraform
// run, an openeo-auth process, a device login): t.Context(), bounded only
// by the deadline of the test binary (go test -timeout) less a minute. It
// sets no bound of its own, because how long a run takes depends on how
// busy the machine is; tests that need to stop something early do so on an
// event, never on a fixed short timeout.
func Context(t testing.TB) context.Context {
	ctx, cancel := bounded(t, t.Context())
	t.Cleanup(cancel)
	return ctx
}

// DetachedContext is Context for work that may also run in t.Cleanup, where
// t.Context() is already cancelled; the caller cancels it.
func DetachedContext(t testing.TB) (context.Context, context.CancelFunc) {
	//nolint:usetesting // it also serves t.Cleanup, where t.Context() is already cancelled
	return bounded(t, context.Background())
}

func bounded(t testing.TB, parent context.Context) (context.Context, context.CancelFunc) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := d.Deadline(); ok {
			return context.WithDeadline(parent, deadline.Add(-reportMargin))
		}
	}
	return context.WithCancel(parent)
}
