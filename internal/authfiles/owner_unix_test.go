//go:build unix

package authfiles

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// Another user and two groups, as numbers (no account needs to exist).
const (
	otherUID   = 4242
	otherGID   = 4242
	foreignGID = 4343 // a group otherUID is not a member of
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: only root can create files that belong to another user")
	}
}

// chown gives path to otherUID and group gid.
func chown(t *testing.T, path string, gid int) {
	t.Helper()
	if err := os.Lchown(path, otherUID, gid); err != nil {
		t.Fatal(err)
	}
}

// assertOwner checks that path belongs to otherUID and group gid.
func assertOwner(t *testing.T, path string, gid int) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if u, g, _ := owner(fi); u != otherUID || g != gid {
		t.Fatalf("%s: owner %d:%d, want %d:%d", path, u, g, otherUID, gid)
	}
}

// TestRewriteKeepsOwner: root rewriting another user's files (a new inode)
// keeps their owner and group, and leaves a lock file that owner can open.
func TestRewriteKeepsOwner(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	ac := filepath.Join(dir, AuthConfigFileName)
	rt := filepath.Join(dir, RefreshTokensFileName)
	writeFile(t, ac, []byte(`{"backends": {}}`), 0o600)
	writeFile(t, rt, []byte(`{}`), 0o600)
	chown(t, ac, foreignGID)
	chown(t, rt, otherGID)
	before, err := os.Stat(ac)
	if err != nil {
		t.Fatal(err)
	}

	if err := openAuthConfig(t, ac).SetBasic("https://b", "u", "p"); err != nil {
		t.Fatal(err)
	}
	if err := openRefreshTokens(t, rt).SetRefreshToken("https://i", "c", "t", time.Time{}); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(ac)
	if err != nil {
		t.Fatal(err)
	}
	if inode(after) == inode(before) {
		t.Fatal("the file was rewritten in place; this test needs a replaced inode")
	}
	assertOwner(t, ac, foreignGID)
	assertOwner(t, ac+".lock", foreignGID)
	assertOwner(t, rt, otherGID)
	assertOwner(t, rt+".lock", otherGID)
	assertMode(t, ac, 0o600)
	if u, _, _, err := openAuthConfig(t, ac).BasicCredentials("https://b"); err != nil || u != "u" {
		t.Fatalf("%q %v", u, err)
	}
}

// TestRewriteRefusesOwnerItCannotKeep: a process of otherUID may not give a
// file the group foreignGID, so its rewrite of its own file of that group is
// refused with a clear error, and the file keeps its bytes and owner.
func TestRewriteRefusesOwnerItCannotKeep(t *testing.T) {
	requireRoot(t)
	base := folderOthersCanReach(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "authfiles.test")
	copyFile(t, exe, bin, 0o755)
	home := filepath.Join(base, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	chown(t, home, otherGID)
	path := filepath.Join(home, AuthConfigFileName)
	const content = `{"backends": {}}`
	writeFile(t, path, []byte(content), 0o600)
	chown(t, path, foreignGID)

	var stderr bytes.Buffer
	cmd := childCmd(t, "setbasic", path, "b", 0)
	cmd.Path, cmd.Args[0] = bin, bin
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: otherUID, Gid: otherGID, Groups: []uint32{}}}
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child: %v, stderr %q", err, stderr.String())
	}
	msg := stderr.String()
	for _, want := range []string{"Refusing to write AuthConfig to '" + path + "'", "belongs to user 4242 and group 4343", "left unchanged"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("message %q lacks %q", msg, want)
		}
	}
	assertBytes(t, "refused file", testrig.ReadFile(t, path), []byte(content))
	assertOwner(t, path, foreignGID)
	for _, n := range dirNames(t, home) {
		if strings.Contains(n, ".tmp-") {
			t.Fatalf("temporary file left: %s", n)
		}
	}
}

func copyFile(t *testing.T, from, to string, perm os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, perm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// folderOthersCanReach is a fresh folder (mode 0755, removed after the test)
// that a process of another user can reach: the child of
// TestRewriteRefusesOwnerItCannotKeep runs as otherUID and must reach the
// folder and the binary in it. $TMPDIR may sit in a folder only its owner can
// enter (make test's is made by mktemp -d, 0700), so /tmp and /var/tmp are
// tried too.
func folderOthersCanReach(t *testing.T) string {
	t.Helper()
	//nolint:usetesting // t.TempDir() is under $TMPDIR, which other users may not be able to enter
	for _, parent := range []string{os.TempDir(), "/tmp", "/var/tmp"} {
		if !othersCanEnter(parent) {
			continue
		}
		dir, err := os.MkdirTemp(parent, "owner-test") //nolint:usetesting // see above; removed in t.Cleanup
		if err != nil {
			continue
		}
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Skip("no temporary folder that another user can enter ($TMPDIR, /tmp, /var/tmp)")
	return ""
}

// othersCanEnter reports whether every folder from / down to dir lets other
// users pass (the x bit for others).
func othersCanEnter(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		st, err := os.Stat(dir)
		if err != nil || !st.IsDir() || st.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}
