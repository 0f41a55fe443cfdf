package testrig

import (
	"bytes"
	"context"
	"regexp"
	"sync"
)

// SyncBuffer is a bytes.Buffer that several goroutines may write and read at
// once, e.g. the stdout and stderr of an exec.Cmd that a test watches while
// the process runs (WaitFor). The zero value is ready to use.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// written is closed and replaced on every Write, to wake WaitFor.
	written chan struct{}
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if b.written != nil {
		close(b.written)
		b.written = nil
	}
	return n, err
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor waits until re matches what was written and returns the
// submatches; false when ctx ends first.
func (b *SyncBuffer) WaitFor(ctx context.Context, re *regexp.Regexp) ([]string, bool) {
	for {
		b.mu.Lock()
		m := re.FindStringSubmatch(b.buf.String())
		if m == nil && b.written == nil {
			b.written = make(chan struct{})
		}
		wake := b.written
		b.mu.Unlock()
		if m != nil {
			return m, true
		}
		select {
		case <-ctx.Done():
			return nil, false
		case <-wake:
		}
	}
}
