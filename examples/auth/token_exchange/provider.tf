# Keyless CI: exchange the CI system's identity token for an openEO login
# (RFC 8693). In a GitHub Actions job with `permissions: id-token: write`
# the token is requested automatically, with `audience`; see the
# "Keyless CI" guide for GitLab CI, HCP Terraform and Kubernetes.
provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "token_exchange"

  oidc {
    provider_id = "egi"
    client_id   = "openeo-ci"
    audience    = "https://aai.example.org/auth/realms/openeo"
  }
}
