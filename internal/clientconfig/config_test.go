package clientconfig

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type kv = map[string]string

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want kv     // nil: a parse error is expected
		err  string // part of the error
	}{
		{name: "docs example", in: "[General]\nverbose = auto\n[Connection]\ndefault_backend = openeo.cloud\ndefault_backend.auto_authenticate = oidc\n",
			want: kv{"general.verbose": "auto", "connection.default_backend": "openeo.cloud", "connection.default_backend.auto_authenticate": "oidc"}},
		{name: "colon and case", in: "[Connection]\nDefault_Backend: https://x.test/a=b:c\n",
			want: kv{"connection.default_backend": "https://x.test/a=b:c"}},
		{name: "comments", in: "# top\n; also\n[s]\n  # indented comment\na = 1 # not a comment\n",
			want: kv{"s.a": "1 # not a comment"}},
		{name: "continuation and blank lines", in: "[s]\na = one\n  two\n\n  three\n# c\n    four\n\nb=2\n",
			want: kv{"s.a": "one\ntwo\n\nthree\nfour", "s.b": "2"}},
		{name: "trailing blank lines dropped", in: "[s]\na = x\n\n\n",
			want: kv{"s.a": "x"}},
		{name: "empty value", in: "[s]\na =\nb:\n", want: kv{"s.a": "", "s.b": ""}},
		{name: "interpolation", in: "[s]\nhost = oeo.test\nurl = https://%(HOST)s/x?q=50%%\n",
			want: kv{"s.host": "oeo.test", "s.url": "https://oeo.test/x?q=50%"}},
		{name: "nested interpolation", in: "[s]\na = %(b)s\nb = %(c)s!\nc = 100%%\n",
			want: kv{"s.a": "100%!", "s.b": "100%!", "s.c": "100%"}},
		{name: "DEFAULT inherited", in: "[DEFAULT]\nbase = https://b\n[Connection]\ndefault_backend = %(base)s/openeo\n[General]\n",
			want: kv{"connection.base": "https://b", "connection.default_backend": "https://b/openeo", "general.base": "https://b"}},
		{name: "section overrides DEFAULT", in: "[DEFAULT]\nx = d\n[s]\nx = s\n", want: kv{"s.x": "s"}},
		{name: "DEFAULT only", in: "[DEFAULT]\nx = 1\n", want: kv{}},
		{name: "CRLF and CR", in: "[s]\r\na = 1\r\nb = 2\rc = 3", want: kv{"s.a": "1", "s.b": "2", "s.c": "3"}},
		{name: "header with bracket", in: "[a]b] trailing\nx=1\n", want: kv{"a]b.x": "1"}},
		{name: "same section different case", in: "[S]\nx = 1\n[s]\nx = 2\n", want: kv{"s.x": "2"}},
		{name: "empty file", in: "", want: kv{}},
		{name: "indented option after header", in: "[s]\n  a = 1\n  b = 2\n", want: kv{"s.a": "1", "s.b": "2"}},

		{name: "no section", in: "a = 1\n", err: "no section headers"},
		{name: "bad line", in: "[s]\njust words\n", err: "line 2"},
		{name: "empty option name", in: "[s]\n= x\n", err: "line 2"},
		{name: "duplicate section", in: "[s]\n[s]\n", err: "already exists"},
		{name: "duplicate option", in: "[s]\na=1\nA=2\n", err: "already exists"},
		{name: "lone percent", in: "[s]\na = 50%\n", err: "'%' must be followed"},
		{name: "missing reference", in: "[s]\na = %(nope)s\n", err: "missing option"},
		{name: "bad reference", in: "[s]\na = %(x)d\nx=1\n", err: "bad interpolation"},
		{name: "loop", in: "[s]\na = %(b)s\nb = %(a)s\n", err: "deeper than 10"},
		{name: "BOM", in: "\ufeff[s]\na=1\n", err: "no section headers"},
		{name: "not UTF-8", in: "[s]\na=\xff\n", err: "UTF-8"},
		{name: "empty brackets", in: "[s]\n[]\n", err: "line 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse([]byte(c.in))
			if c.want == nil {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want an error with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := kv{}
			for _, k := range cfg.Keys() {
				got[k], _ = cfg.Get(k)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Fatalf("%s: got %q, want %q (all: %q)", k, got[k], v, got)
				}
			}
		})
	}
}

// TestMatchesPythonConfigparser compares the flattened result (or the
// failure) with python3's configparser + the openEO client's flattening, for
// hand-picked and random documents. Skipped without python3.
func TestMatchesPythonConfigparser(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found; TestParse pins the behaviour")
	}
	inputs := []string{
		"[General]\nverbose = auto\n[Connection]\ndefault_backend = openeo.cloud\n",
		"[s]\na = one\n  two\n\n  three\n# c\n    four\n\nb=2\n",
		"[DEFAULT]\nbase = x\n[s]\nv = %(base)s%%\n",
		"[a]b] x\nk : v : w\n", "[s]\n\ta\t=\t1\t\n", "[s]\na = 1\n\t\n  b\n", "[s]\r\na=1\rb=2\r\n",
		"[s]\na = 50%\n", "a=1\n", "[s]\n[s]\n", "[s]\na=1\nA=2\n", "[s]\nfoo\n", "\ufeff[s]\n",
		"[s]\na = \x1c x \x1f\n", "[s]\n  a = 1\n    b = 2\n  c = 3\n", "[S]\nx=1\n[s]\nx=2\n",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 400 {
		inputs = append(inputs, randomINI(rng))
	}
	// The document goes through a real file: configparser.read opens it with
	// universal newlines (read_string would not split on a lone \r).
	tmp := filepath.Join(t.TempDir(), "c.ini")
	script := `import configparser, json, sys
tmp = sys.argv[1]
for line in sys.stdin:
    text = json.loads(line)
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    cp = configparser.ConfigParser()
    try:
        if not cp.read(tmp, encoding="utf-8"):
            raise Exception("unreadable")
        out = {}
        for s in cp.sections():
            for o, v in cp.items(section=s):
                out[(s + "." + o).lower()] = v
    except Exception:
        out = None
    print(json.dumps(out))
`
	var stdin bytes.Buffer
	for _, in := range inputs {
		b, _ := json.Marshal(in)
		stdin.Write(b)
		stdin.WriteByte('\n')
	}
	cmd := exec.Command(py, "-c", script, tmp)
	cmd.Stdin = &stdin
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("%d results for %d inputs", len(lines), len(inputs))
	}
	accepted := 0
	defer func() { t.Logf("%d inputs, %d accepted by Python", len(inputs), accepted) }()
	for i, in := range inputs {
		var want map[string]string
		if err := json.Unmarshal([]byte(lines[i]), &want); err != nil {
			t.Fatal(err)
		}
		if want != nil {
			accepted++
		}
		cfg, err := Parse([]byte(in))
		switch {
		case want == nil && err == nil:
			t.Errorf("Python rejects %q, Parse accepts it: %q", in, cfg.values)
		case want != nil && err != nil:
			t.Errorf("Python accepts %q (%q), Parse says %v", in, want, err)
		case want != nil:
			if len(want) != len(cfg.values) {
				t.Errorf("%q:\n go %q\n py %q", in, cfg.values, want)
				continue
			}
			for k, v := range want {
				if cfg.values[k] != v {
					t.Errorf("%q key %s:\n go %q\n py %q", in, k, cfg.values[k], v)
				}
			}
		}
	}
}

func randomINI(rng *rand.Rand) string {
	pieces := []string{
		"[s]", "[S]", "[DEFAULT]", "[t]", "[]", "[a]b]", "a = 1", "A: 2", "b=%(a)s", "c = %%", "d = 5%", "e = %(zz)s",
		"  cont", "\tcont2", "", "   ", "# comment", "  ; comment", "f =", "= bad", "words", "g = x = y", "h : %(b)s",
		"i = é ü", "j = \u00a0nbsp\u00a0", "k = \x1ctrail",
	}
	seps := []string{"\n", "\n", "\r\n", "\r"}
	var b strings.Builder
	if rng.IntN(4) > 0 {
		b.WriteString("[s]\n")
	}
	for range rng.IntN(8) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
		b.WriteString(seps[rng.IntN(len(seps))])
	}
	return b.String()
}

func envWith(home, wd string, vars map[string]string) Env {
	return Env{
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		HomeDir:   home,
		WorkDir:   wd,
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCandidates(t *testing.T) {
	env := envWith("/home/u", "/wd", map[string]string{
		"OPENEO_CLIENT_CONFIG": "rel/my.ini", "OPENEO_CONFIG_HOME": "/oeo", "XDG_CONFIG_HOME": "/xdg",
	})
	want := []string{"/wd/rel/my.ini", "/wd/openeo-client-config.ini", "/oeo/openeo-client-config.ini",
		"/xdg/openeo-python-client/openeo-client-config.ini", "/home/u/.openeo-client-config.ini"}
	if got := Candidates(env); !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	// Unset variables add no candidate.
	want = []string{"/wd/openeo-client-config.ini", "/home/u/.openeo-client-config.ini"}
	if got := Candidates(envWith("/home/u", "/wd", nil)); !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
}

// TestSearchOrder creates files at every location and removes them from the
// highest priority down: each time the next one wins.
func TestSearchOrder(t *testing.T) {
	root := t.TempDir()
	home, wd, oeo, xdg := filepath.Join(root, "home"), filepath.Join(root, "wd"), filepath.Join(root, "oeo"), filepath.Join(root, "xdg")
	files := []string{
		filepath.Join(root, "explicit.INI"),
		filepath.Join(wd, FileName),
		filepath.Join(oeo, FileName),
		filepath.Join(xdg, appName, FileName),
		filepath.Join(home, HomeFileName),
	}
	for i, f := range files {
		write(t, f, "[Connection]\ndefault_backend = https://b"+string(rune('0'+i))+"\n")
	}
	env := envWith(home, wd, map[string]string{
		"OPENEO_CLIENT_CONFIG": files[0], "OPENEO_CONFIG_HOME": oeo, "XDG_CONFIG_HOME": xdg,
	})
	for i, f := range files {
		cfg, err := Load(env)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Source() != f {
			t.Fatalf("step %d: source %q, want %q", i, cfg.Source(), f)
		}
		if b, ok := cfg.DefaultBackend(); !ok || b != "https://b"+string(rune('0'+i)) {
			t.Fatalf("step %d: default backend %q", i, b)
		}
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ := Load(env)
	if cfg.Source() != "" || len(cfg.Keys()) != 0 {
		t.Fatal("no file: empty config expected")
	}
	if _, ok := cfg.DefaultBackend(); ok {
		t.Fatal("default backend without a file")
	}
}

func TestLoadSkipsAndWarnings(t *testing.T) {
	root := t.TempDir()
	home, wd := filepath.Join(root, "home"), filepath.Join(root, "wd")
	write(t, filepath.Join(home, HomeFileName), "[connection]\ndefault_backend = https://home\n")

	// A non-.ini OPENEO_CLIENT_CONFIG is skipped with a warning.
	txt := filepath.Join(root, "config.txt")
	write(t, txt, "[connection]\ndefault_backend = https://txt\n")
	// A broken file in the working directory is skipped with a warning.
	write(t, filepath.Join(wd, FileName), "[connection]\ndefault_backend = 100%\n")
	cfg, err := Load(envWith(home, wd, map[string]string{"OPENEO_CLIENT_CONFIG": txt}))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := cfg.DefaultBackend(); b != "https://home" || cfg.Source() != filepath.Join(home, HomeFileName) {
		t.Fatalf("got %q from %q", b, cfg.Source())
	}
	ws := cfg.Warnings()
	if len(ws) != 2 || ws[0].Path != txt || !strings.Contains(ws[0].String(), ".ini") ||
		!strings.Contains(ws[1].String(), "does not parse") || !strings.Contains(ws[1].String(), filepath.Join(wd, FileName)) {
		t.Fatalf("warnings %v", ws)
	}

	// An existing but unreadable candidate (here a directory) ends the search
	// with an empty config, like Python's configparser.read.
	if err := os.Remove(filepath.Join(wd, FileName)); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(wd, FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, _ = Load(envWith(home, wd, nil))
	if cfg.Source() != "" || len(cfg.Keys()) != 0 || len(cfg.Warnings()) != 1 {
		t.Fatalf("source %q, keys %v, warnings %v", cfg.Source(), cfg.Keys(), cfg.Warnings())
	}
}

// TestLoadProcessEnvironment uses the zero Env: process environment,
// $HOME and the current directory.
func TestLoadProcessEnvironment(t *testing.T) {
	root := t.TempDir()
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("OPENEO_CONFIG_HOME", filepath.Join(root, "oeo"))
	t.Chdir(root)
	write(t, filepath.Join(root, "oeo", FileName), "[Connection]\nauto_authenticate = OIDC\n")
	cfg, err := Load(Env{})
	if err != nil || cfg.Source() != filepath.Join(root, "oeo", FileName) {
		t.Fatalf("%v %v", cfg.Source(), err)
	}
	write(t, filepath.Join(root, FileName), "[Connection]\nauto_authenticate = basic\n")
	cfg, _ = Load(Env{})
	if cfg.Source() != filepath.Join(root, FileName) || cfg.AutoAuthenticate(false) != "basic" {
		t.Fatalf("working directory file not preferred: %q", cfg.Source())
	}
}

func TestAutoAuthenticate(t *testing.T) {
	cases := []struct {
		ini                   string
		forDefault, forOthers string
	}{
		{"[connection]\ndefault_backend.auto_authenticate = oidc\n", "oidc", ""},
		{"[connection]\nauto_authenticate = Basic\n", "basic", "basic"},
		{"[connection]\ndefault_backend.auto_authenticate = OIDC\nauto_authenticate = basic\n", "oidc", "basic"},
		// "off" for the default back-end does not block connection.auto_authenticate (as in connect()).
		{"[connection]\ndefault_backend.auto_authenticate = off\nauto_authenticate = oidc\n", "oidc", "oidc"},
		{"[connection]\nauto_authenticate = yes\n", "", ""},
		{"[Connection]\nAuto_Authenticate = oidc\n", "oidc", "oidc"},
		{"", "", ""},
	}
	for _, c := range cases {
		cfg, err := Parse([]byte(c.ini))
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.AutoAuthenticate(true); got != c.forDefault {
			t.Errorf("%q: for the default back-end %q, want %q", c.ini, got, c.forDefault)
		}
		if got := cfg.AutoAuthenticate(false); got != c.forOthers {
			t.Errorf("%q: for other back-ends %q, want %q", c.ini, got, c.forOthers)
		}
	}
	cfg, _ := Parse([]byte("[connection]\ndefault_backend =\n[general]\nverbose = print\n"))
	if _, ok := cfg.DefaultBackend(); ok {
		t.Error("an empty default_backend must not count")
	}
	if cfg.Verbose() != "print" {
		t.Error("verbose")
	}
	if v, ok := cfg.Get("GENERAL.Verbose"); !ok || v != "print" {
		t.Error("Get must be case-insensitive")
	}
}

// FuzzParseINI: Parse never panics; accepted documents give lower-case
// "section.option" keys, listed once each, and parsing is deterministic.
func FuzzParseINI(f *testing.F) {
	f.Add([]byte("[Connection]\ndefault_backend = openeo.cloud\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, k := range cfg.Keys() {
			if seen[k] || k != strings.ToLower(k) || !strings.Contains(k, ".") {
				t.Fatalf("bad key %q", k)
			}
			seen[k] = true
			if _, ok := cfg.Get(k); !ok {
				t.Fatalf("key %q has no value", k)
			}
		}
		again, err := Parse(data)
		if err != nil || !slices.Equal(again.Keys(), cfg.Keys()) {
			t.Fatal("not deterministic")
		}
		for _, k := range cfg.Keys() {
			a, _ := cfg.Get(k)
			b, _ := again.Get(k)
			if a != b {
				t.Fatal("not deterministic")
			}
		}
	})
}
