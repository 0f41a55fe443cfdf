package authfiles

import (
	"context"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// Local copies of flows.AuthConfigReader and flows.RefreshTokenStore, so
// this package's tests compile even while flows is being changed.
// TestFlowsInterfaces checks them against internal/flows/stores.go.
type authConfigReader interface {
	BasicCredentials(backendURL string) (username, password string, found bool, err error)
	OIDCProviderIDs(backendURL string) ([]string, error)
	OIDCClient(backendURL, providerID string) (clientID, clientSecret string, found bool, err error)
}

type refreshTokenStore interface {
	RefreshToken(issuer, clientID string) (token string, found bool, err error)
	SetRefreshToken(issuer, clientID, token string, expiresAt time.Time) error
	RotateRefreshToken(ctx context.Context, issuer, clientID string, refresh func(context.Context, string, time.Time) (string, time.Time, error)) error
}

var (
	_ authConfigReader  = (*AuthConfig)(nil)
	_ refreshTokenStore = (*RefreshTokens)(nil)
)

// TestFlowsInterfaces type-checks internal/flows/stores.go on its own and
// verifies that *AuthConfig and *RefreshTokens have every method of
// flows.AuthConfigReader and flows.RefreshTokenStore with the same types.
func TestFlowsInterfaces(t *testing.T) {
	path := filepath.Join("..", "flows", "stores.go")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("cannot read %s: %v", path, err)
	}
	// flows is developed in parallel: a file that is being edited is a skip,
	// a method set that differs is a failure.
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		t.Skipf("parse %s: %v", path, err)
	}
	conf := types.Config{Importer: importer.Default()}
	pkg, err := conf.Check("flows", fset, []*ast.File{file}, nil)
	if err != nil {
		t.Skipf("type-check %s on its own: %v", path, err)
	}
	for name, impl := range map[string]reflect.Type{
		"AuthConfigReader":  reflect.TypeFor[*AuthConfig](),
		"RefreshTokenStore": reflect.TypeFor[*RefreshTokens](),
	} {
		obj := pkg.Scope().Lookup(name)
		if obj == nil {
			t.Errorf("flows.%s not found in %s", name, path)
			continue
		}
		iface, ok := obj.Type().Underlying().(*types.Interface)
		if !ok {
			t.Errorf("flows.%s is not an interface", name)
			continue
		}
		for i := range iface.NumMethods() {
			m := iface.Method(i)
			sig, ok := m.Type().(*types.Signature)
			if !ok {
				continue
			}
			rm, ok := impl.MethodByName(m.Name())
			if !ok {
				t.Errorf("%s lacks %s, required by flows.%s", impl, m.Name(), name)
				continue
			}
			// rm.Type includes the receiver as the first input.
			if got, want := rm.Type.NumIn()-1, sig.Params().Len(); got != want {
				t.Errorf("%s.%s: %d params, flows wants %d", impl, m.Name(), got, want)
				continue
			}
			for j := range sig.Params().Len() {
				if got, want := rm.Type.In(j+1).String(), sig.Params().At(j).Type().String(); got != want {
					t.Errorf("%s.%s param %d: %s, flows wants %s", impl, m.Name(), j, got, want)
				}
			}
			if got, want := rm.Type.NumOut(), sig.Results().Len(); got != want {
				t.Errorf("%s.%s: %d results, flows wants %d", impl, m.Name(), got, want)
				continue
			}
			for j := range sig.Results().Len() {
				if got, want := rm.Type.Out(j).String(), sig.Results().At(j).Type().String(); got != want {
					t.Errorf("%s.%s result %d: %s, flows wants %s", impl, m.Name(), j, got, want)
				}
			}
		}
	}
}
