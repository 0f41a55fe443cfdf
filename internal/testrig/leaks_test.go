package testrig

import (
	"strings"
	"testing"
)

func TestFindSecretsInEveryEncoding(t *testing.T) {
	const secret = "pw with/space&amp"
	for enc, form := range SecretEncodings(secret) {
		text := "before " + form + " after"
		leaks := FindSecrets(text, "absent-secret", secret)
		if len(leaks) != 1 || leaks[0].Secret != secret {
			t.Errorf("%s form %q: found %+v, want the secret", enc, form, leaks)
			continue
		}
		if strings.Contains(leaks[0].Near, form) || !strings.Contains(leaks[0].Near, "<<SECRET>>") {
			t.Errorf("%s: Near shows the secret: %q", enc, leaks[0].Near)
		}
		if err := SecretFree("the log", text, secret); err == nil || strings.Contains(err.Error(), form) {
			t.Errorf("%s: SecretFree = %v, want an error without the secret", enc, err)
		}
	}
	if err := SecretFree("the log", "nothing here", secret, ""); err != nil {
		t.Errorf("SecretFree of a clean text: %v", err)
	}
}
