package flows

import (
	"strings"

	version "github.com/hashicorp/go-version"
)

// CompareVersions compares two API versions by SemVer 2.0.0 precedence
// (hashicorp/go-version) and returns -1, 0 or 1. Missing minor or patch
// numbers count as 0 ("1.2" is 1.2.0) and a leading "v" is accepted. ok is
// false when either version does not parse.
func CompareVersions(a, b string) (c int, ok bool) {
	va, errA := version.NewSemver(strings.TrimSpace(a))
	vb, errB := version.NewSemver(strings.TrimSpace(b))
	if errA != nil || errB != nil {
		return 0, false
	}
	return va.Compare(vb), true
}

// atLeast1 reports whether v parses and is >= 1.0.0.
func atLeast1(v string) bool {
	c, ok := CompareVersions(v, "1.0.0")
	return ok && c >= 0
}
