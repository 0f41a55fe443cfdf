package acctest

// OpenTofu support for the CLI acceptance tests (`make testacc-tofu`).
//
// terraform-plugin-testing cannot tell OpenTofu from Terraform: `tofu version
// -json` reports OpenTofu's own version under "terraform_version", so
// tfversion.SkipBelow(tfversion.Version1_10_0) lets an ephemeral-resource test
// run on OpenTofu 1.10, which has no ephemeral resources. The checks below ask
// the binary itself (the first line of `<cli> version` is "OpenTofu vX.Y.Z"
// or "Terraform vX.Y.Z") and then compare the version against the minimum of
// that CLI.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// CLIKind names the command-line tool that runs the acceptance tests.
type CLIKind string

// The CLIs the acceptance tests know.
const (
	CLITerraform CLIKind = "Terraform"
	CLIOpenTofu  CLIKind = "OpenTofu"
)

// CLIInfo is what `<cli> version` says about the CLI the tests will run.
type CLIInfo struct {
	Path    string
	Kind    CLIKind
	Version *version.Version
}

type cliProbe struct {
	once sync.Once
	info CLIInfo
	err  error
}

// cliProbes caches one probe per binary path.
var cliProbes sync.Map

// DetectCLI runs `<cli> version` once for the binary the acceptance tests use
// (tfrun.TerraformPath: TF_ACC_TERRAFORM_PATH, else `terraform` on PATH) and
// reports whether it is Terraform or OpenTofu, and its version.
func DetectCLI(ctx context.Context) (CLIInfo, error) {
	path, err := tfrun.TerraformPath()
	if err != nil {
		return CLIInfo{}, err
	}
	v, _ := cliProbes.LoadOrStore(path, &cliProbe{})
	p, ok := v.(*cliProbe)
	if !ok {
		return CLIInfo{}, fmt.Errorf("internal error: unexpected probe cache entry %T", v)
	}
	p.once.Do(func() { p.info, p.err = probeCLI(ctx, path) })
	return p.info, p.err
}

// versionLine matches the version line of `<cli> version`. It is usually the
// first line, but OpenTofu prints warnings about the CLI configuration (e.g.
// a TF_CLI_CONFIG_FILE that does not exist) before it on stdout.
var versionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\S+)`)

func probeCLI(ctx context.Context, path string) (CLIInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "version")
	// No update check, and no warnings about a missing CLI config file.
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return CLIInfo{}, fmt.Errorf("running %s version: %w (stderr: %s)", path, err, strings.TrimSpace(stderr.String()))
	}
	m := versionLine.FindStringSubmatch(stdout.String())
	if m == nil {
		return CLIInfo{}, fmt.Errorf("%s version printed %q, expected a line \"Terraform vX.Y.Z\" or \"OpenTofu vX.Y.Z\"", path, stdout.String())
	}
	ver, err := version.NewVersion(m[2])
	if err != nil {
		return CLIInfo{}, fmt.Errorf("%s version: %w", path, err)
	}
	return CLIInfo{Path: path, Kind: CLIKind(m[1]), Version: ver}, nil
}

// IsOpenTofu reports whether the acceptance tests run under OpenTofu. It fails
// the test if the CLI cannot be probed; call it after PreCheck.
func IsOpenTofu(t *testing.T) bool {
	t.Helper()
	info, err := DetectCLI(t.Context())
	if err != nil {
		t.Fatalf("detecting the Terraform CLI: %v", err)
	}
	return info.Kind == CLIOpenTofu
}

// SkipBelowCLI returns a TerraformVersionCheck that skips the test when the
// CLI is Terraform older than terraform, or OpenTofu older than opentofu. A
// nil opentofu means OpenTofu lacks the feature: the test always skips there.
func SkipBelowCLI(terraform, opentofu *version.Version) tfversion.TerraformVersionCheck {
	return skipBelowCLI{terraform: terraform, opentofu: opentofu}
}

// SkipOnOpenTofu returns a TerraformVersionCheck that skips the test under
// OpenTofu, giving reason (e.g. "OpenTofu has no resource identity").
func SkipOnOpenTofu(reason string) tfversion.TerraformVersionCheck {
	return skipBelowCLI{reason: reason}
}

// The minimum CLI versions of features the provider uses.
var (
	// EphemeralResources: `ephemeral` blocks.
	EphemeralResources = SkipBelowCLI(tfversion.Version1_10_0, tfversion.Version1_11_0)
	// WriteOnlyAttributes: `*_wo` arguments.
	WriteOnlyAttributes = SkipBelowCLI(tfversion.Version1_11_0, tfversion.Version1_11_0)
	// ResourceIdentity: import by identity; OpenTofu has no resource identity.
	ResourceIdentity = SkipBelowCLI(tfversion.Version1_12_0, nil)
)

// CLISupports reports whether the CLI of the tests passes check (one of the
// gates above), for tests that run the CLI themselves instead of through
// resource.Test; when not, why says so. Call it after PreCheck.
func CLISupports(t *testing.T, check tfversion.TerraformVersionCheck) (ok bool, why string) {
	t.Helper()
	var resp tfversion.CheckTerraformVersionResponse
	check.CheckTerraformVersion(t.Context(), tfversion.CheckTerraformVersionRequest{}, &resp)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	return resp.Skip == "", resp.Skip
}

// RequireCLI skips the test unless the CLI passes every check; for tests
// that run the CLI themselves. Call it after PreCheck.
func RequireCLI(t *testing.T, checks ...tfversion.TerraformVersionCheck) {
	t.Helper()
	for _, c := range checks {
		if ok, why := CLISupports(t, c); !ok {
			t.Skip(why)
		}
	}
}

type skipBelowCLI struct {
	terraform, opentofu *version.Version
	reason              string // set: skip on OpenTofu with this reason
}

func (s skipBelowCLI) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	info, err := DetectCLI(ctx)
	if err != nil {
		resp.Error = fmt.Errorf("detecting the Terraform CLI: %w", err)
		return
	}
	// req.TerraformVersion comes from `version -json` of the same binary.
	got := info.Version
	if req.TerraformVersion != nil {
		got = req.TerraformVersion
	}
	minimum := s.terraform
	if info.Kind == CLIOpenTofu {
		if s.reason != "" {
			resp.Skip = "skipped under OpenTofu: " + s.reason
			return
		}
		if s.opentofu == nil {
			resp.Skip = fmt.Sprintf("skipped under OpenTofu %s: OpenTofu does not support this feature", got)
			return
		}
		minimum = s.opentofu
	}
	if minimum != nil && got.Core().LessThan(minimum) {
		resp.Skip = fmt.Sprintf("%s %s is below the minimum version %s for this test", info.Kind, got, minimum)
	}
}

// ephemeralBlock matches an `ephemeral "type" "name"` block in HCL.
var ephemeralBlock = regexp.MustCompile(`(?m)^\s*ephemeral\s+"`)

// openTofuListsEphemeralOpenBefore is the first OpenTofu release whose plan
// JSON no longer lists ephemeral resources.
var openTofuListsEphemeralOpenBefore = version.Must(version.NewVersion("1.12.0"))

// AdaptEphemeralSteps works around OpenTofu 1.11.x listing every ephemeral
// resource in the plan JSON with the action "open" (opentofu/opentofu#3781,
// changed in 1.12). terraform-plugin-testing counts that as a change and
// fails the step with "After applying this test step, the non-refresh plan
// was not empty". Under such an OpenTofu, each step whose Config has an
// ephemeral block gets ExpectNonEmptyPlan plus a plan check that still fails
// on any change other than an ephemeral "open". Under Terraform the steps are
// returned unchanged. Call it after PreCheck:
//
//	Steps: acctest.AdaptEphemeralSteps(t, resource.TestStep{...}),
func AdaptEphemeralSteps(t *testing.T, steps ...resource.TestStep) []resource.TestStep {
	t.Helper()
	info, err := DetectCLI(t.Context())
	if err != nil {
		t.Fatalf("detecting the Terraform CLI: %v", err)
	}
	if info.Kind != CLIOpenTofu || !info.Version.Core().LessThan(openTofuListsEphemeralOpenBefore) {
		return steps
	}
	out := make([]resource.TestStep, 0, len(steps))
	for _, s := range steps {
		if s.ImportState || s.ExpectNonEmptyPlan || s.ExpectError != nil || !ephemeralBlock.MatchString(s.Config) {
			out = append(out, s)
			continue
		}
		s.ExpectNonEmptyPlan = true
		s.ConfigPlanChecks.PostApplyPreRefresh = append(s.ConfigPlanChecks.PostApplyPreRefresh, ExpectEmptyPlanExceptEphemeral())
		s.ConfigPlanChecks.PostApplyPostRefresh = append(s.ConfigPlanChecks.PostApplyPostRefresh, ExpectEmptyPlanExceptEphemeral())
		out = append(out, s)
	}
	return out
}

// ExpectEmptyPlanExceptEphemeral is plancheck.ExpectEmptyPlan that ignores
// ephemeral resources (which OpenTofu 1.11 lists with the action "open").
func ExpectEmptyPlanExceptEphemeral() plancheck.PlanCheck { return expectEmptyExceptEphemeral{} }

type expectEmptyExceptEphemeral struct{}

func (expectEmptyExceptEphemeral) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan == nil {
		return
	}
	var errs []error
	for _, rc := range req.Plan.ResourceChanges {
		if rc == nil || rc.Change == nil || rc.Mode == "ephemeral" {
			continue
		}
		if !rc.Change.Actions.NoOp() {
			errs = append(errs, fmt.Errorf("expected an empty plan, but %s has planned action(s): %v", rc.Address, rc.Change.Actions))
		}
	}
	for name, oc := range req.Plan.OutputChanges {
		if oc != nil && !oc.Actions.NoOp() {
			errs = append(errs, fmt.Errorf("expected an empty plan, but output %q has planned action(s): %v", name, oc.Actions))
		}
	}
	resp.Error = errors.Join(errs...)
}
