# The token ends up in the state and in plan files. With Terraform >= 1.10 or
# OpenTofu >= 1.11, use the openeo_bearer_token ephemeral resource instead.
data "openeo_bearer_token" "this" {}

output "openeo_token_expires_at" {
  value = data.openeo_bearer_token.this.expires_at
}

output "openeo_authorization_header" {
  value     = data.openeo_bearer_token.this.authorization_header
  sensitive = true
}
