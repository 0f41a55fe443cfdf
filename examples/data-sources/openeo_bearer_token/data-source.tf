# The token is stored in the state: prefer the ephemeral resource
# (Terraform >= 1.10, OpenTofu >= 1.11) where possible.
data "openeo_bearer_token" "current" {}

output "openeo_token_expires_at" {
  value = data.openeo_bearer_token.current.expires_at
}

# Stop the run when the token expires within the next ten minutes
# (expires_at is null for basic tokens and plain bearers: no expiry known).
resource "terraform_data" "token_check" {
  lifecycle {
    precondition {
      condition = timecmp(
        coalesce(data.openeo_bearer_token.current.expires_at, "9999-12-31T23:59:59Z"),
        timeadd(plantimestamp(), "10m"),
      ) > 0
      error_message = "The openEO token expires within ten minutes."
    }
  }
}
