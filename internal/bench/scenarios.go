package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// scenario is one comparison: N objects of ours against N terraform_data.
type scenario struct {
	// name is the key used in BENCH_SCENARIOS, the tables and the chart.
	name string
	// title describes both sides.
	title string
	// command is "plan" or "apply".
	command string
	// ours writes the configuration of our side for n objects; work is the
	// round's private folder (for files the configuration names).
	ours func(e *env, n int, work string) string
	// counts: the IdP and the back-end see this provider's requests.
	counts bool
	// ns are the object counts measured when BENCH_N is not set.
	ns []int
}

// env is what the configurations need to know about the rig.
type env struct {
	backendURL string
	client     client
}

var scenarios = []scenario{
	{
		name:    "data",
		title:   "terraform plan: N data \"openeo_account\" vs N resource \"terraform_data\"",
		command: "plan",
		counts:  true,
		ns:      []int{10, 100, 500, 1000},
		ours: func(e *env, n int, _ string) string {
			return providerBlock(e) + repeat(n, func(i int) string {
				return fmt.Sprintf("data \"openeo_account\" \"a%d\" {}\n", i)
			})
		},
	},
	{
		name:    "ephemeral",
		title:   "terraform plan: N ephemeral \"openeo_bearer_token\" vs N resource \"terraform_data\"",
		command: "plan",
		counts:  true,
		ns:      []int{10, 100, 500},
		ours: func(e *env, n int, _ string) string {
			return providerBlock(e) + repeat(n, func(i int) string {
				return fmt.Sprintf("ephemeral \"openeo_bearer_token\" \"t%d\" {}\n", i)
			})
		},
	},
	{
		name:    "apply",
		title:   "terraform apply: N resource \"openeo_auth_config_basic\" (one auth-config.json) vs N resource \"terraform_data\"",
		command: "apply",
		ns:      []int{10, 100, 500, 1000, 2000},
		ours: func(_ *env, n int, work string) string {
			file := filepath.Join(work, "openeo", "auth-config.json")
			return tfrun.RequiredProviders() + "provider \"openeo\" {}\n" + repeat(n, func(i int) string {
				return fmt.Sprintf(`resource "openeo_auth_config_basic" "b%[1]d" {
  file     = %[2]q
  url      = "https://backend-%[1]d.example.org"
  username = "user-%[1]d"
  password = "bench-password-%[1]d"
}
`, i, file)
			})
		},
	},
}

// baseline is N of Terraform's built-in terraform_data: no plugin process.
func baseline(n int) string {
	return repeat(n, func(i int) string {
		return fmt.Sprintf("resource \"terraform_data\" \"r%d\" {\n  input = %d\n}\n", i, i)
	})
}

// providerBlock is one provider configuration (client credentials; the
// secret comes from the environment, [settings.EnvAuthClientSecret]).
func providerBlock(e *env) string {
	return tfrun.RequiredProviders() + fmt.Sprintf(`provider "openeo" {
  url         = %q
  auth_method = "client_credentials"
  oidc {
    client_id = %q
  }
}
`, e.backendURL, e.client.ID)
}

func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(f(i))
	}
	return b.String()
}

func commandArgs(command string) []string {
	if command == "apply" {
		return []string{"apply", "-input=false", "-no-color", "-auto-approve"}
	}
	return []string{"plan", "-input=false", "-no-color"}
}
