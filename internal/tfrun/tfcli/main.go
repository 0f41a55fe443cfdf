// Command tfcli is the Terraform CLI driver (package tfrun) for shell
// scripts, so that `make demo` and `make examples-check` find the CLI, build
// the provider and write the private CLI configuration the same way the tests
// and the bench do:
//
//	tfcli path                                   print the CLI tfrun.TerraformPath names
//	tfcli setup -dir D [-mirror] [-implied]      build the provider into D and write D/terraformrc
//	tfcli run -setup D [-chdir W] ARGS...        run `terraform ARGS...` with the setup in D
//	tfcli examples-check FOLDER                  terraform fmt -check, then validate every folder with *.tf
//
// run passes stdout and stderr through and exits with Terraform's exit
// status. Terraform sees tfrun's base environment (no TF_* or OPENEO_*
// variable of the caller, the setup's TF_CLI_CONFIG_FILE, a private plugin
// socket folder) plus the caller's TF_VAR_*, TF_LOG* and OPENEO_* variables:
// the script decides the configuration's inputs and the provider's settings,
// the driver the CLI's installation and setup.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: tfcli path | setup -dir D [-mirror] [-implied] | run -setup D [-chdir W] ARGS... | examples-check FOLDER`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "tfcli %s: %v\n", args[0], err)
		return 1
	}
	fs := flag.NewFlagSet("tfcli "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	switch args[0] {
	case "path":
		p, err := tfrun.TerraformPath()
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, p)
		return 0
	case "setup":
		dir := fs.String("dir", "", "folder for the provider binary and the CLI configuration")
		mirror := fs.Bool("mirror", false, "add a filesystem mirror, for terraform init")
		implied := fs.Bool("implied", false, "also install the binary as hashicorp/openeo (configurations without required_providers)")
		if err := fs.Parse(args[1:]); err != nil || *dir == "" || fs.NArg() != 0 {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		root, err := tfrun.ModuleRoot()
		if err != nil {
			return fail(err)
		}
		if _, err := tfrun.Build(ctx, root, *dir, tfrun.Install{Mirror: *mirror, Implied: *implied}); err != nil {
			return fail(err)
		}
		return 0
	case "run":
		dir := fs.String("setup", "", "folder of an earlier `tfcli setup`")
		chdir := fs.String("chdir", "", "working directory of the command (default: the current one)")
		if err := fs.Parse(args[1:]); err != nil || *dir == "" || fs.NArg() == 0 {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		s, err := tfrun.Open(*dir)
		if err != nil {
			return fail(err)
		}
		res := s.Run(ctx, tfrun.Cmd{Dir: *chdir, Args: fs.Args(), Env: passedEnv(), Poll: -1, Stdout: stdout, Stderr: stderr})
		return exitCode(res.Err, stderr)
	case "examples-check":
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		return examplesCheck(ctx, fs.Arg(0), stdout, stderr)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
}

// passedEnv are the caller's variables that reach Terraform and the
// provider: input variables, log settings and the provider's own settings.
func passedEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return !strings.HasPrefix(kv, "TF_VAR_") && !strings.HasPrefix(kv, "TF_LOG") && !strings.HasPrefix(kv, "OPENEO_")
	})
}

// exitCode is Terraform's exit status; other errors are reported.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() > 0 {
		return exit.ExitCode()
	}
	fmt.Fprintf(stderr, "tfcli: %v\n", err)
	return 1
}

// examplesCheck is `make examples-check`: `terraform fmt -check` of folder,
// then `terraform validate` of every folder below it that holds *.tf files,
// against the provider built from this checkout (dev_overrides, also for the
// implied hashicorp/openeo of examples without required_providers), with a
// private TF_DATA_DIR each, so nothing is written into the repository and no
// registry is contacted. Examples may use only the openeo provider and
// built-in resources: anything else would need `terraform init`.
func examplesCheck(ctx context.Context, folder string, stdout, stderr io.Writer) int {
	say := func(format string, a ...any) { fmt.Fprintf(stderr, "examples-check: "+format+"\n", a...) }
	if _, err := tfrun.TerraformPath(); err != nil {
		if os.Getenv("CI") != "" {
			say("%v; CI must run this check with a Terraform CLI.", err)
			return 1
		}
		say("skipped: %v.", err)
		return 0
	}
	if st, err := os.Stat(folder); err != nil || !st.IsDir() {
		say("no %s/ folder", folder)
		return 1
	}
	scratch, err := os.MkdirTemp("", "openeo-examples-check-")
	if err != nil {
		say("%v", err)
		return 1
	}
	defer os.RemoveAll(scratch)
	root, err := tfrun.ModuleRoot()
	if err != nil {
		say("%v", err)
		return 1
	}
	say("building the provider")
	s, err := tfrun.Build(ctx, root, scratch, tfrun.Install{Implied: true})
	if err != nil {
		say("%v", err)
		return 1
	}
	say("terraform fmt -check")
	fmtRes := s.Run(ctx, tfrun.Cmd{Args: []string{"fmt", "-check", "-recursive", "-diff", folder}, Poll: -1, Stdout: stdout, Stderr: stderr})
	if fmtRes.Err != nil {
		say("run 'terraform fmt -recursive %s/' (or 'make docs').", folder)
		return 1
	}
	dirs, err := exampleFolders(folder)
	if err != nil {
		say("%v", err)
		return 1
	}
	if len(dirs) == 0 {
		say("no *.tf files under %s/", folder)
		return 1
	}
	failed := false
	for i, dir := range dirs {
		res := s.Run(ctx, tfrun.Cmd{Dir: dir, Args: []string{"validate", "-no-color"}, Poll: -1,
			Env: []string{"TF_DATA_DIR=" + filepath.Join(scratch, "data", strconv.Itoa(i+1))}})
		if res.Err == nil {
			fmt.Fprintf(stderr, "ok   %s\n", dir)
			continue
		}
		failed = true
		fmt.Fprintf(stderr, "FAIL %s\n", dir)
		// The dev_overrides warning is expected; show only the errors.
		if i := strings.Index(res.Output, "Error"); i >= 0 {
			for _, line := range strings.Split(strings.TrimRight(res.Output[i:], "\n"), "\n") {
				fmt.Fprintf(stderr, "     %s\n", line)
			}
		} else {
			fmt.Fprintf(stderr, "     %v\n", res.Err)
		}
	}
	if failed {
		say("some examples do not validate")
		return 1
	}
	say("%d example folders formatted and valid", len(dirs))
	return 0
}

// exampleFolders are the folders below root that hold *.tf files (not in
// .terraform or .demo folders), sorted.
func exampleFolders(root string) ([]string, error) {
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform" || d.Name() == ".demo") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".tf") {
			seen[filepath.Dir(p)] = true
		}
		return nil
	})
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	return dirs, err
}
