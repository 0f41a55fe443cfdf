package datasources_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// fakeReporter records what expectErrorWithoutSecrets reports.
type fakeReporter struct{ errs []string }

func (f *fakeReporter) Helper()           {}
func (f *fakeReporter) Error(args ...any) { f.errs = append(f.errs, fmt.Sprint(args...)) }
func (f *fakeReporter) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// TestExpectErrorWithoutSecrets checks every branch of the ErrorCheck that
// replaces ExpectError in the wrong-credential tests, without a Terraform CLI:
// it must be able to fail.
func TestExpectErrorWithoutSecrets(t *testing.T) {
	const secret = "s3cret-Value-42"
	want := regexp.MustCompile(`Basic Authentication Failed`)
	for _, tc := range []struct {
		name       string
		err        error
		wantReturn bool   // the ErrorCheck returns an error (the step fails)
		wantReport string // the test is failed with this text ("" : not failed)
	}{
		{name: "clean match", err: errors.New("Error: Basic Authentication Failed\n\nCheck the user name")},
		{name: "no match", err: errors.New("Error: something else"), wantReturn: true},
		{name: "secret shown", err: errors.New("Error: Basic Authentication Failed: password " + secret),
			wantReturn: true, wantReport: "shows secret #2"},
		{name: "no error", err: nil, wantReturn: true, wantReport: "got none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := &fakeReporter{}
			errorCheck, check := expectErrorWithoutSecrets(rep, want, "other-secret", secret)
			got := errorCheck(tc.err)
			if (got != nil) != tc.wantReturn {
				t.Errorf("ErrorCheck returned %v, want an error: %v", got, tc.wantReturn)
			}
			reported := strings.Join(rep.errs, "\n")
			if tc.wantReport == "" && reported != "" {
				t.Errorf("the test was failed: %s", reported)
			}
			if tc.wantReport != "" && !strings.Contains(reported, tc.wantReport) {
				t.Errorf("reported %q, want it to contain %q", reported, tc.wantReport)
			}
			for _, s := range []string{reported, fmt.Sprint(got)} {
				if strings.Contains(s, secret) {
					t.Errorf("the secret is printed: %s", s)
				}
			}
			// terraform-plugin-testing never calls ErrorCheck without an
			// error: a step that succeeds reaches its Check, which fails.
			if err := check(nil); err == nil || !strings.Contains(err.Error(), "got none") {
				t.Errorf("Check after a successful apply = %v, want the no-error failure", err)
			}
		})
	}
}
