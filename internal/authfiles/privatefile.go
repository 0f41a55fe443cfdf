package authfiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
)

// ErrSkipWrite may be returned by an Update callback to end the update without
// writing and without an error (like filepath.SkipDir).
var ErrSkipWrite = errors.New("skip write")

// DefaultLockTimeout is how long Update waits for another writer by default.
const DefaultLockTimeout = time.Minute

// lockRetry is the polling interval while another process holds the lock.
const lockRetry = 2 * time.Millisecond

// MaxFileSize is the largest auth file that is read or written (16 MiB). A
// file the Python client or this package wrote is a few KiB; a larger one is
// refused, and left as it is, instead of being read into memory.
const MaxFileSize = 16 << 20

// dirMode is the mode of the folders this package creates (the Python client
// uses the default mode, 0777 minus the umask).
const dirMode = 0o700

// privateFile is the engine shared by AuthConfig and RefreshTokens.
type privateFile struct {
	path        string // absolute
	typeName    string // "AuthConfig" or "RefreshTokenStore", as in Python's messages
	validate    func(*ojson.Object) *shapeError
	beforeWrite func(root *ojson.Object) // may be nil
	lockTimeout time.Duration
	// settle runs before a file that looked broken is read again; nil means
	// a sleep of rereadDelay. Tests complete the file here.
	settle func()
	// atReplace, when set, runs in writeAtomic just before the rename
	// ("rename") and just after it ("renamed"). Tests kill the process here.
	atReplace func(stage string)
}

// rereadDelay is how long a reader waits before it reads a file again that
// did not parse or was not private: the Python client rewrites a file in
// place (truncate, then write, then chmod 0600 for a new file), without a
// lock, so a reader can meet it empty, cut short or not yet private.
const rereadDelay = 50 * time.Millisecond

// pathLocks holds one mutex per absolute target path (never removed; the set
// of files a process writes is small).
var (
	pathLocksMu sync.Mutex
	pathLocks   = map[string]*sync.Mutex{}
)

func pathMutex(path string) *sync.Mutex {
	pathLocksMu.Lock()
	defer pathLocksMu.Unlock()
	m := pathLocks[path]
	if m == nil {
		m = new(sync.Mutex)
		pathLocks[path] = m
	}
	return m
}

func (f *privateFile) loadErr(kind, cause error, problem, fix string) *FileError {
	return &FileError{
		Path: f.path, Op: "load", Kind: kind, Err: cause,
		Msg: fmt.Sprintf("Failed to load %s from '%s': %s.", f.typeName, f.path, problem),
		Fix: fix,
	}
}

const leaveAsIs = "The file is left unchanged; fix it by hand or move it away."

// assertPrivate applies Python's assert_private_file rule to a stat result.
func (f *privateFile) assertPrivate(path string, fi fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil // Python only logs on Windows
	}
	mode := fi.Mode().Perm()
	if mode&0o077 == 0 {
		return nil
	}
	return &FileError{
		Path: path, Op: "load", Kind: ErrNotPrivate,
		Msg: fmt.Sprintf("File %s could be readable by others: mode %o (expected: 600).", path, mode),
		Fix: fmt.Sprintf("Run \"chmod 600 %s\" to make it private.", path),
	}
}

// load reads and checks the file. A missing file gives an empty object with
// existed=false. raw holds the file's bytes.
func (f *privateFile) load() (root *ojson.Object, raw []byte, existed bool, err error) {
	return f.loadPath(f.path)
}

// loadPath is load for the file at path. A file that does not parse or is
// not private is read once more after a short wait (see rereadDelay) before
// it is called broken.
func (f *privateFile) loadPath(path string) (root *ojson.Object, raw []byte, existed bool, err error) {
	root, raw, existed, err = f.loadOnce(path)
	if !errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrNotPrivate) {
		return root, raw, existed, err
	}
	if f.settle != nil {
		f.settle()
	} else {
		time.Sleep(rereadDelay)
	}
	return f.loadOnce(path)
}

func (f *privateFile) loadOnce(path string) (root *ojson.Object, raw []byte, existed bool, err error) {
	statAt := time.Now()
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ojson.NewObject(), nil, false, nil
	}
	if err != nil {
		return nil, nil, false, f.loadErr(nil, err, err.Error(), "Check the permissions of the file and its folders.")
	}
	if fi.IsDir() {
		return nil, nil, true, directoryError(f.path, "load", fmt.Sprintf("load %s from '%s'", f.typeName, f.path), fixDirectoryLoad)
	}
	if err := f.checkRegular(path, fi); err != nil {
		return nil, nil, true, err
	}
	key := f.cacheKey(path)
	c := cacheGet(key, stampOf(fi))
	if c != nil && c.trusted {
		return c.root, c.raw, true, nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, true, f.loadErr(nil, err, err.Error(), "Check the permissions of the file and its folders.")
	}
	defer fh.Close()
	fi, err = fh.Stat()
	if err != nil {
		return nil, nil, true, f.loadErr(nil, err, err.Error(), "Check the file.")
	}
	if err := f.checkRegular(path, fi); err != nil { // replaced after the Stat
		return nil, nil, true, err
	}
	st := stampOf(fi)
	if c != nil && c.stamp.equal(st) {
		// A recent (racy) cached version: compare the file with it in small
		// pieces, without reading it into memory again.
		same, err := sameContent(fh, c.raw)
		if err != nil {
			return nil, nil, true, f.loadErr(nil, err, err.Error(), "Check the file.")
		}
		if same {
			c.settled(key, statAt)
			return c.root, c.raw, true, nil
		}
		if _, err := fh.Seek(0, io.SeekStart); err != nil {
			return nil, nil, true, f.loadErr(nil, err, err.Error(), "Check the file.")
		}
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead) // one allocation for a file that keeps its size
	if _, err := buf.ReadFrom(io.LimitReader(fh, MaxFileSize+1)); err != nil {
		return nil, nil, true, f.loadErr(nil, err, err.Error(), "Check the file.")
	}
	if buf.Len() > MaxFileSize { // grew after the Stat
		return nil, nil, true, f.tooLarge()
	}
	raw = buf.Bytes()
	root, err = f.parse(raw)
	if err != nil {
		cacheDrop(key)
		return nil, raw, true, err
	}
	cachePut(key, st, raw, root, nil, statAt)
	return root, raw, true, nil
}

// checkRegular refuses a stat result that is not a private regular file of
// at most MaxFileSize bytes.
func (f *privateFile) checkRegular(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return f.loadErr(nil, nil, "the path is not a regular file", "Point the configuration at a regular file.")
	}
	if err := f.assertPrivate(path, fi); err != nil {
		return err
	}
	if fi.Size() > MaxFileSize {
		return f.tooLarge()
	}
	return nil
}

// shapeOf is f.validate(root) when check is set, else nil.
func (f *privateFile) shapeOf(root *ojson.Object, check bool) *shapeError {
	if !check {
		return nil
	}
	return f.validate(root)
}

// cacheKey is the read cache's key of the file at path.
func (f *privateFile) cacheKey(path string) string { return f.typeName + "\x00" + path }

func (f *privateFile) tooLarge() *FileError {
	return f.loadErr(ErrTooLarge, nil,
		fmt.Sprintf("the file is larger than %d bytes (16 MiB), the limit for auth files", MaxFileSize),
		"An auth file has a few KiB; the file is left unchanged: check that the path names the right file, or move the file away.")
}

// parse turns file bytes into a checked document.
func (f *privateFile) parse(raw []byte) (*ojson.Object, error) {
	v, err := ojson.Parse(raw)
	if err != nil {
		return nil, f.loadErr(ErrInvalidJSON, err, err.Error(), leaveAsIs)
	}
	root, ok := v.AsObject()
	if !ok {
		return nil, f.loadErr(ErrForeignShape, nil,
			fmt.Sprintf("the top-level value is %s, expected an object", v.Kind()), leaveAsIs)
	}
	if se := f.validate(root); se != nil {
		return nil, f.loadErr(ErrForeignShape, se, se.Error(), leaveAsIs)
	}
	return root, nil
}

// document returns the loaded document and whether the file exists.
func (f *privateFile) document() (*ojson.Object, bool, error) {
	root, _, existed, err := f.load()
	return root, existed, err
}

// maxLinkHops bounds the chain of dangling symbolic links that target follows.
const maxLinkHops = 40

// target resolves a symbolic link at the file path, so that a linked file
// (dotfile managers) is replaced in its real location. link reports that the
// path is a symbolic link. For a dangling link, target is the missing file the
// chain of links ends at.
func (f *privateFile) target(op string) (target string, link bool, err error) {
	if !isSymlink(f.path) {
		return f.path, false, nil // a missing file is created in place
	}
	if t, err := filepath.EvalSymlinks(f.path); err == nil {
		return t, true, nil
	}
	linkErr := func(err error) error {
		return &FileError{Path: f.path, Op: op, Err: err,
			Msg: fmt.Sprintf("Failed to resolve the symbolic link '%s': %v.", f.path, err),
			Fix: "Point the link at a file, or replace it by the file."}
	}
	for p, hops := f.path, 0; hops < maxLinkHops; hops++ {
		next, err := os.Readlink(p)
		if err != nil {
			return "", true, linkErr(err)
		}
		if !filepath.IsAbs(next) {
			next = filepath.Join(filepath.Dir(p), next)
		}
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			return next, true, nil // dangling: the file to create
		}
		if err != nil {
			return "", true, linkErr(err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return "", true, linkErr(fmt.Errorf("'%s' cannot be resolved", next))
		}
		p = next
	}
	return "", true, linkErr(errors.New("too many levels of symbolic links"))
}

// isSymlink reports whether path is a symbolic link.
func isSymlink(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// checkTarget runs before any folder or lock file is created: for a write,
// the target must be missing or a file that loads; for a removal, it must be
// missing or a regular file.
func (f *privateFile) checkTarget(op, target string) error {
	if op != "remove" {
		_, _, _, err := f.loadPath(target)
		return err
	}
	fi, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // nothing to remove
	}
	if err != nil {
		return &FileError{Path: f.path, Op: "remove", Err: err,
			Msg: fmt.Sprintf("Failed to remove %s '%s': %v.", f.typeName, f.path, err),
			Fix: "Check the permissions of the file and its folders."}
	}
	if fi.Mode().IsRegular() {
		return nil
	}
	if fi.IsDir() {
		return directoryError(f.path, "remove", fmt.Sprintf("remove %s '%s'", f.typeName, f.path), fixDirectoryRemove)
	}
	return &FileError{Path: f.path, Op: "remove",
		Msg: fmt.Sprintf("Failed to remove %s '%s': the path is not a regular file.", f.typeName, f.path),
		Fix: "Remove it by hand if it is not needed."}
}

// locked runs fn while holding the in-process mutex and the cross-process
// lock of the target file. The target is checked first (checkTarget), so a
// path that names something else gets neither a folder nor a lock file; the
// folder is created (mode 0700) only when the path is not a symbolic link.
func (f *privateFile) locked(op string, fn func(target string) error) error {
	target, link, err := f.target(op)
	if err != nil {
		return err
	}
	mu := pathMutex(target)
	mu.Lock()
	defer mu.Unlock()

	if err := f.checkTarget(op, target); err != nil {
		return err
	}
	dir := filepath.Dir(target)
	if link {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return &FileError{Path: f.path, Op: op, Err: err,
				Msg: fmt.Sprintf("Failed to write %s to '%s': the path is a symbolic link to '%s', whose folder '%s' does not exist.", f.typeName, f.path, target, dir),
				Fix: "Folders are never created along a link: create the folder, or replace the link by a file."}
		}
	} else if err := os.MkdirAll(dir, dirMode); err != nil {
		return &FileError{Path: f.path, Op: op, Err: err,
			Msg: fmt.Sprintf("Failed to write %s to '%s': %v.", f.typeName, f.path, err),
			Fix: "Check that the folder can be created and written."}
	}
	lockPath := target + ".lock"
	lk := flock.New(lockPath)
	timeout := f.lockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	ok, err := lk.TryLockContext(ctx, lockRetry)
	cancel()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return &FileError{Path: f.path, Op: "lock", Err: err,
			Msg: fmt.Sprintf("Failed to lock %s '%s' through '%s': %v.", f.typeName, f.path, lockPath, err),
			Fix: "Check that the folder is writable."}
	}
	if !ok {
		return &FileError{Path: f.path, Op: "lock", Kind: ErrLockTimeout,
			Msg: fmt.Sprintf("Failed to lock %s '%s': another process held '%s' for more than %s.", f.typeName, f.path, lockPath, timeout),
			Fix: "Retry when the other terraform or openeo-auth run has finished."}
	}
	// Unlock closes the lock file; an error there cannot undo the write and
	// the kernel drops the lock with the descriptor anyway.
	defer func() { _ = lk.Unlock() }()
	giveLockToOwner(lockPath, target)
	return fn(target)
}

// giveLockToOwner gives a lock file the owner and group of the existing file
// it guards, so that a run as root leaves no lock file its owner cannot open.
// It is best effort: the lock file holds no data, and a process that may not
// change ownership only ever creates lock files that are its owner's.
func giveLockToOwner(lockPath, target string) {
	fi, err := os.Stat(target)
	if err != nil {
		return
	}
	uid, gid, ok := owner(fi)
	if !ok {
		return
	}
	if lfi, err := os.Lstat(lockPath); err == nil {
		if lu, lg, _ := owner(lfi); lu != uid || lg != gid {
			_ = os.Lchown(lockPath, uid, gid)
		}
	}
}

// keepOwner gives the temporary file tmp the owner and group of the file it
// replaces (described by orig), or refuses the write where that is not
// allowed: a rewrite never changes who owns the file. I/O errors go through wrap.
func (f *privateFile) keepOwner(tmp *os.File, orig fs.FileInfo, wrap func(error) error) error {
	uid, gid, ok := owner(orig)
	if !ok {
		return nil
	}
	tfi, err := tmp.Stat()
	if err != nil {
		return wrap(err)
	}
	tu, tg, _ := owner(tfi)
	if tu == uid && tg == gid {
		return nil
	}
	cu, cg := -1, -1
	if tu != uid {
		cu = uid
	}
	if tg != gid {
		cg = gid
	}
	if err := tmp.Chown(cu, cg); err != nil {
		return &FileError{Path: f.path, Op: "write", Kind: ErrOwnership, Err: err,
			Msg: fmt.Sprintf("Refusing to write %s to '%s': the file belongs to user %d and group %d, and this process (user %d, group %d) may not give the new file that owner and group.", f.typeName, f.path, uid, gid, os.Geteuid(), os.Getegid()),
			Fix: "Run as the file's owner, or as a member of its group; the file is left unchanged."}
	}
	return nil
}

// update loads the file under the locks, applies fn to a copy of the
// document and writes the result atomically when it differs from the file's
// bytes. fn may return ErrSkipWrite. It runs alone, never in a group commit:
// fn may do anything (RotateRefreshToken spends a refresh token in it) and
// runs exactly once.
func (f *privateFile) update(fn func(root *ojson.Object) error) error {
	return f.locked("write", func(target string) error {
		loaded, raw, existed, err := f.loadPath(target)
		if err != nil {
			return err
		}
		root := loaded.Clone()
		if err := fn(root); err != nil {
			if errors.Is(err, ErrSkipWrite) {
				return nil
			}
			return err
		}
		if f.beforeWrite != nil {
			f.beforeWrite(root)
		}
		return f.store(target, root, raw, existed, true)
	})
}

// store writes root to target (under the locks) unless its bytes equal raw,
// the file's current bytes, and records it in the read cache. validate
// checks the shape of root first (after a caller's Update callback).
func (f *privateFile) store(target string, root *ojson.Object, raw []byte, existed, validate bool) error {
	if se := f.shapeOf(root, validate); se != nil {
		return &FileError{Path: f.path, Op: "write", Kind: ErrForeignShape, Err: se,
			Msg: fmt.Sprintf("Refusing to write %s to '%s': %s.", f.typeName, f.path, se),
			Fix: "This is a bug in the caller of Update; the file is left unchanged."}
	}
	key := f.cacheKey(target)
	// Entries that the edits did not touch are the cached document's own
	// objects (copy on write): their bytes are copied, not encoded again.
	out, memo := ojson.EncodeObjectMemo(root, cacheMemo(key))
	if len(out) > MaxFileSize {
		return &FileError{Path: f.path, Op: "write", Kind: ErrTooLarge,
			Msg: fmt.Sprintf("Refusing to write %s to '%s': the result would have %d bytes, more than the limit of %d bytes (16 MiB).", f.typeName, f.path, len(out), MaxFileSize),
			Fix: "Remove entries that are no longer needed; the file is left unchanged."}
	}
	if existed && bytes.Equal(out, raw) {
		return nil
	}
	if err := f.writeAtomic(target, out); err != nil {
		cacheDrop(key)
		return err
	}
	statAt := time.Now()
	if fi, err := os.Stat(target); err == nil {
		cachePut(key, stampOf(fi), out, root, memo, statAt)
	} else {
		cacheDrop(key)
	}
	return nil
}

// commitExisting is commit that does nothing (creates no folder or lock file)
// when the file does not exist, for removals.
func (f *privateFile) commitExisting(fn func(d *draft) error) error {
	if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return f.commit(fn)
}

// writeAtomic writes data to a 0600 temporary file next to target, syncs it,
// renames it over target and syncs the folder.
func (f *privateFile) writeAtomic(target string, data []byte) error {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	wrap := func(err error) error {
		return &FileError{Path: f.path, Op: "write", Err: err,
			Msg: fmt.Sprintf("Failed to write %s to '%s': %v.", f.typeName, f.path, err),
			Fix: "Check free space and that the folder is writable; the previous file is unchanged."}
	}
	orig, err := os.Stat(target)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return wrap(err)
	}
	prefix := "." + base + ".tmp-"
	removeStaleTemps(dir, prefix) // left by a writer that died; we hold the lock
	tmp, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return wrap(err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return wrap(err)
	}
	if orig != nil {
		if err := f.keepOwner(tmp, orig, wrap); err != nil {
			return err
		}
	}
	if _, err := tmp.Write(data); err != nil {
		return wrap(err)
	}
	if err := tmp.Sync(); err != nil {
		return wrap(err)
	}
	if err := tmp.Close(); err != nil {
		return wrap(err)
	}
	if f.atReplace != nil {
		f.atReplace("rename")
	}
	if err := renameReplace(tmpName, target); err != nil {
		return wrap(err)
	}
	ok = true
	if f.atReplace != nil {
		f.atReplace("renamed")
	}
	if err := syncDir(dir); err != nil {
		return wrap(err)
	}
	return nil
}

// renameReplace renames over target. On Windows a reader holding the target
// open makes the rename fail for a moment, so it is retried briefly there.
func renameReplace(from, to string) error {
	err := os.Rename(from, to)
	for i := 0; err != nil && runtime.GOOS == "windows" && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
		err = os.Rename(from, to)
	}
	return err
}

func removeStaleTemps(dir, prefix string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// remove deletes the file under the locks. removed is false when it did not
// exist. A symbolic link is removed without a lock: that leaves the file it
// points at as it is.
func (f *privateFile) remove() (removed bool, err error) {
	if _, err := os.Lstat(f.path); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	removeErr := func(err error) error {
		return &FileError{Path: f.path, Op: "remove", Err: err,
			Msg: fmt.Sprintf("Failed to remove %s '%s': %v.", f.typeName, f.path, err),
			Fix: "Check the permissions of the folder."}
	}
	if isSymlink(f.path) {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, removeErr(err)
		}
		return true, nil
	}
	err = f.locked("remove", func(string) error {
		if err := os.Remove(f.path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return removeErr(err)
		}
		removed = true
		return nil
	})
	return removed, err
}
