package testrig

import (
	"os"
	"slices"
	"strings"
)

// goLocations are the variables from which Go finds its module cache, build
// cache and settings file (GOMODCACHE via GOPATH or $HOME/go, GOCACHE via
// XDG_CACHE_HOME or $HOME/.cache, GOENV via XDG_CONFIG_HOME or
// $HOME/.config), as the process started, before a test moved them
// (acctest.IsolateEnv moves HOME and XDG_CONFIG_HOME).
var goLocations = func() map[string]*string {
	m := map[string]*string{}
	for _, k := range []string{"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"} {
		if v, ok := os.LookupEnv(k); ok {
			m[k] = &v
		} else {
			m[k] = nil
		}
	}
	return m
}()

// GoCommandEnv is the environment for a `go` command (or a script that runs
// one) started by a test: the current environment with the variables that
// locate Go's caches and settings as the process started. With a test's
// private HOME, Go would look for its caches under it and download and
// compile everything again, which takes minutes.
func GoCommandEnv() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		_, moved := goLocations[k]
		return moved
	})
	for k, v := range goLocations {
		if v != nil {
			env = append(env, k+"="+*v)
		}
	}
	return env
}
