package flows_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func pkcs8PEM(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func TestParseAssertionKeyRefusesUnusableKeys(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	smallRSA, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // the test checks that a short key is refused
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(p256)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pem  []byte
		alg  string
		want string
	}{
		{"not PEM", []byte("-----BEGIN NOTHING"), "", "is not PEM text"},
		{"RSA key for ES256", pkcs8PEM(t, rsaKey), "ES256", "RSA key, which cannot sign \"ES256\""},
		{"EC key for RS256", pkcs8PEM(t, p256), "RS256", "EC key, which cannot sign \"RS256\""},
		{"P-384 key", pkcs8PEM(t, p384), "ES256", "EC key on P-384"},
		{"short RSA key", pkcs8PEM(t, smallRSA), "RS256", "1024 bits"},
		{"unknown alg", pkcs8PEM(t, rsaKey), "HS256", "cannot sign \"HS256\""},
		{"encrypted", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("x")}), "", "is encrypted"},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}), "", "PEM \"CERTIFICATE\" block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := flows.ParseAssertionKey(tc.pem, tc.alg, "")
			if !errors.Is(err, flows.ErrInvalidAssertionKey) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if body := string(tc.pem); len(body) > 80 && strings.Contains(err.Error(), body[40:80]) {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
	// SEC 1 EC keys work; without a key id, the kid is the RFC 7638 thumbprint.
	k, err := flows.ParseAssertionKey(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), "", "")
	if err != nil {
		t.Fatal(err)
	}
	tp, err := (&jose.JSONWebKey{Key: p256.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if k.Alg() != "ES256" || k.KeyID() != base64.RawURLEncoding.EncodeToString(tp) {
		t.Errorf("alg %s, kid %s", k.Alg(), k.KeyID())
	}
}

func TestAssertionClaims(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k, err := flows.ParseAssertionKey(pkcs8PEM(t, rsaKey), "PS256", "kid-1")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	a1, err := k.Sign("client-1", "https://idp.example/token", now)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := k.Sign("client-1", "https://idp.example/token", now)
	if err != nil {
		t.Fatal(err)
	}
	// Verified with the public key, by the library that signed it.
	parse := func(s string) (map[string]any, jose.Header) {
		jws, err := jose.ParseSignedCompact(s, []jose.SignatureAlgorithm{jose.PS256})
		if err != nil {
			t.Fatal(err)
		}
		payload, err := jws.Verify(&rsaKey.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if err := json.Unmarshal(payload, &c); err != nil {
			t.Fatal(err)
		}
		return c, jws.Signatures[0].Header
	}
	c1, h := parse(a1)
	c2, _ := parse(a2)
	if h.KeyID != "kid-1" || h.Algorithm != "PS256" || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("header %+v", h)
	}
	if c1["iss"] != "client-1" || c1["sub"] != "client-1" || c1["aud"] != "https://idp.example/token" ||
		c1["iat"] != float64(now.Unix()) || c1["exp"] != float64(now.Add(time.Minute).Unix()) {
		t.Errorf("claims %v", c1)
	}
	if c1["jti"] == "" || c1["jti"] == c2["jti"] {
		t.Errorf("jti %v and %v: want unique ones", c1["jti"], c2["jti"])
	}
}
