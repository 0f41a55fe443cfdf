package resources_test

import (
	"os"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// The CLI tests that terraform-plugin-testing cannot express (an explicit
// -parallelism, two Terraform runs on one file at the same time, TF_LOG=trace
// of Terraform and the provider) run the CLI through acctest.WorkDir: the
// provider binary built once per test binary, one plugin process per
// Terraform run, like two `terraform apply` on one machine.
func TestMain(m *testing.M) {
	code := m.Run()
	tfrun.Cleanup()
	os.Exit(code)
}
