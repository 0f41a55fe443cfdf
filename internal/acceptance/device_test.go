package acceptance_test

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// terminalSession is the controlling terminal of one Terraform command: it
// records everything the provider writes to it and approves, as alice, each
// device login shown there, but only after the provider has polled the
// identity provider pollsBefore times for it (so that repeated polls are
// on the terminal when the test looks at it; 0 approves at once).
type terminalSession struct {
	transcript testrig.SyncBuffer
	prepare    func(*exec.Cmd)
	stop       func()
}

func newTerminalSession(t *testing.T, r *acctest.Rig, pollsBefore int) *terminalSession {
	t.Helper()
	master, slave, err := openPTY()
	if err != nil {
		t.Skipf("device code login needs a terminal for the provider: %v", err)
	}
	ts := &terminalSession{}
	codeRe := regexp.MustCompile(`user code '([A-Za-z0-9-]+)'`)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		approved := map[string]bool{}
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			if n > 0 {
				_, _ = ts.transcript.Write(buf[:n])
				text := ts.transcript.String()
				for _, m := range codeRe.FindAllStringSubmatchIndex(text, -1) {
					code := text[m[2]:m[3]]
					if approved[code] || strings.Count(text[m[1]:], string(flows.DevicePolling)) < pollsBefore {
						continue
					}
					approved[code] = true
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := r.IdP.ApproveDevice(t.Context(), code, testrig.Alice.Name, testrig.Alice.Password); err != nil {
							t.Errorf("approving device login %s: %v", code, err)
						}
					}()
				}
			}
			if err != nil {
				return
			}
		}
	}()
	ts.prepare = withTerminal(slave)
	ts.stop = func() {
		slave.Close()
		master.Close()
		wg.Wait()
	}
	return ts
}

// text is the transcript with the terminal's \r\n line ends turned into \n.
func (ts *terminalSession) text() string {
	return strings.ReplaceAll(ts.transcript.String(), "\r\n", "\n")
}

// TestDeviceLoginOnTerminal: auth_method "device_code" and "oidc" (without
// a stored token) in a real Terraform run with a controlling terminal show
// each login's instructions once, in both forms, and then one status line
// redrawn in place, however often the provider polls. The plan asks for one
// login; with device_code the apply asks in its plan phase and again in its
// apply phase (the ephemeral bearer token is opened in both), while oidc
// uses the refresh token stored by the first login: what the docs say.
func TestDeviceLoginOnTerminal(t *testing.T) {
	for _, method := range []string{"device_code", "oidc"} {
		t.Run(method, func(t *testing.T) {
			r := acctest.RigPreCheck(t)
			acctest.RequireCLI(t, acctest.EphemeralResources, acctest.WriteOnlyAttributes)
			client := r.IdP.RegisterClient(t, testrig.ClientSpec{Public: true})
			d := acctest.NewWorkDir(t, r.Dirs, fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = %q
  oidc {
    client_id = %s
  }
}
`, q(r.Backend.URL()), method, q(client.ID))+accountAndTokenChain(r.Backend.URL()))

			run := func(args ...string) *terminalSession {
				t.Helper()
				ts := newTerminalSession(t, r, 3)
				res := d.Setup.Run(testrig.Context(t), tfrun.Cmd{Dir: d.Dir, Args: args,
					Env: append(append([]string(nil), d.Env...), "TF_IN_AUTOMATION="), Prepare: ts.prepare})
				ts.stop()
				noCrash(t, strings.Join(args, " "), res.Output)
				if res.Err != nil {
					t.Fatalf("terraform %s: %v\n%s\nterminal:\n%q", strings.Join(args, " "), res.Err, res.Output, ts.text())
				}
				return ts
			}
			before := r.IdP.Stats(t, client.ID).DeviceRequests
			ts := run("plan", "-input=false", "-no-color")
			logins := r.IdP.Stats(t, client.ID).DeviceRequests - before
			if logins != 1 {
				t.Fatalf("the plan started %d device logins, want 1", logins)
			}
			checkTerminal(t, ts.text(), 1)

			// The apply plans again (a new login) and opens the ephemeral
			// token again in its apply phase (another one) with
			// device_code; oidc uses the refresh token the plan stored.
			before = r.IdP.Stats(t, client.ID).DeviceRequests
			ts = run("apply", "-input=false", "-no-color", "-auto-approve")
			logins = r.IdP.Stats(t, client.ID).DeviceRequests - before
			want := map[string]int{"device_code": 2, "oidc": 0}[method]
			t.Logf("%s: the apply asked for %d device logins", method, logins)
			if logins != want {
				t.Fatalf("the apply started %d device logins, want %d", logins, want)
			}
			if want > 0 {
				checkTerminal(t, ts.text(), want)
			} else if text := ts.text(); text != "" {
				t.Errorf("the apply wrote to the terminal without a login: %q", text)
			}
		})
	}
}

const deviceIntro = "openEO (terraform-provider-openeo): log in to continue."

var statusDraw = regexp.MustCompile(`^\[[#-]{30}\] (` + strings.Join([]string{string(flows.DevicePending),
	string(flows.DevicePolling), string(flows.DeviceSlowDown), string(flows.DeviceAuthorized)}, "|") + `) \(\d+:\d\d / \d+:\d\d\) *$`)

// checkTerminal checks the terminal of a run with logins device logins:
// per login the intro, the two instruction lines and the waiting line once,
// then one line of \r-redrawn status texts that ends authorised.
func checkTerminal(t *testing.T, text string, logins int) {
	t.Helper()
	for _, want := range []string{deviceIntro, " to authenticate.",
		"(Or visit ", "and enter user code '", "Waiting up to 5:00 for the login"} {
		if n := strings.Count(text, want); n != logins {
			t.Errorf("%q appears %d times on the terminal, want %d:\n%q", want, n, logins, text)
		}
	}
	if n := strings.Count(text, string(flows.DevicePolling)); n < 3 {
		t.Errorf("the terminal shows %d polls: the test must see repeated polls:\n%q", n, text)
	}
	blocks := strings.Split(text, "\n"+deviceIntro+"\n")
	if len(blocks) != logins+1 || blocks[0] != "" {
		t.Fatalf("the terminal shows %d logins, or something before the first:\n%q", len(blocks)-1, text)
	}
	for i, b := range blocks[1:] {
		// Visit, (Or visit, Waiting, the status line, and "" after its \n.
		block := strings.Split(b, "\n")
		if len(block) != 5 || block[4] != "" {
			t.Errorf("login %d: %d lines on the terminal, want 4: %q", i+1, len(block)-1, b)
			continue
		}
		if !strings.HasPrefix(block[0], "Visit http") || !strings.Contains(block[0], "user_code=") ||
			!strings.HasPrefix(block[1], "(Or visit http") {
			t.Errorf("login %d: instructions %q", i+1, block[:2])
		}
		status := block[3]
		if !strings.HasPrefix(status, "\r") {
			t.Errorf("login %d: the status line is not redrawn in place: %q", i+1, status)
		}
		draws := strings.Split(strings.TrimPrefix(status, "\r"), "\r")
		for _, d := range draws {
			if !statusDraw.MatchString(d) {
				t.Errorf("login %d: status text %q is not a status line", i+1, d)
			}
		}
		if last := draws[len(draws)-1]; !strings.Contains(last, string(flows.DeviceAuthorized)) {
			t.Errorf("login %d: the status line ends with %q, want %q", i+1, last, flows.DeviceAuthorized)
		}
	}
}

// TestDeviceCodeWhereNobodyCanAnswer: auth_method "device_code" under
// TF_IN_AUTOMATION fails at once, and the message does not send people to a
// stored token that device_code would never read: it says to store one and
// switch to a method that reads it.
func TestDeviceCodeWhereNobodyCanAnswer(t *testing.T) {
	r := acctest.RigPreCheck(t)
	client := r.IdP.RegisterClient(t, testrig.ClientSpec{Public: true})
	d := acctest.NewWorkDir(t, r.Dirs, fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "device_code"
  oidc {
    client_id = %s
  }
}

data "openeo_account" "me" {}
`, q(r.Backend.URL()), q(client.ID)))
	res := d.Run([]string{"TF_IN_AUTOMATION=1"}, "plan", "-input=false", "-no-color")
	noCrash(t, "plan", res.Output)
	if res.Err == nil {
		t.Fatalf("the plan succeeded:\n%s", res.Output)
	}
	text := strings.Join(strings.Fields(strings.ReplaceAll(errorBlocks(res.Output), "│", " ")), " ")
	for _, want := range []string{"Error: Interactive OIDC Login Required",
		"auth_method \"device_code\" always asks for a new login: it never reads stored refresh tokens.",
		"Run `openeo-auth oidc-auth " + r.Backend.URL() + " --client-id " + client.ID + "` in a terminal to log in once and store a refresh token",
		"then set auth_method = \"oidc\" (or \"refresh_token\") in the provider block and run Terraform again"} {
		if !strings.Contains(text, want) {
			t.Errorf("the error lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "no usable refresh token was found") {
		t.Errorf("the error speaks of a stored token device_code never reads:\n%s", text)
	}
	if n := r.IdP.Stats(t, client.ID).DeviceRequests; n != 0 {
		t.Errorf("%d device logins started where nobody can answer", n)
	}
}
