package authfiles

import (
	"sync"
)

// Group commit: the entry writes of one process to one file (SetBasic,
// SetOIDCProvider, SetRefreshToken and the removals) that arrive while a
// rewrite of that file is in progress are applied together in the next
// rewrite, under the same locks, with one atomic replacement and one fsync.
// Terraform creating N entries in parallel then rewrites the file far fewer
// than N times.
//
// Rules that keep a batch as safe as one write at a time:
//   - each write is an edit: a pure, deterministic change of the document
//     built by this package (never a caller's callback), applied exactly
//     once, in arrival order;
//   - an edit that fails returns its error before it changes anything, so it
//     fails only its own caller, and the other edits of the batch stand
//     without being applied again;
//   - every caller waits until the rewrite that holds its edit has ended
//     and gets that rewrite's outcome: nil only when its entry reached the
//     disk (or was already there);
//   - Update and RotateRefreshToken (a callback, a refresh grant sent under
//     the lock) never join a batch: they run alone, exactly once.

// edit is one caller's change in a group commit.
type edit struct {
	// apply changes the draft; an error must come before any change.
	apply func(d *draft) error
	err   error
	// wake receives true when this caller is to commit the next batch, or
	// false when its batch has been committed (err is then its outcome).
	wake chan bool
}

// commitQueue collects the edits of one file.
type commitQueue struct {
	mu      sync.Mutex
	pending []*edit
	busy    bool // a caller is committing a batch
}

var (
	queuesMu sync.Mutex
	queues   = map[string]*commitQueue{}
)

func queueOf(key string) *commitQueue {
	queuesMu.Lock()
	defer queuesMu.Unlock()
	q := queues[key]
	if q == nil {
		q = &commitQueue{}
		queues[key] = q
	}
	return q
}

// commit applies fn (an edit, see above), then f's beforeWrite, in the next
// group commit of the file and returns its own outcome.
func (f *privateFile) commit(fn func(d *draft) error) error {
	e := &edit{wake: make(chan bool, 1), apply: func(d *draft) error {
		if err := fn(d); err != nil {
			return err
		}
		if f.beforeWrite != nil {
			f.beforeWrite(d.root)
		}
		return nil
	}}
	q := queueOf(f.cacheKey(f.path))
	q.mu.Lock()
	q.pending = append(q.pending, e)
	lead := !q.busy
	q.busy = true
	q.mu.Unlock()
	if !lead && !<-e.wake {
		return e.err
	}

	q.mu.Lock()
	batch := q.pending
	q.pending = nil
	q.mu.Unlock()

	f.commitBatch(batch)

	q.mu.Lock()
	if len(q.pending) > 0 {
		q.pending[0].wake <- true // the first waiter commits the next batch
	} else {
		q.busy = false
	}
	q.mu.Unlock()
	for _, b := range batch {
		if b != e {
			b.wake <- false
		}
	}
	return e.err
}

// commitBatch applies the edits of batch to one copy of the document and
// writes it once; each edit's err is its caller's outcome.
func (f *privateFile) commitBatch(batch []*edit) {
	err := f.locked("write", func(target string) error {
		loaded, raw, existed, err := f.loadPath(target)
		if err != nil {
			return err
		}
		d := newDraft(loaded)
		applied := false
		for _, e := range batch {
			e.err = e.apply(d)
			applied = applied || e.err == nil
		}
		if !applied {
			return nil
		}
		// The edits of this package keep every known key in its shape: the
		// document needs no second validation.
		return f.store(target, d.root, raw, existed, false)
	})
	if err != nil {
		for _, e := range batch {
			if e.err == nil {
				e.err = err
			}
		}
	}
}
