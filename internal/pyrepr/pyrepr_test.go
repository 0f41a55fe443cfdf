package pyrepr

import "testing"

// The expected values are what Python 3 prints for repr(...) of the same
// strings and lists.
func TestStringAndList(t *testing.T) {
	for in, want := range map[string]string{
		"openeo":   `'openeo'`,
		"it's":     `"it's"`,
		`a'b"c`:    `'a\'b"c'`,
		`C:\dir`:   `'C:\\dir'`,
		`it's \ x`: `"it's \\ x"`,
		"":         `''`,
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %s, want %s", in, got, want)
		}
	}
	if got := List([]string{"egi", "it's"}); got != `['egi', "it's"]` {
		t.Errorf("List = %s", got)
	}
	if got := List(nil); got != "[]" {
		t.Errorf("List(nil) = %s", got)
	}
}
