// Package acctest holds provider factories and pre-checks for the Terraform
// CLI acceptance tests. Every CLI test goes through PreCheck (or Test), which
// skips with a message when TF_ACC is unset or no Terraform CLI is found, so
// that `go test ./...` passes on a machine without Terraform: a bare
// resource.UnitTest would exit the whole test binary instead.
package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
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

// TerraformPath returns the Terraform CLI the acceptance tests will use, or
// a reason why there is none.
func TerraformPath() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if !filepath.IsAbs(p) {
			return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH=%q is not an absolute path (terraform-plugin-testing needs one)", p)
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH=%q does not name a Terraform CLI binary", p)
		}
		return p, nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("no `terraform` on PATH and TF_ACC_TERRAFORM_PATH is unset")
	}
	return p, nil
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
	if _, err := TerraformPath(); err != nil {
		t.Skipf("Terraform CLI acceptance test skipped: %v. Install Terraform >= 1.11 (or set TF_ACC_TERRAFORM_PATH "+
			"to an absolute path) to run it.", err)
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
const BinaryProviderVersion = "0.0.1"

// BinaryProvider builds the provider (main.go) and installs it in a private
// filesystem mirror that TF_CLI_CONFIG_FILE points at, for tests that need
// Terraform's real process model: in-process providers are served once and
// shared by every provider block (alias) of a configuration, while Terraform
// starts a separate provider process per alias. Call it after PreCheck; use
// the result as TestCase.ExternalProviders. The built provider has no device
// flow (TF_IN_AUTOMATION is set).
func BinaryProvider(t *testing.T) map[string]resource.ExternalProvider {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	mirror := t.TempDir()
	dir := filepath.Join(mirror, "registry.terraform.io", "openeo-tf", "openeo", BinaryProviderVersion, runtime.GOOS+"_"+runtime.GOARCH)
	bin := filepath.Join(dir, "terraform-provider-openeo_v"+BinaryProviderVersion)
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	// IsolateEnv moved HOME: build with the real one, or Go would start
	// from an empty build cache.
	cmd.Env = testrig.GoCommandEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	rc := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/openeo-tf/openeo"]
  }
}
`, mirror)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	t.Setenv("TF_IN_AUTOMATION", "1")
	return map[string]resource.ExternalProvider{
		ProviderName: {Source: "registry.terraform.io/openeo-tf/openeo", VersionConstraint: BinaryProviderVersion},
	}
}

// moduleRoot is the folder of go.mod, found from the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
