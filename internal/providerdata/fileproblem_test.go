package providerdata

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
)

// TestFileProblemKinds: every kind of fault of an auth file has one
// summary, however deeply the *authfiles.FileError is wrapped; the detail
// keeps the library's file, problem and fix.
func TestFileProblemKinds(t *testing.T) {
	s := Settings{URL: "https://b.example", Method: MethodOIDC, Sources: map[string]Source{}}
	fe := func(op string, kind error) error {
		return fmt.Errorf("opening: %w", &authfiles.FileError{Path: "/x/auth-config.json", Op: op, Kind: kind,
			Err: fs.ErrPermission, Msg: "Problem with '/x/auth-config.json'.", Fix: "Fix it."})
	}
	for _, tc := range []struct {
		err     error
		summary string
	}{
		{fe("load", authfiles.ErrNotPrivate), SummaryUnusableFile},
		{fe("load", authfiles.ErrInvalidJSON), SummaryUnusableFile},
		{fe("write", authfiles.ErrForeignShape), SummaryUnusableFile},
		{fe("load", authfiles.ErrIsDirectory), SummaryUnusableFile},
		{fe("lock", authfiles.ErrLockTimeout), SummaryFileLocked},
		{fe("resolve", authfiles.ErrNoUserDir), SummaryNoUserDir},
		{fe("load", nil), SummaryFileRead},
		{fe("write", nil), SummaryFileWrite},
		{fe("remove", nil), SummaryFileWrite},
	} {
		p := Explain(tc.err, s, "read the openEO account")
		if p.Summary != tc.summary {
			t.Errorf("%v: summary %q, want %q", tc.err, p.Summary, tc.summary)
		}
		want := "Cannot read the openEO account: Problem with '/x/auth-config.json'. Fix it. The file was not changed."
		if p.Detail != want {
			t.Errorf("%v: detail %q, want %q", tc.err, p.Detail, want)
		}
		if q, ok := FileProblem(tc.err, ""); !ok || q.Summary != p.Summary || !strings.HasPrefix(q.Detail, "Problem with") {
			t.Errorf("FileProblem without what: %+v %v", q, ok)
		}
	}
	if _, ok := FileProblem(errors.New("other"), ""); ok {
		t.Error("FileProblem took a plain error")
	}
}
