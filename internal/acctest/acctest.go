// Package acctest holds provider factories and pre-checks for the Terraform
// CLI acceptance tests. Every CLI test goes through PreCheck (or Test), which
// skips with a message when TF_ACC is unset or no Terraform CLI is found, so
// that `go test ./...` passes on a machine without Terraform: a bare
// resource.UnitTest would exit the whole test binary instead.
package acctest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// ProviderName is the provider's local name in test configurations.
const ProviderName = provider.TypeName

// Factories returns provider factories for resource.TestCase: the openeo
// provider built with opts, plus the echo provider (for ephemeral values).
func Factories(opts provider.Options) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		ProviderName: providerserver.NewProtocol6WithError(provider.NewWithOptions("test", opts)()),
		"echo":       echoprovider.NewProviderServer(),
	}
}

// ProtoV6ProviderFactories are the default factories (real environment,
// real flows, no device code flow), including the echo provider.
var ProtoV6ProviderFactories = Factories(provider.Options{Interaction: NoInteraction})

// EnvVarsCleared are the variables IsolateEnv empties: the provider's own
// fallbacks (every environment variable of the settings table) and every
// variable that points the openEO client at files.
var EnvVarsCleared = envVarsCleared()

func envVarsCleared() []string {
	var out []string
	for _, f := range settings.Fields {
		if f.Env != "" && !slices.Contains(out, f.Env) {
			out = append(out, f.Env)
		}
	}
	return append(out, "OPENEO_CLIENT_CONFIG")
}

// Dirs are the private folders IsolateEnv points the openEO client at.
type Dirs struct {
	// ConfigHome is OPENEO_CONFIG_HOME: auth-config.json, refresh-tokens.json
	// and openeo-client-config.ini live here.
	ConfigHome string
}

// AuthConfigPath is the auth-config.json the provider uses by default.
func (d Dirs) AuthConfigPath() string { return filepath.Join(d.ConfigHome, "auth-config.json") }

// RefreshTokensPath is the refresh-tokens.json the provider uses by default.
func (d Dirs) RefreshTokensPath() string { return filepath.Join(d.ConfigHome, "refresh-tokens.json") }

// ClientConfigPath is the client config file found through OPENEO_CONFIG_HOME.
func (d Dirs) ClientConfigPath() string {
	return filepath.Join(d.ConfigHome, "openeo-client-config.ini")
}

// IsolateEnv keeps a test away from the developer's own openEO files and
// variables: it empties the OPENEO_* variables and points OPENEO_CONFIG_HOME,
// XDG_CONFIG_HOME, XDG_DATA_HOME and HOME at fresh temporary folders. It uses
// t.Setenv, so the test must not call t.Parallel.
func IsolateEnv(t testing.TB) Dirs {
	t.Helper()
	for _, v := range EnvVarsCleared {
		t.Setenv(v, "")
	}
	root := t.TempDir()
	d := Dirs{ConfigHome: filepath.Join(root, "openeo")}
	for _, dir := range []string{d.ConfigHome, filepath.Join(root, "xdg-config"), filepath.Join(root, "xdg-data"), filepath.Join(root, "home")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("OPENEO_CONFIG_HOME", d.ConfigHome)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "xdg-config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(root, "xdg-data"))
	// The Python client also looks for ~/.openeo-client-config.ini.
	t.Setenv("HOME", filepath.Join(root, "home"))
	return d
}

// PreCheck skips the test, with a message, unless TF_ACC is set and a
// Terraform CLI is found. It then points TF_CLI_CONFIG_FILE at an empty
// private file (a machine's own CLI config may name a missing file or a
// provider installation that would shadow the provider under test) and
// isolates the openEO environment (IsolateEnv). Tests using it must not call
// t.Parallel.
func PreCheck(t *testing.T) Dirs {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Terraform CLI acceptance test skipped: set TF_ACC=1 to run it (`make testacc` does)")
	}
	if _, err := tfrun.TerraformPath(); err != nil {
		t.Skipf("Terraform CLI acceptance test skipped: %v.", err)
	}
	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(cliConfig, []byte("# empty: provider tests use reattach\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	t.Setenv("CHECKPOINT_DISABLE", "1")
	return IsolateEnv(t)
}

// Test runs a CLI acceptance test case after PreCheck. It never reaches
// resource.Test (whose helper exits the process without a CLI) when the test
// skips.
func Test(t *testing.T, c resource.TestCase) {
	t.Helper()
	if c.PreCheck == nil {
		PreCheck(t)
	}
	resource.Test(t, c)
}

// HCLString quotes s as an HCL string literal.
func HCLString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "${", "$${", "%{", "%%{")
	return `"` + r.Replace(s) + `"`
}

// BinaryProviderVersion is the version the built provider is installed as.
const BinaryProviderVersion = tfrun.MirrorVersion

// BinaryProvider builds the provider (main.go) and installs it in a private
// filesystem mirror that TF_CLI_CONFIG_FILE points at (tfrun.Build with
// Install.MirrorOnly), for tests that need Terraform's real process model:
// in-process providers are served once and shared by every provider block
// (alias) of a configuration, while Terraform starts a separate provider
// process per alias. Call it after PreCheck; use the result as
// TestCase.ExternalProviders. The built provider has no device flow
// (TF_IN_AUTOMATION is set).
func BinaryProvider(t *testing.T) map[string]resource.ExternalProvider {
	t.Helper()
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	s, err := tfrun.Build(t.Context(), root, t.TempDir(), tfrun.Install{MirrorOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_CLI_CONFIG_FILE", s.CLIConfig)
	t.Setenv("TF_IN_AUTOMATION", "1")
	return map[string]resource.ExternalProvider{
		ProviderName: {Source: tfrun.Source(), VersionConstraint: BinaryProviderVersion},
	}
}
