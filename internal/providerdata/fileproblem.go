package providerdata

import (
	"errors"
	"fmt"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
)

// File problem summaries: one per kind of fault of auth-config.json or
// refresh-tokens.json, the same for data sources, ephemeral resources and
// resources.
const (
	// SummaryUnusableFile: not private (mode), not valid JSON, a foreign
	// shape, a directory. The file must be fixed or moved away.
	SummaryUnusableFile = "Unusable File"
	// SummaryFileLocked: another writer held the lock too long.
	SummaryFileLocked = "File Locked"
	// SummaryNoUserDir: no folder for the files exists or can be created.
	SummaryNoUserDir = "No Folder for the openEO Files"
	// SummaryFileRead and SummaryFileWrite: an I/O error (permissions, a
	// full disk, ...) reading, or writing or removing.
	SummaryFileRead  = "Cannot Read File"
	SummaryFileWrite = "Cannot Write File"
)

// FileProblem is the Problem of an error about one of the openEO auth files
// (an *authfiles.FileError); ok is false for other errors. The detail is the
// library's message (the file, the problem and the fix), after "Cannot
// <what>: " when what is not empty, and says that the file was not changed.
func FileProblem(err error, what string) (p Problem, ok bool) {
	var fe *authfiles.FileError
	if !errors.As(err, &fe) {
		return Problem{}, false
	}
	switch {
	case errors.Is(fe, authfiles.ErrNotPrivate), errors.Is(fe, authfiles.ErrInvalidJSON),
		errors.Is(fe, authfiles.ErrForeignShape), errors.Is(fe, authfiles.ErrIsDirectory):
		p.Summary = SummaryUnusableFile
	case errors.Is(fe, authfiles.ErrLockTimeout):
		p.Summary = SummaryFileLocked
	case errors.Is(fe, authfiles.ErrNoUserDir):
		p.Summary = SummaryNoUserDir
	case fe.Op == "load":
		p.Summary = SummaryFileRead
	default:
		p.Summary = SummaryFileWrite
	}
	msg := fe.Error()
	if what != "" {
		msg = fmt.Sprintf("Cannot %s: %s", what, msg)
	}
	if !strings.Contains(msg, "unchanged") {
		msg += " The file was not changed." // one paragraph: Explain cleans line breaks
	}
	p.Detail = msg
	return p, true
}
