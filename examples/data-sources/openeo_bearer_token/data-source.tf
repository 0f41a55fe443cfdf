# The token is stored in the state: prefer the ephemeral resource
# (Terraform >= 1.10, OpenTofu >= 1.11) where possible.
data "openeo_bearer_token" "current" {}

output "openeo_token_expires_at" {
  value = data.openeo_bearer_token.current.expires_at
}

# Use it, for example, in an HTTP request header.
data "http" "jobs" {
  url = "https://openeo.example.org/openeo/1.2/jobs"
  request_headers = {
    Authorization = data.openeo_bearer_token.current.authorization_header
  }
}
