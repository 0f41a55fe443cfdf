package testrig

import (
	"context"
	"regexp"
	"testing"
)

func TestSyncBufferWaitFor(t *testing.T) {
	var b SyncBuffer
	re := regexp.MustCompile(`code '([^']+)'`)
	_, _ = b.Write([]byte("waiting for the login; "))
	go func() {
		// Split across writes: WaitFor must see the whole text.
		_, _ = b.Write([]byte("user code 'AB"))
		_, _ = b.Write([]byte("CD-1234' shown\n"))
	}()
	m, ok := b.WaitFor(Context(t), re)
	if !ok || m[1] != "ABCD-1234" {
		t.Fatalf("WaitFor: %q, %v; buffer %q", m, ok, b.String())
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if m, ok := b.WaitFor(ctx, regexp.MustCompile("never written")); ok {
		t.Errorf("WaitFor after the context ended: %q, true", m)
	}
}
