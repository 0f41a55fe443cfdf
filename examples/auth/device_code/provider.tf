# Interactive: the provider writes a URL and a code to the terminal and waits
# until the user has approved the login in a browser. Not available when
# TF_IN_AUTOMATION is set or no terminal is attached.
provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "device_code"

  oidc {
    provider_id   = "egi"
    max_poll_time = "10m"
  }
}
