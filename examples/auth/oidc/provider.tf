# What openeo.connect(url).authenticate_oidc() does in Python: use the refresh
# token stored in refresh-tokens.json, else fall back to the device code flow
# when a terminal is attached. New refresh tokens are stored.
provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "oidc"
}
