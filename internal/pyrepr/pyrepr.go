// Package pyrepr writes values the way Python's repr() does, for messages
// that match the openEO Python client's word for word (a provider id list,
// a folder in an error). Plain Go, no other imports of this module.
package pyrepr

import "strings"

// String quotes s like Python's repr of a str: single quotes, unless s
// contains a single quote and no double quote; backslashes and the chosen
// quote escaped.
func String(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"`
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

// List is Python's repr of a list of str: ['a', 'b'].
func List(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = String(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
