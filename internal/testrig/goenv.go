package testrig

import "os"

// originalHome is HOME as the process started, before a test moved it (acctest.IsolateEnv).
var originalHome = os.Getenv("HOME")

// GoCommandEnv is the environment for a `go` command (or a script that runs one) started by a
// test: the current environment with HOME as the process started. Tests move HOME to a private
// folder; with that HOME, Go would look for its module and build caches under it and download and
// compile everything again, which takes minutes.
func GoCommandEnv() []string {
	return append(os.Environ(), "HOME="+originalHome)
}
