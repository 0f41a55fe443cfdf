package authfiles

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func TestDirCandidates(t *testing.T) {
	const h = "/home/john"
	cases := []struct {
		name   string
		goos   string
		vars   map[string]string
		config []string
		data   []string
	}{
		{"linux defaults", "linux", nil,
			[]string{h + "/.config/openeo-python-client"},
			[]string{h + "/.local/share/openeo-python-client"}},
		{"linux XDG", "linux", map[string]string{"XDG_CONFIG_HOME": "/xdg/c", "XDG_DATA_HOME": "/xdg/d"},
			[]string{"/xdg/c/openeo-python-client", h + "/.config/openeo-python-client"},
			[]string{"/xdg/d/openeo-python-client", h + "/.local/share/openeo-python-client"}},
		{"linux empty XDG counts as unset", "linux", map[string]string{"XDG_CONFIG_HOME": "", "OPENEO_CONFIG_HOME": ""},
			[]string{h + "/.config/openeo-python-client"},
			[]string{h + "/.local/share/openeo-python-client"}},
		{"linux XDG with ~ is expanded", "linux", map[string]string{"XDG_CONFIG_HOME": "~/cfg"},
			[]string{h + "/cfg/openeo-python-client", h + "/.config/openeo-python-client"},
			[]string{h + "/.local/share/openeo-python-client"}},
		{"OPENEO_CONFIG_HOME first, as-is, for both", "linux",
			map[string]string{"OPENEO_CONFIG_HOME": "~/oeo", "XDG_CONFIG_HOME": "/xdg/c"},
			[]string{"~/oeo", "/xdg/c/openeo-python-client", h + "/.config/openeo-python-client"},
			[]string{"~/oeo", h + "/.local/share/openeo-python-client"}},
		{"macOS", "darwin", map[string]string{"XDG_CONFIG_HOME": "/xdg/c"},
			[]string{"/xdg/c/openeo-python-client", h + "/Library/Preferences/openeo-python-client", h + "/.config/openeo-python-client"},
			[]string{h + "/Library/openeo-python-client", h + "/.local/share/openeo-python-client"}},
		{"windows", "windows", map[string]string{"APPDATA": "/appdata", "XDG_CONFIG_HOME": "/ignored"},
			[]string{"/appdata/openeo-python-client", h + "/AppData/Roaming/openeo-python-client", h + "/.config/openeo-python-client"},
			[]string{"/appdata/openeo-python-client", h + "/AppData/Roaming/openeo-python-client", h + "/.local/share/openeo-python-client"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := mapEnv(h, c.goos, c.vars)
			if got := ConfigDirCandidates(env); !slices.Equal(got, c.config) {
				t.Errorf("config: got %q, want %q", got, c.config)
			}
			if got := DataDirCandidates(env); !slices.Equal(got, c.data) {
				t.Errorf("data: got %q, want %q", got, c.data)
			}
		})
	}
}

func TestHomeFromEnvironment(t *testing.T) {
	t.Setenv("HOME", "/from/env")
	got := ConfigDirCandidates(Env{GOOS: "linux"})
	if want := []string{"/from/env/.config/openeo-python-client"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestUserDirSelection uses real folders: the highest-priority existing
// folder wins, otherwise the first creatable one is created.
func TestUserDirSelection(t *testing.T) {
	home := t.TempDir()
	xdg := filepath.Join(t.TempDir(), "xdg")
	env := mapEnv(home, "linux", map[string]string{"XDG_CONFIG_HOME": xdg})
	xdgDir := filepath.Join(xdg, AppName)
	homeDir := filepath.Join(home, ".config", AppName)

	// Nothing exists: the read-only variant names the first candidate and creates nothing.
	got, err := UserConfigDir(env, false)
	if err != nil || got != xdgDir {
		t.Fatalf("read-only: %q, %v; want %q", got, err, xdgDir)
	}
	if _, err := os.Stat(xdg); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("read-only resolution created a folder")
	}

	// XDG quirk: an existing ~/.config/openeo-python-client beats a missing XDG folder.
	if err := os.MkdirAll(homeDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, create := range []bool{false, true} {
		if got, err := UserConfigDir(env, create); err != nil || got != homeDir {
			t.Fatalf("create=%v: %q, %v; want %q", create, got, err, homeDir)
		}
	}
	if _, err := os.Stat(xdgDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("XDG folder was created although a lower-priority one exists")
	}

	// Once the XDG folder exists it wins.
	if err := os.MkdirAll(xdgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, _ := UserConfigDir(env, true); got != xdgDir {
		t.Fatalf("got %q, want %q", got, xdgDir)
	}
}

func TestUserDirCreation(t *testing.T) {
	home := t.TempDir()
	blocker := filepath.Join(t.TempDir(), "file")
	writeFile(t, blocker, []byte("x"), 0o600)
	// The first candidate cannot be created (a file is in the way): the second is.
	env := mapEnv(home, "linux", map[string]string{"XDG_DATA_HOME": blocker})
	want := filepath.Join(home, ".local", "share", AppName)
	if got, _ := UserDataDir(env, false); got != want {
		t.Fatalf("read-only: got %q, want %q", got, want)
	}
	got, err := UserDataDir(env, true)
	if err != nil || got != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	// Every folder created is private (Python uses the default mode).
	if runtime.GOOS != "windows" {
		for _, d := range []string{want, filepath.Dir(want)} {
			assertMode(t, d, 0o700)
		}
	}

	// No candidate works: Python's message plus a fix.
	env = mapEnv(blocker, "linux", map[string]string{"XDG_DATA_HOME": blocker})
	_, err = UserDataDir(env, true)
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrNoUserDir) {
		t.Fatalf("err %v", err)
	}
	wantMsg := "Failed to find user dir for 'openeo-python-client'. Tried: ['" + blocker + "/openeo-python-client', '" + blocker + "/.local/share/openeo-python-client']"
	if !strings.HasPrefix(err.Error(), wantMsg) || !strings.Contains(err.Error(), "OPENEO_CONFIG_HOME") {
		t.Fatalf("message %q\nwant prefix %q", err, wantMsg)
	}
	if _, err := UserDataDir(env, false); !errors.Is(err, ErrNoUserDir) {
		t.Fatalf("read-only: %v", err)
	}
}

func TestDefaultPaths(t *testing.T) {
	oeo := filepath.Join(t.TempDir(), "oeo-home")
	t.Setenv("OPENEO_CONFIG_HOME", oeo)
	t.Setenv("HOME", t.TempDir())

	ro, err := DefaultAuthConfigPathReadOnly(Env{})
	if err != nil || ro != filepath.Join(oeo, AuthConfigFileName) {
		t.Fatalf("%q %v", ro, err)
	}
	rt, err := DefaultRefreshTokensPathReadOnly(Env{})
	if err != nil || rt != filepath.Join(oeo, RefreshTokensFileName) {
		t.Fatalf("%q %v", rt, err)
	}
	if _, err := os.Stat(oeo); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("read-only variant created the folder")
	}
	// Open without CreateDirs creates nothing either.
	c, err := OpenAuthConfig("", Options{})
	if err != nil || c.Path() != ro {
		t.Fatalf("%v %v", c, err)
	}
	if _, err := os.Stat(oeo); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("OpenAuthConfig created the folder")
	}
	// The Python-like variant creates the folder at resolution time.
	p, err := DefaultAuthConfigPath(Env{})
	if err != nil || p != ro {
		t.Fatalf("%q %v", p, err)
	}
	if fi, err := os.Stat(oeo); err != nil || !fi.IsDir() {
		t.Fatal("folder not created")
	}
	if p, _ := DefaultRefreshTokensPath(Env{}); p != rt {
		t.Fatalf("both files share OPENEO_CONFIG_HOME: %q", p)
	}

	// A directory given as the path gets the default file name.
	dir := t.TempDir()
	c = openAuthConfig(t, dir)
	if c.Path() != filepath.Join(dir, AuthConfigFileName) {
		t.Fatal(c.Path())
	}
	s := openRefreshTokens(t, dir)
	if s.Path() != filepath.Join(dir, RefreshTokensFileName) {
		t.Fatal(s.Path())
	}
	// Options.CreateDirs and a per-instance Env.
	other := filepath.Join(t.TempDir(), "custom")
	env := mapEnv("/nonexistent", "linux", map[string]string{"OPENEO_CONFIG_HOME": other})
	s, err = OpenRefreshTokens("", Options{Env: env, CreateDirs: true})
	if err != nil || s.Path() != filepath.Join(other, RefreshTokensFileName) {
		t.Fatalf("%v %v", s, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatal("CreateDirs did not create the folder")
	}
}

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://oeo.test/": "https://oeo.test", "https://oeo.test": "https://oeo.test",
		"https://oeo.test///": "https://oeo.test", "": "/", "/": "/", "///": "/",
		"oeo.test/": "oeo.test", "HTTPS://OEO.test/a/": "HTTPS://OEO.test/a",
	} {
		if got := flows.NormalizeURL(in); got != want {
			t.Errorf("flows.NormalizeURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConfigHomeKeepsBothFilesTogether: with OPENEO_CONFIG_HOME naming a
// folder that does not exist yet, both files land in it, even when a
// lower-priority config folder exists (where the Python client would put
// auth-config.json while refresh-tokens.json goes to OPENEO_CONFIG_HOME).
func TestConfigHomeKeepsBothFilesTogether(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".config", AppName), 0o700); err != nil {
		t.Fatal(err)
	}
	oeo := filepath.Join(t.TempDir(), "not", "yet")
	env := mapEnv(home, "linux", map[string]string{"OPENEO_CONFIG_HOME": oeo})
	for _, create := range []bool{false, true} {
		cfg, err := UserConfigDir(env, create)
		if err != nil {
			t.Fatal(err)
		}
		data, err := UserDataDir(env, create)
		if err != nil {
			t.Fatal(err)
		}
		if cfg != oeo || data != oeo {
			t.Fatalf("create=%v: config folder %q, data folder %q; want both %q", create, cfg, data, oeo)
		}
	}
	assertMode(t, oeo, 0o700)

	// Through the provider's path: the first write creates the folder.
	oeo2 := filepath.Join(t.TempDir(), "later")
	opts := testOptions()
	opts.Env = mapEnv(home, "linux", map[string]string{"OPENEO_CONFIG_HOME": oeo2})
	c, err := OpenAuthConfig("", opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenRefreshTokens("", opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetBasic("https://b", "u", "p"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefreshToken("https://i", "c", "t", time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{AuthConfigFileName, RefreshTokensFileName} {
		if _, err := os.Stat(filepath.Join(oeo2, f)); err != nil {
			t.Fatalf("%s not in OPENEO_CONFIG_HOME: %v", f, err)
		}
	}

	// OPENEO_CONFIG_HOME naming a file is an error for both, not a silent fallback.
	blocker := filepath.Join(t.TempDir(), "file")
	writeFile(t, blocker, []byte("x"), 0o600)
	env = mapEnv(home, "linux", map[string]string{"OPENEO_CONFIG_HOME": blocker})
	for name, pick := range map[string]func(Env, bool) (string, error){"config": UserConfigDir, "data": UserDataDir} {
		for _, create := range []bool{false, true} {
			_, err := pick(env, create)
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, ErrNoUserDir) || !strings.Contains(err.Error(), "OPENEO_CONFIG_HOME names '"+blocker+"'") || fe.Fix == "" {
				t.Fatalf("%s create=%v: %v", name, create, err)
			}
		}
	}
}

func TestFileOnlyRefusesADirectory(t *testing.T) {
	dir := t.TempDir()
	for name, open := range map[string]func(Options) (string, error){
		"auth-config.json": func(o Options) (string, error) {
			c, err := OpenAuthConfig(dir, o)
			if err != nil {
				return "", err
			}
			return c.Path(), nil
		},
		"refresh-tokens.json": func(o Options) (string, error) {
			s, err := OpenRefreshTokens(dir, o)
			if err != nil {
				return "", err
			}
			return s.Path(), nil
		},
	} {
		// Without FileOnly a directory holds the default file name (Python's constructor).
		if p, err := open(Options{}); err != nil || p != filepath.Join(dir, name) {
			t.Errorf("%s: path %q, err %v", name, p, err)
		}
		_, err := open(Options{FileOnly: true})
		var fe *FileError
		if !errors.Is(err, ErrIsDirectory) || !errors.As(err, &fe) || !strings.Contains(err.Error(), dir) ||
			!strings.Contains(fe.Fix, "configure a file path") {
			t.Errorf("%s with FileOnly: %v, want ErrIsDirectory naming %s and the fix", name, err, dir)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("something was created in the directory: %v", entries)
	}
}
