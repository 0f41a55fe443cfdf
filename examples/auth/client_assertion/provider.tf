# A confidential client that authenticates with a signed JWT (RFC 7523
# private_key_jwt) instead of a client secret. The identity provider holds
# the public key; a fresh, short-lived assertion is signed for each request.
provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "client_credentials"

  oidc {
    provider_id               = "egi"
    client_id                 = "terraform-runner"
    client_assertion_key_file = "/run/secrets/openeo-client.pem"
    client_assertion_alg      = "ES256"
  }
}
