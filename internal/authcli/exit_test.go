package authcli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// TestExitCodes pins the documented exit codes (docs/guides/openeo-auth.md).
func TestExitCodes(t *testing.T) {
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	bg := t.Context()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"ok", bg, nil, ExitOK},
		{"usage", bg, usagef("bad"), ExitUsage},
		{"file", bg, fmt.Errorf("x: %w", &authfiles.FileError{Kind: authfiles.ErrNotPrivate}), ExitFile},
		{"auth marker", bg, &authError{msg: "no"}, ExitAuth},
		{"needs login", bg, &flows.NeedsInteractiveLoginError{BackendURL: "https://x"}, ExitAuth},
		{"device timeout", bg, &flows.DeviceTimeoutError{}, ExitAuth},
		{"invalid_client", bg, &flows.OIDCError{Status: 401, Code: "invalid_client"}, ExitAuth},
		{"invalid_grant", bg, &flows.OIDCError{Status: 400, Code: "invalid_grant"}, ExitAuth},
		{"idp down", bg, &flows.OIDCError{Status: 503}, ExitError},
		{"credentials invalid", bg, &flows.APIError{Status: 403, Code: "CredentialsInvalid"}, ExitAuth},
		{"token invalid", bg, &flows.APIError{Status: 403, Code: "TokenInvalid"}, ExitAuth},
		{"back-end internal", bg, &flows.APIError{Status: 500, Code: "Internal"}, ExitError},
		{"no client", bg, &flows.ClientError{Message: "No client_id found."}, ExitError},
		{"interrupted", canceled, fmt.Errorf("poll: %w", context.Canceled), ExitInterrupted},
		{"other", bg, errors.New("boom"), ExitError},
	} {
		if got := exitCode(tc.ctx, tc.err); got != tc.want {
			t.Errorf("%s: exit code %d, want %d", tc.name, got, tc.want)
		}
	}
}
