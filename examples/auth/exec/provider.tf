# An external credential helper prints the access token (bare, or JSON with
# access_token and expires_in / expires_at); the provider runs it again when
# the token expires. `openeo-auth token --output exec` is such a helper.
provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "exec"

  exec {
    command = "openeo-auth"
    args    = ["token", "--output", "exec", "https://openeo.example.org"]
  }
}
