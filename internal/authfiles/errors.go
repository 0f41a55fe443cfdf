package authfiles

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, matched with errors.Is on a [*FileError].
var (
	// ErrNotPrivate: the file has group or other permission bits (POSIX only).
	ErrNotPrivate = errors.New("file could be readable by others")
	// ErrInvalidJSON: the file is not valid JSON (it also matches ojson.ErrSyntax).
	ErrInvalidJSON = errors.New("invalid JSON")
	// ErrForeignShape: valid JSON, but the top level or a known key has an
	// unexpected type (for example "backends" is a list).
	ErrForeignShape = errors.New("unexpected JSON structure")
	// ErrIsDirectory: the file path names a directory.
	ErrIsDirectory = errors.New("path is a directory")
	// ErrLockTimeout: another writer held the lock file too long.
	ErrLockTimeout = errors.New("timed out waiting for the file lock")
	// ErrNoUserDir: no config or data directory exists or can be created.
	ErrNoUserDir = errors.New("no usable user directory")
	// ErrOwnership: a rewrite cannot keep the file's owner and group (POSIX only).
	ErrOwnership = errors.New("file ownership cannot be kept")
	// ErrTooLarge: the file is larger than MaxFileSize.
	ErrTooLarge = errors.New("file too large")
)

// FileError is the error type of this package. Its message names the file,
// the problem and a fix; it never contains a secret read from a file.
type FileError struct {
	Path string // the file (or, for ErrNoUserDir, the first candidate directory)
	Op   string // "load", "write", "remove", "lock" or "resolve"
	Kind error  // one of the Err* sentinels, or nil for plain I/O errors
	Err  error  // the underlying cause (an *fs.PathError, *ojson.SyntaxError, ...), may be nil
	Msg  string // the problem, one sentence
	Fix  string // what to do about it, one sentence
}

func (e *FileError) Error() string {
	if e.Fix == "" {
		return e.Msg
	}
	return e.Msg + " " + e.Fix
}

// fileTitles name the kinds of fault, in the order Title tries them: one
// title per kind, the same for data sources, resources and openeo-auth.
var fileTitles = []struct {
	kind  error
	title string
}{
	// The file must be fixed or moved away.
	{ErrNotPrivate, "Unusable File"},
	{ErrInvalidJSON, "Unusable File"},
	{ErrForeignShape, "Unusable File"},
	{ErrIsDirectory, "Unusable File"},
	// Another writer held the lock too long.
	{ErrLockTimeout, "File Locked"},
	// No folder for the files exists or can be created.
	{ErrNoUserDir, "No Folder for the openEO Files"},
}

// Title names the kind of fault in a few Title-Case words, for the summary
// of a diagnostic: "Unusable File", "File Locked", "No Folder for the openEO
// Files", and for I/O errors (permissions, a full disk, ...) "Cannot Read
// File" (Op "load") or "Cannot Write File".
func (e *FileError) Title() string {
	for _, t := range fileTitles {
		if errors.Is(e, t.kind) {
			return t.title
		}
	}
	if e.Op == "load" {
		return "Cannot Read File"
	}
	return "Cannot Write File"
}

// Detail is the message followed, unless it says so already, by the
// sentence that the file was not changed: writes are atomic, so a failed
// operation leaves the file as it was.
func (e *FileError) Detail() string {
	msg := e.Error()
	if !strings.Contains(msg, "unchanged") {
		msg += " The file was not changed."
	}
	return msg
}

// Unwrap returns Kind and Err, so errors.Is works for both.
func (e *FileError) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// shapeError is a foreign-shape finding of a validator.
type shapeError struct {
	keyPath string // e.g. backends["https://x"]["basic"]
	found   string // e.g. "an array"
	want    string // e.g. "an object"
}

func (s *shapeError) Error() string {
	return fmt.Sprintf("%s is %s, expected %s", s.keyPath, s.found, s.want)
}

// Fixes of a directory where a file is named.
const (
	fixDirectoryLoad   = "Remove or rename that directory, or configure a file path instead."
	fixDirectoryRemove = "Remove that directory by hand if it is not needed."
)

// directoryError is the one "the path is a directory" fault. op is "load" or
// "remove"; action says what failed ("load <file> from '<path>'").
func directoryError(path, op, action, fix string) *FileError {
	return &FileError{Path: path, Op: op, Kind: ErrIsDirectory,
		Msg: "Failed to " + action + ": the path is a directory, not a file.", Fix: fix}
}
