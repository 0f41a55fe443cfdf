package flows_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// A non-interactive session that uses a stored refresh token (or client
// credentials when OPENEO_AUTH_METHOD=client_credentials), like the Python
// client's authenticate_oidc().
func ExampleNewSession() {
	ctx := context.Background()
	s, err := flows.NewSession(ctx, flows.Config{
		BackendURL: "openeo.example.com",
		Method:     flows.MethodOIDC,
		// AuthConfig and RefreshTokens would come from the authfiles package.
		HTTP: flows.HTTPOptions{UserAgent: flows.UserAgent("1.0.0")},
	})
	if err != nil {
		log.Fatal(err)
	}
	acct, err := s.Account(ctx) // logs in lazily, renews as needed
	var needsLogin *flows.NeedsInteractiveLoginError
	switch {
	case errors.As(err, &needsLogin):
		fmt.Println(needsLogin) // names the `openeo-auth oidc-auth <url>` command to run
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(acct.UserID)
	}
}

// The device flow with a caller-supplied display.
func ExampleOIDCSettings_device() {
	cfg := flows.Config{
		BackendURL: "https://openeo.example.com",
		Method:     flows.MethodDeviceCode,
		OIDC: flows.OIDCSettings{
			AllowInteraction: true,
			Display: func(e flows.DeviceEvent) {
				if e.Status == flows.DevicePending {
					fmt.Println(e.Instructions)
				}
			},
		},
	}
	_, _ = flows.NewSession(context.Background(), cfg)
}
