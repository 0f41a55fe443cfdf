package authfiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/pyrepr"
)

// File and folder names used by the Python client.
const (
	AppName               = "openeo-python-client"
	AuthConfigFileName    = "auth-config.json"
	RefreshTokensFileName = "refresh-tokens.json"
)

// Env is the environment the Python client's file searches read (this
// package's folders and internal/clientconfig's candidates): the module's
// one description of the process environment. The zero value uses the
// process environment, the user's home directory, the current directory
// and the running OS; the provider passes its own per provider instance.
type Env struct {
	// LookupEnv returns an environment variable; nil means os.LookupEnv.
	LookupEnv func(key string) (string, bool)
	// HomeDir is the home directory. "" means $HOME ($USERPROFILE on
	// Windows) from LookupEnv, then os.UserHomeDir.
	HomeDir string
	// GOOS selects the platform rules: "windows", "darwin" or anything else
	// (Linux rules). "" means runtime.GOOS.
	GOOS string
	// WorkDir is the current directory, against which relative candidates
	// are taken; "" means os.Getwd.
	WorkDir string
}

// GetenvEnv is the Env of getenv, in which an empty value counts as unset
// (the provider's rule for every variable).
func GetenvEnv(getenv func(string) string) Env {
	return Env{LookupEnv: func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	}}
}

// Lookup returns an environment variable; ok is true when it is set (also
// to the empty string).
func (e Env) Lookup(key string) (string, bool) {
	if e.LookupEnv == nil {
		return os.LookupEnv(key)
	}
	return e.LookupEnv(key)
}

func (e Env) get(key string) string {
	v, _ := e.Lookup(key)
	return v
}

// Home is the home directory: HomeDir, else $HOME ($USERPROFILE on
// Windows), else os.UserHomeDir.
func (e Env) Home() string { return e.home() }

// WorkingDir is WorkDir, else the current directory ("" when unknown).
func (e Env) WorkingDir() string {
	if e.WorkDir != "" {
		return e.WorkDir
	}
	wd, _ := os.Getwd()
	return wd
}

func (e Env) goos() string {
	if e.GOOS != "" {
		return e.GOOS
	}
	return runtime.GOOS
}

func (e Env) home() string {
	if e.HomeDir != "" {
		return e.HomeDir
	}
	key := "HOME"
	if e.goos() == "windows" {
		key = "USERPROFILE"
	}
	if h := e.get(key); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// expandUser expands a leading "~" like Python's Path.expanduser ("~user"
// forms are left as they are). ok is false when the home directory is unknown.
func (e Env) expandUser(p string) (string, bool) {
	rest, found := strings.CutPrefix(p, "~")
	if !found {
		return p, true
	}
	if rest != "" && rest[0] != '/' && (e.goos() != "windows" || rest[0] != '\\') {
		return p, true
	}
	home := e.home()
	if home == "" {
		return "", false
	}
	return filepath.Join(home, rest), true
}

// dirCandidates builds Python's ordered candidate list (_get_user_dir).
// Empty variables count as unset, as in Python.
func dirCandidates(env Env, xdgVar, fallback, macFallback string) []string {
	var roots []string
	switch env.goos() {
	case "windows":
		roots = []string{env.get("APPDATA"), filepath.Join("~", "AppData", "Roaming"), fallback}
	case "darwin":
		roots = []string{env.get(xdgVar), macFallback, fallback}
	default:
		roots = []string{env.get(xdgVar), fallback}
	}
	var dirs []string
	if h := env.get("OPENEO_CONFIG_HOME"); h != "" {
		dirs = append(dirs, h) // used as-is: no "~" expansion, no app-name folder
	}
	for _, r := range roots {
		if r == "" {
			continue
		}
		if p, ok := env.expandUser(r); ok {
			dirs = append(dirs, filepath.Join(p, AppName))
		}
	}
	return dirs
}

// ConfigDirCandidates lists the config directories in priority order, as the
// Python client does (UserConfigDir uses only the first when
// $OPENEO_CONFIG_HOME is set): $OPENEO_CONFIG_HOME, then per platform $XDG_CONFIG_HOME (Linux, macOS) or
// %APPDATA% (Windows) plus the home fallbacks, each with the app-name folder.
func ConfigDirCandidates(env Env) []string {
	return dirCandidates(env, "XDG_CONFIG_HOME", "~/.config", "~/Library/Preferences")
}

// DataDirCandidates lists the data directories in priority order, like
// ConfigDirCandidates with $XDG_DATA_HOME, ~/.local/share and ~/Library.
// On Windows the list is %APPDATA%, ~\AppData\Roaming, then ~/.local/share
// (the Python code's fallback, so config and data share the first two).
func DataDirCandidates(env Env) []string {
	return dirCandidates(env, "XDG_DATA_HOME", "~/.local/share", "~/Library")
}

// UserConfigDir returns the config directory. When $OPENEO_CONFIG_HOME is set
// it is that folder, whether it exists or not (create=true creates it), so
// that both files always land together; see configHomeDir. Otherwise it is
// the highest-priority candidate that exists as a directory, else
// (create=true) the first one that can be created with mkdir -p, as the
// Python client does (but with mode 0700 where Python uses the default mode).
// With create=false nothing is created: the result is the candidate Python
// would create first, judged by its nearest existing parent being a directory
// (a permission problem then shows up at the first write).
func UserConfigDir(env Env, create bool) (string, error) {
	return pickDir(env, ConfigDirCandidates(env), create)
}

// UserDataDir is UserConfigDir for the data directory (refresh tokens).
func UserDataDir(env Env, create bool) (string, error) {
	return pickDir(env, DataDirCandidates(env), create)
}

func pickDir(env Env, dirs []string, create bool) (string, error) {
	if h := env.get("OPENEO_CONFIG_HOME"); h != "" {
		return configHomeDir(h, create)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d, nil
		}
	}
	var lastErr error
	for _, d := range dirs {
		if !create {
			if creatable(d) {
				return d, nil
			}
			continue
		}
		if err := os.MkdirAll(d, dirMode); err != nil {
			lastErr = err
			continue
		}
		return d, nil
	}
	quoted := make([]string, len(dirs))
	for i, d := range dirs {
		quoted[i] = pyrepr.String(d)
	}
	fe := &FileError{
		Op:   "resolve",
		Kind: ErrNoUserDir,
		Err:  lastErr,
		Msg:  fmt.Sprintf("Failed to find user dir for %s. Tried: [%s].", pyrepr.String(AppName), strings.Join(quoted, ", ")),
		Fix:  "Set OPENEO_CONFIG_HOME to a writable directory, or give the file path explicitly.",
	}
	if len(dirs) > 0 {
		fe.Path = dirs[0]
	}
	if lastErr != nil {
		fe.Msg = strings.TrimSuffix(fe.Msg, ".") + fmt.Sprintf(" (last error: %v).", lastErr)
	}
	return "", fe
}

// configHomeDir is the folder of both files when $OPENEO_CONFIG_HOME is set:
// that folder, used as-is, created when missing (create=true). Deliberate
// difference: the Python client prefers any existing lower-priority folder
// to a missing $OPENEO_CONFIG_HOME, separately for the config and the data
// folder, so that the two files can end up in different folders.
func configHomeDir(h string, create bool) (string, error) {
	fi, err := os.Stat(h)
	switch {
	case err == nil && fi.IsDir():
		return h, nil
	case err == nil:
		err = errors.New("not a directory")
	case errors.Is(err, fs.ErrNotExist) && !create:
		if creatable(h) {
			return h, nil
		}
		err = errors.New("its parent is not a directory")
	case errors.Is(err, fs.ErrNotExist):
		if err = os.MkdirAll(h, dirMode); err == nil {
			return h, nil
		}
	}
	return "", &FileError{
		Path: h, Op: "resolve", Kind: ErrNoUserDir, Err: err,
		Msg: fmt.Sprintf("OPENEO_CONFIG_HOME names %s, which is not a usable folder: %v.", pyrepr.String(h), err),
		Fix: "Set OPENEO_CONFIG_HOME to a folder that exists or can be created, or unset it to use the default folders.",
	}
}

// creatable reports whether MkdirAll(d) could plausibly succeed: the nearest
// existing ancestor is a directory.
func creatable(d string) bool {
	for p := filepath.Clean(d); ; {
		fi, err := os.Stat(p)
		if err == nil {
			return fi.IsDir()
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false
		}
		parent := filepath.Dir(p)
		if parent == p {
			return false
		}
		p = parent
	}
}

// ResolveFile returns path, or path/defaultName when path is an existing
// directory (Python's PrivateJsonFile does the same).
func ResolveFile(path, defaultName string) string {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return filepath.Join(path, defaultName)
	}
	return path
}

// DefaultAuthConfigPath returns <config dir>/auth-config.json, creating the
// config directory when none exists, exactly like the Python client.
func DefaultAuthConfigPath(env Env) (string, error) {
	return defaultPath(env, true, UserConfigDir, AuthConfigFileName)
}

// DefaultRefreshTokensPath returns <data dir>/refresh-tokens.json, creating
// the data directory when none exists, exactly like the Python client.
func DefaultRefreshTokensPath(env Env) (string, error) {
	return defaultPath(env, true, UserDataDir, RefreshTokensFileName)
}

// DefaultAuthConfigPathReadOnly is DefaultAuthConfigPath without creating
// anything: for read-only use (plans, data sources, "paths" output). It names
// the same file as long as no candidate directory appears in between.
func DefaultAuthConfigPathReadOnly(env Env) (string, error) {
	return defaultPath(env, false, UserConfigDir, AuthConfigFileName)
}

// DefaultRefreshTokensPathReadOnly is DefaultRefreshTokensPath without
// creating anything.
func DefaultRefreshTokensPathReadOnly(env Env) (string, error) {
	return defaultPath(env, false, UserDataDir, RefreshTokensFileName)
}

func defaultPath(env Env, create bool, dir func(Env, bool) (string, error), name string) (string, error) {
	d, err := dir(env, create)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, name), nil
}
