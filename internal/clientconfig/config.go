// Package clientconfig reads the openEO Python client's general config file,
// openeo-client-config.ini (default back-end and auto-authentication), with
// the Python client's search order and configparser semantics.
package clientconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
)

// FileName is the config file's name in the working directory and in
// $OPENEO_CONFIG_HOME and $XDG_CONFIG_HOME/openeo-python-client.
const FileName = "openeo-client-config.ini"

// HomeFileName is the config file's name in the home directory.
const HomeFileName = ".openeo-client-config.ini"

const appName = "openeo-python-client"

// Env is what Load reads: the environment of the Python client's file
// searches, one type with internal/authfiles (LookupEnv, HomeDir, WorkDir;
// the zero value uses the process environment, the home directory and the
// current directory).
type Env = authfiles.Env

// Warning reports a candidate file that was skipped or could not be used.
type Warning struct {
	Path string
	Err  error
}

func (w Warning) String() string {
	return fmt.Sprintf("openEO client config '%s': %v", w.Path, w.Err)
}

// Config is the flattened content of one INI file: keys "section.option",
// lower-cased, with raw string values (after %-interpolation).
type Config struct {
	source   string
	keys     []string
	values   map[string]string
	warnings []Warning
}

// Candidates returns the search order of the Python client's ConfigLoader:
//  1. $OPENEO_CLIENT_CONFIG (if set),
//  2. ./openeo-client-config.ini,
//  3. $OPENEO_CONFIG_HOME/openeo-client-config.ini (if set),
//  4. $XDG_CONFIG_HOME/openeo-python-client/openeo-client-config.ini (if set),
//  5. ~/.openeo-client-config.ini.
//
// As in Python, "set" includes set to the empty string; relative paths are
// taken relative to the working directory.
func Candidates(env Env) []string {
	wd := env.WorkingDir()
	abs := func(p string) string {
		if filepath.IsAbs(p) || wd == "" {
			return filepath.Clean(p)
		}
		return filepath.Join(wd, p)
	}
	var out []string
	if v, ok := env.Lookup("OPENEO_CLIENT_CONFIG"); ok {
		out = append(out, abs(v))
	}
	out = append(out, abs(FileName))
	if v, ok := env.Lookup("OPENEO_CONFIG_HOME"); ok {
		out = append(out, abs(filepath.Join(v, FileName)))
	}
	if v, ok := env.Lookup("XDG_CONFIG_HOME"); ok {
		out = append(out, abs(filepath.Join(v, appName, FileName)))
	}
	if h := env.Home(); h != "" {
		out = append(out, filepath.Join(h, HomeFileName))
	}
	return out
}

// pySuffix is Python's PurePath.suffix.
func pySuffix(path string) string {
	name := filepath.Base(path)
	i := strings.LastIndex(name, ".")
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return name[i:]
}

// Load finds and reads the config like the Python client: the first
// candidate that exists and whose name ends in ".ini" (any case) is read;
// a candidate that fails to parse is skipped (reported in Warnings) and the
// search goes on. Only one file is used. A candidate that exists but cannot
// be read (a directory, no permission) ends the search with an empty config,
// because Python's configparser silently ignores unreadable files; that is
// reported in Warnings too. The error is reserved for future use and is
// currently always nil.
func Load(env Env) (*Config, error) {
	cfg := &Config{values: map[string]string{}}
	for _, path := range Candidates(env) {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		if !strings.EqualFold(pySuffix(path), ".ini") {
			cfg.warnings = append(cfg.warnings, Warning{Path: path,
				Err: errors.New("skipped: the file name does not end in .ini")})
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			cfg.warnings = append(cfg.warnings, Warning{Path: path,
				Err: fmt.Errorf("cannot be read (%w); like the Python client, no client config is used. Fix its permissions or remove it", err)})
			return cfg, nil
		}
		keys, values, err := parseINI(data)
		if err != nil {
			cfg.warnings = append(cfg.warnings, Warning{Path: path,
				Err: fmt.Errorf("skipped, it does not parse: %w. Fix the file (a literal %% must be written %%%%) or remove it", err)})
			continue
		}
		cfg.source, cfg.keys, cfg.values = path, keys, values
		return cfg, nil
	}
	return cfg, nil
}

// Parse reads one INI document with configparser semantics (for tests and
// for callers that have the bytes already). Source is empty.
func Parse(data []byte) (*Config, error) {
	keys, values, err := parseINI(data)
	if err != nil {
		return nil, err
	}
	return &Config{keys: keys, values: values}, nil
}

// Source is the path of the file that was loaded, or "" when none was.
func (c *Config) Source() string { return c.source }

// Warnings lists skipped or unusable candidates, in search order.
func (c *Config) Warnings() []Warning { return c.warnings }

// Keys lists the keys in file order.
func (c *Config) Keys() []string { return append([]string(nil), c.keys...) }

// Get returns the value of a key such as "connection.default_backend"
// (case-insensitive, like the Python client).
func (c *Config) Get(key string) (string, bool) {
	v, ok := c.values[strings.ToLower(key)]
	return v, ok
}

// DefaultBackend returns connection.default_backend; ok is false when it is
// missing or empty (Python only uses a non-empty value).
func (c *Config) DefaultBackend() (string, bool) {
	v, _ := c.Get("connection.default_backend")
	return v, v != ""
}

// AutoAuthenticate returns "basic", "oidc" or "" (no auto-authentication)
// like openeo.connect(): when forDefaultBackend (the URL came from
// connection.default_backend), connection.default_backend.auto_authenticate
// applies first; otherwise, or when that gives nothing,
// connection.auto_authenticate applies. Values are case-insensitive; any
// other value (e.g. "off") means none.
func (c *Config) AutoAuthenticate(forDefaultBackend bool) string {
	m, _, _ := c.AutoAuthenticateSetting(forDefaultBackend)
	return m
}

// AutoAuthenticateSetting is [Config.AutoAuthenticate] with the key that
// decided it: the first of the keys (as in AutoAuthenticate) whose value is
// "basic" or "oidc", else the first one set to anything else (auto
// authentication off: m is ""). set is false when neither key has a value.
func (c *Config) AutoAuthenticateSetting(forDefaultBackend bool) (m, key string, set bool) {
	keys := []string{"connection.auto_authenticate"}
	if forDefaultBackend {
		keys = []string{"connection.default_backend.auto_authenticate", "connection.auto_authenticate"}
	}
	off := ""
	for _, k := range keys {
		v, _ := c.Get(k)
		if m := authMethod(strings.TrimSpace(v), true); m != "" {
			return m, k, true
		}
		if strings.TrimSpace(v) != "" && off == "" {
			off = k
		}
	}
	return "", off, off != ""
}

func authMethod(v string, _ bool) string {
	switch m := strings.ToLower(v); m {
	case "basic", "oidc":
		return m
	}
	return ""
}

// Verbose returns general.verbose ("print", "auto" or "off"), "auto" when unset.
func (c *Config) Verbose() string {
	if v, ok := c.Get("general.verbose"); ok {
		return v
	}
	return "auto"
}
