package flows

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// ClientAssertionTypeJWTBearer is the client_assertion_type of a signed JWT
// client authentication (RFC 7523 section 2.2, "private_key_jwt").
const ClientAssertionTypeJWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionAlgs are the JWS algorithms of signed client assertions, in
// documentation order.
var AssertionAlgs = []string{"RS256", "PS256", "ES256"}

// assertionLifetime is how long a signed client assertion is valid: it is
// made for one request, so a minute covers clock skew and retries.
const assertionLifetime = time.Minute

// maxAssertionKeyPEM bounds the PEM text of a client assertion key.
const maxAssertionKeyPEM = 64 << 10

// AssertionKey is a private key that signs client assertions. Printing it
// with the fmt package never shows the key.
type AssertionKey struct {
	alg    jose.SignatureAlgorithm
	kid    string
	signer jose.Signer
}

// ParseAssertionKey reads a PEM private key for signing client assertions:
// PKCS #8 ("PRIVATE KEY"), PKCS #1 ("RSA PRIVATE KEY") or SEC 1 ("EC
// PRIVATE KEY"). alg is RS256, PS256 (RSA keys of at least 2048 bits) or
// ES256 (P-256 keys); "" picks RS256 for an RSA key and ES256 for an EC key.
// keyID is the "kid" header of the assertions; "" uses the key's RFC 7638
// thumbprint (base64url of its SHA-256), which is what many identity
// providers compute for a registered JWKS without "kid". Errors never
// contain key material; they match [ErrInvalidAssertionKey].
func ParseAssertionKey(pemData []byte, alg, keyID string) (*AssertionKey, error) {
	if len(pemData) > maxAssertionKeyPEM {
		return nil, assertionKeyErrorf("the client assertion key is larger than %d bytes: give one PEM private key", maxAssertionKeyPEM)
	}
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, assertionKeyErrorf("the client assertion key is not PEM text: give a private key in PEM form " +
			"(\"-----BEGIN PRIVATE KEY-----\", PKCS #8), e.g. from `openssl genpkey`")
	}
	key, err := parsePrivateKey(block)
	if err != nil {
		return nil, err
	}
	alg = strings.ToUpper(strings.TrimSpace(alg))
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if alg == "" {
			alg = "RS256"
		}
		if alg != "RS256" && alg != "PS256" {
			return nil, assertionKeyErrorf("the client assertion key is an RSA key, which cannot sign %s: set the algorithm to RS256 or PS256, or give a P-256 EC key", algName(alg))
		}
		if k.N.BitLen() < 2048 {
			return nil, assertionKeyErrorf("the client assertion key is an RSA key of %d bits: use one of at least 2048 bits", k.N.BitLen())
		}
	case *ecdsa.PrivateKey:
		if alg == "" {
			alg = "ES256"
		}
		if alg != "ES256" {
			return nil, assertionKeyErrorf("the client assertion key is an EC key, which cannot sign %s: set the algorithm to ES256, or give an RSA key", algName(alg))
		}
		if k.Curve != elliptic.P256() {
			return nil, assertionKeyErrorf("the client assertion key is an EC key on %s: ES256 needs a P-256 key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)", k.Curve.Params().Name)
		}
	default:
		return nil, assertionKeyErrorf("the client assertion key is a %T key: use an RSA (RS256, PS256) or P-256 EC (ES256) key", key)
	}
	if !slices.Contains(AssertionAlgs, alg) {
		return nil, assertionKeyErrorf("unsupported client assertion algorithm %s: use one of %s", algName(alg), strings.Join(AssertionAlgs, ", "))
	}
	if keyID == "" {
		signer, isSigner := key.(crypto.Signer)
		if !isSigner {
			return nil, assertionKeyErrorf("the client assertion key cannot sign: set the key id")
		}
		jwk := jose.JSONWebKey{Key: signer.Public()}
		tp, err := jwk.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, assertionKeyErrorf("the client assertion key's thumbprint cannot be computed (%v): set the key id", err)
		}
		keyID = base64.RawURLEncoding.EncodeToString(tp)
	}
	a := &AssertionKey{alg: jose.SignatureAlgorithm(alg), kid: keyID}
	a.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: a.alg, Key: jose.JSONWebKey{Key: key, KeyID: keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, assertionKeyErrorf("the client assertion key cannot sign %s: %v", alg, err)
	}
	return a, nil
}

func parsePrivateKey(block *pem.Block) (any, error) {
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, assertionKeyErrorf("the client assertion key (PKCS #8) cannot be read: %v", err)
		}
		return k, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, assertionKeyErrorf("the client assertion key (PKCS #1 RSA) cannot be read: %v", err)
		}
		return k, nil
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, assertionKeyErrorf("the client assertion key (SEC 1 EC) cannot be read: %v", err)
		}
		return k, nil
	case "ENCRYPTED PRIVATE KEY":
		return nil, assertionKeyErrorf("the client assertion key is encrypted: give it unencrypted " +
			"(openssl pkey -in key.pem -out plain.pem), e.g. from a secret store or an ephemeral value")
	}
	return nil, assertionKeyErrorf("the client assertion key is a PEM %q block: give a private key "+
		"(\"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\")", block.Type)
}

// algName quotes an algorithm name for messages (short, no control
// characters).
func algName(alg string) string { return fmt.Sprintf("%q", truncate(CleanText(alg), 16)) }

// ErrInvalidAssertionKey: a client assertion key or algorithm that cannot
// sign client assertions ([ParseAssertionKey]).
var ErrInvalidAssertionKey = errors.New("invalid client assertion key")

func assertionKeyErrorf(format string, args ...any) error {
	return kindErrorf(ErrInvalidAssertionKey, format, args...)
}

// Alg is the JWS algorithm of the assertions (RS256, PS256 or ES256).
func (k *AssertionKey) Alg() string { return string(k.alg) }

// KeyID is the "kid" header of the assertions.
func (k *AssertionKey) KeyID() string { return k.kid }

// String describes the key without key material.
func (k *AssertionKey) String() string {
	return fmt.Sprintf("AssertionKey{Alg: %s, KeyID: %s}", k.alg, k.kid)
}

// GoString is String, so %#v does not reveal the key either.
func (k *AssertionKey) GoString() string { return k.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (k *AssertionKey) Format(f fmt.State, verb rune) { _, _ = fmt.Fprint(f, k.String()) }

// Sign returns a fresh client assertion (RFC 7523 section 3): iss = sub =
// clientID, aud = tokenEndpoint, a unique jti, iat and nbf now and exp a
// minute later.
func (k *AssertionKey) Sign(clientID, tokenEndpoint string, now time.Time) (string, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("client assertion: %w", err)
	}
	claims := jwt.Claims{
		Issuer:    clientID,
		Subject:   clientID,
		Audience:  jwt.Audience{tokenEndpoint},
		ID:        hex.EncodeToString(jti),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		Expiry:    jwt.NewNumericDate(now.Add(assertionLifetime)),
	}
	s, err := jwt.Signed(k.signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("client assertion: signing with %s failed: %w", k.alg, err)
	}
	return s, nil
}

// ClientAssertion authenticates a client at the token endpoint with a JWT
// (RFC 7523 section 2.2) instead of a client secret: a fresh assertion
// signed with Key for each request, or the ready-made JWT (for example a
// CI identity token that the identity provider trusts as a federated client
// credential). Exactly one of them is set.
type ClientAssertion struct {
	Key *AssertionKey
	JWT string
}

// FormFields returns the token request fields client_assertion_type and
// client_assertion for clientID at tokenEndpoint: a fresh signed assertion
// (Key) or the ready-made one (JWT). Call it for every request (e.g. for the
// EndpointParams of a golang.org/x/oauth2 client credentials config, made
// per token request). The client_assertion value is a secret: scrub it from
// errors and logs.
func (a *ClientAssertion) FormFields(clientID, tokenEndpoint string, now time.Time) (url.Values, error) {
	var assertion string
	switch {
	case a.Key != nil && a.JWT != "":
		return nil, clientErrorf("Both a client assertion key and a ready-made client assertion are set for client '%s': set only one.", clientID)
	case a.Key != nil:
		var err error
		if assertion, err = a.Key.Sign(clientID, tokenEndpoint, now); err != nil {
			return nil, err
		}
	case strings.TrimSpace(a.JWT) != "":
		assertion = strings.TrimSpace(a.JWT)
		if _, exp, ok := jwtClaims(assertion); ok && !exp.IsZero() && !now.Before(exp) {
			return nil, clientErrorf("The client assertion for client '%s' expired at %s: give a fresh one "+
				"(a ready-made assertion is sent as it is; use a key to sign a new one for every request).", clientID, exp.UTC().Format(time.RFC3339))
		}
	default:
		return nil, clientErrorf("The client assertion for client '%s' is empty: set a key or a ready-made assertion.", clientID)
	}
	return url.Values{"client_assertion_type": {ClientAssertionTypeJWTBearer}, "client_assertion": {assertion}}, nil
}

// apply adds the fields of FormFields to form. g must have no client
// secret: a client authenticates in one way only.
func (a *ClientAssertion) apply(g *GrantConfig, form url.Values, now time.Time) error {
	if g.ClientSecret != "" {
		return clientErrorf("Client '%s' has both a client secret and a client assertion: the identity provider "+
			"accepts one way of client authentication; set either the client secret or the client assertion (key), not both.", g.ClientID)
	}
	fields, err := a.FormFields(g.ClientID, g.Metadata.TokenEndpoint, now)
	if err != nil {
		return err
	}
	for k, v := range fields {
		form[k] = v
	}
	return nil
}
