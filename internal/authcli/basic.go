package authcli

import (
	"context"
	"errors"
	"fmt"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

var addBasicCommand = &command{
	name:    "add-basic",
	args:    "<backend>",
	summary: "add basic auth credentials for a back-end to the auth config",
	help: `Stores a user name and password for a back-end in auth-config.json (the Python
client's authenticate_basic() and the provider's "basic" method read them).
The credentials are tried at the back-end first unless --no-try is given.

The back-end URL is normalised like openeo.connect(): "https://" is added when
there is no scheme and a trailing "/" is removed (the Python tool stores the
URL as typed, which openeo.connect() then does not find).

The password comes from --password-stdin, --password, $` + settings.EnvAuthPassword + ` or
a prompt without echo (only when stdin is a terminal). An empty password keeps
a stored one, like the Python tool.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("add-basic")
		username := fl.String("username", "", "user name (prompted for when not given)")
		password := fl.String("password", "", "password (visible in ps; prefer --password-stdin or "+settings.EnvAuthPassword+")")
		passwordStdin := fl.Bool("password-stdin", false, "read the password from stdin")
		noTry := fl.Bool("no-try", false, "store the credentials without trying them")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
		}
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		ac, err := a.authConfig()
		if err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Will add basic auth config for backend URL %s\n", quote(b.url))
		fmt.Fprintf(a.out, "to config file: %s\n", quote(ac.Path()))
		a.warnForeignKey(ac, b)

		pw, havePW, err := a.resolveSecret(secretSource{flagName: "password", setting: settings.BasicPassword, plain: *password, fromStdin: *passwordStdin})
		if err != nil {
			return err
		}
		user := *username
		if user == "" {
			if !a.interactive() {
				return a.needFlag("a user name", "--username")
			}
			if user, err = a.prompt("Enter username and press enter: "); err != nil {
				return err
			}
			if user == "" {
				return usagef("the user name is empty")
			}
		}
		if !havePW {
			if !a.interactive() {
				return a.needFlag("a password", "--password-stdin or "+settings.EnvAuthPassword)
			}
			if pw, err = a.promptSecret("Enter password and press enter: "); err != nil {
				return err
			}
		}

		if !*noTry {
			fmt.Fprintf(a.out, "Trying to authenticate with %s\n", quote(b.url))
			c := a.client()
			root, err := c.ResolveRoot(ctx, b.url)
			if err != nil {
				return err
			}
			caps, err := c.Capabilities(ctx, root, "")
			if err != nil {
				return err
			}
			if _, err := c.BasicAccessToken(ctx, caps, user, pw); err != nil {
				var apiErr *flows.APIError
				if errors.As(err, &apiErr) && (apiErr.Status == 401 || apiErr.Status == 403) {
					return &authError{msg: fmt.Sprintf("the back-end did not accept the credentials of %s (nothing was saved; "+
						"--no-try stores them without this check)", quote(user)), err: err}
				}
				return err
			}
			fmt.Fprintf(a.out, "Successfully authenticated %s\n", quote(user))
		}
		if err := ac.SetBasic(b.url, user, pw); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Saved credentials to %s\n", quote(ac.Path()))
		return nil
	},
}
