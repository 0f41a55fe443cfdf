package acctest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// Basic credentials of the test back-end's users (distinct strings, so that
// tests can look for them in state files and output).
const (
	BasicUser      = "alice"
	BasicPassword  = "alice-basic-Pw-7f3c"
	BasicUser2     = "bob"
	BasicPassword2 = "bob-basic-Pw-91ad"
)

// ProviderID is the id under which the test back-end lists the test IdP.
const ProviderID = "testidp"

// Rig is the test IdP plus an in-process openEO test back-end that lists it.
type Rig struct {
	IdP     *testrig.OpenIDProvider
	Backend *testbackend.Server
	// Client is a confidential client registered for this test (all grants).
	Client testrig.Client
	// Dirs are the isolated openEO folders (OPENEO_CONFIG_HOME).
	Dirs Dirs
}

// RigPreCheck is PreCheck plus the rig: it skips without TF_ACC, without a
// Terraform CLI, or without the test IdP, and starts a back-end configured
// by mods (basic users alice and bob, the IdP as provider "testidp").
func RigPreCheck(t *testing.T, mods ...func(*testbackend.Config)) *Rig {
	t.Helper()
	dirs := PreCheck(t)
	return newRig(t, dirs, mods...)
}

// NewRigNoCLI starts the rig for tests that drive the provider without a
// Terraform CLI. It skips without the test IdP.
func NewRigNoCLI(t *testing.T, mods ...func(*testbackend.Config)) *Rig {
	t.Helper()
	return newRig(t, IsolateEnv(t), mods...)
}

func newRig(t *testing.T, dirs Dirs, mods ...func(*testbackend.Config)) *Rig {
	t.Helper()
	idp := testrig.IdP(t)
	cfg := testbackend.Config{
		ID:         "openeo-tf-test",
		Title:      "openEO test back-end",
		BasicUsers: map[string]string{BasicUser: BasicPassword, BasicUser2: BasicPassword2},
		Providers:  []testbackend.Provider{testbackend.ProviderFor(ProviderID, idp.Issuer())},
	}
	for _, m := range mods {
		m(&cfg)
	}
	if testing.Verbose() && cfg.Log == nil {
		cfg.Log = testbackend.TestLog(t)
	}
	be := testbackend.Start(t, cfg)
	cl := idp.RegisterClient(t, testrig.ClientSpec{})
	return &Rig{IdP: idp, Backend: be, Client: cl, Dirs: dirs}
}

// NoInteraction never allows the device code flow (as on a CI runner).
func NoInteraction() (func(pd.DeviceEvent), bool) { return nil, false }

// ApproveAs returns an Interaction that approves every device flow at the
// test IdP as user, without a browser.
func (r *Rig) ApproveAs(t *testing.T, user testrig.User) pd.Interaction {
	return func() (func(pd.DeviceEvent), bool) {
		var once sync.Once
		return func(ev pd.DeviceEvent) {
			if ev.UserCode == "" {
				return
			}
			once.Do(func() {
				go func() {
					if err := r.IdP.ApproveDevice(t.Context(), ev.UserCode, user.Name, user.Password); err != nil {
						t.Errorf("approving the device flow: %v", err)
					}
				}()
			})
		}, true
	}
}

// Recorder remembers every token the provider hands out, so that tests can
// look for them where they must not be (state files, logs).
type Recorder struct {
	mu      sync.Mutex
	secrets map[string]bool
}

// Observe is a provider.Options.OnToken: it records the access token and
// bearer of every token the provider hands out.
func (r *Recorder) Observe(t *flows.Token) { r.Add(t.AccessToken, t.Bearer) }

// Add records extra secrets (passwords, client secrets).
func (r *Recorder) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]bool{}
	}
	for _, s := range secrets {
		if s != "" {
			r.secrets[s] = true
		}
	}
}

// Secrets returns the recorded secrets.
func (r *Recorder) Secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.secrets))
	for s := range r.secrets {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Tokens returns how many distinct values were recorded.
func (r *Recorder) Len() int { return len(r.Secrets()) }

// FindSecretsInFiles returns "file: secret" for every secret found (in any
// encoding, testrig.FindSecrets) in a regular file below dir, and the names of the files searched.
func FindSecretsInFiles(dir string, secrets []string) ([]string, []string, error) {
	var found, files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, filepath.Base(p))
		for _, l := range testrig.FindSecrets(string(data), secrets...) {
			found = append(found, fmt.Sprintf("%s: %q (%s)", p, l.Secret[:min(len(l.Secret), 12)]+"…", l.Encoding))
		}
		return nil
	})
	return found, files, err
}

// Options are the provider options of rig tests: no device flow unless
// asked for, and the recorder (if any).
func Options(rec *Recorder, inter pd.Interaction) provider.Options {
	if inter == nil {
		inter = NoInteraction
	}
	o := provider.Options{Interaction: inter}
	if rec != nil {
		o.OnToken = rec.Observe
	}
	return o
}
