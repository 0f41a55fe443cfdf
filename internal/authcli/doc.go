// Package authcli is the openeo-auth command: it bootstraps and inspects the
// openEO Python client's credential files (auth-config.json and
// refresh-tokens.json) without Python.
//
// The subcommands and their messages follow the Python client's openeo-auth
// (paths, config-dump, token-dump, token-clear, add-basic, add-oidc,
// oidc-auth), with the additions users asked for: client-credentials-test,
// token-exchange-test (the provider's token exchange, reported without
// tokens), logout, token (--output exec: the provider's exec credential
// helper) and --json output for every read command. The HTTP and OIDC
// work is done by package flows and the files are read and written by package
// authfiles, so the command writes exactly what the provider and the Python
// client read.
//
// Deliberate differences from the Python tool:
//   - back-end URLs are normalised like openeo.connect() before they become
//     auth-config.json keys ("https://" is added when there is no scheme, a
//     trailing "/" is removed); the Python tool stores the argument as typed,
//     so that openeo.connect() never finds entries written for "host.example";
//   - oidc-auth uses the provider and client the Terraform provider's "oidc"
//     method uses: explicit flags, else auth-config.json, else the
//     back-end's default client (Python openeo-auth #303). It runs the
//     device flow through the same flows.Session (Session.DeviceLogin) and
//     prints the session's own explanation of the choice
//     (GrantConfig.Selection); a confidential client also authenticates at
//     the device authorization endpoint (see package flows);
//   - logout --revoke revokes the refresh token at the identity provider
//     (RFC 7009) before deleting it locally; a failed revocation is a
//     warning (Python client issue #250 asks for a logout);
//   - the device flow status goes to stderr (redrawn with \r on a terminal),
//     and --timeout bounds the device flow;
//   - no prompt is ever shown when stdin is not a terminal: a missing value is
//     a usage error (exit code 2) that names the flag to use instead;
//   - secrets can come from stdin (--password-stdin, --client-secret-stdin) or
//     the environment ([settings.EnvAuthPassword], [settings.EnvAuthClientSecret]).
//
// Run is the whole command; Process carries stdin, stdout, stderr, the
// environment and the clock, so tests run commands in-process.
package authcli
