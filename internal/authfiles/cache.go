package authfiles

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"sync"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
)

// The read cache: the last document loaded or written per path, reused while
// the file's stamp (size, modification time, mode, device and inode) is
// unchanged, so that N resources reading one file do not parse it N times.
//
// A stamp alone cannot see a rewrite in place (the Python client's way) that
// keeps the size and lands within the timestamp granularity of the file
// system. So a document whose modification time was less than racyWindow old
// when it was loaded is "racy" (as Git calls it): while its stamp matches,
// the file is read again and compared byte for byte with the cached bytes
// (no parse); once a comparison happens racyWindow after the modification
// time, later changes must move the modification time, and the stamp is
// trusted alone.

// racyWindow bounds the timestamp granularity of the file systems auth files
// live on (2 s on FAT, 1 s on older ones, a clock tick on Linux).
const racyWindow = 2 * time.Second

// stamp identifies one version of a file.
type stamp struct {
	size     int64
	modTime  time.Time
	mode     fs.FileMode
	dev, ino uint64
}

func stampOf(fi fs.FileInfo) stamp {
	s := stamp{size: fi.Size(), modTime: fi.ModTime(), mode: fi.Mode()}
	s.dev, s.ino, _ = fileID(fi)
	return s
}

func (s stamp) equal(o stamp) bool {
	return s.size == o.size && s.modTime.Equal(o.modTime) && s.mode == o.mode && s.dev == o.dev && s.ino == o.ino
}

// cached is a loaded document. root is shared by every reader and never
// changed: writers change a clone.
type cached struct {
	stamp   stamp
	raw     []byte
	root    *ojson.Object
	trusted bool        // the stamp alone proves the bytes (not racy)
	memo    *ojson.Memo // the encoding of root's entries, when this process wrote it
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*cached{}
)

// cacheGet returns the cached document of path whose stamp is st, or nil.
func cacheGet(path string, st stamp) *cached {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	c := cache[path]
	if c == nil || !c.stamp.equal(st) {
		return nil
	}
	return c
}

// cachePut records the document of path as of a stat taken at statAt.
func cachePut(path string, st stamp, raw []byte, root *ojson.Object, memo *ojson.Memo, statAt time.Time) {
	c := &cached{stamp: st, raw: raw, root: root, memo: memo, trusted: statAt.Sub(st.modTime) > racyWindow}
	cacheMu.Lock()
	cache[path] = c
	cacheMu.Unlock()
}

// cacheMemo is the encoding memo of path's cached document, or nil.
func cacheMemo(path string) *ojson.Memo {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if c := cache[path]; c != nil {
		return c.memo
	}
	return nil
}

// cacheDrop forgets path (after a failed load or a write whose outcome is
// not known).
func cacheDrop(path string) {
	cacheMu.Lock()
	delete(cache, path)
	cacheMu.Unlock()
}

// settled is called when the file, whose stamp matched c at statAt, still
// holds c's bytes: a match that late enough makes c trusted.
func (c *cached) settled(path string, statAt time.Time) {
	if statAt.Sub(c.stamp.modTime) > racyWindow {
		cachePut(path, c.stamp, c.raw, c.root, c.memo, statAt)
	}
}

// compareChunk is the size of the pieces sameContent reads.
const compareChunk = 32 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, compareChunk); return &b }}

// sameContent reports whether r holds exactly want, reading it in pieces.
func sameContent(r io.Reader, want []byte) (bool, error) {
	bp := chunkPool.Get().(*[]byte) //nolint:forcetypeassert // the pool holds only *[]byte
	defer chunkPool.Put(bp)
	buf := *bp
	for {
		n, err := io.ReadFull(r, buf)
		if n > len(want) || !bytes.Equal(buf[:n], want[:n]) {
			return false, nil
		}
		want = want[n:]
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return len(want) == 0, nil
		case err != nil:
			return false, err
		}
	}
}
