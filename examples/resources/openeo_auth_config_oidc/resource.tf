# A public client (device code flow): no secret.
resource "openeo_auth_config_oidc" "egi" {
  url         = "https://openeo.example.org"
  provider_id = "egi"
  client_id   = "openeo-platform-default-client"
}

# A confidential client with a write-only secret (Terraform >= 1.11,
# OpenTofu >= 1.11), e.g. for client_credentials on a CI runner.
variable "openeo_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "openeo_auth_config_oidc" "service" {
  url                      = "https://openeo.other.example.org"
  provider_id              = "keycloak"
  issuer                   = "https://sso.example.org/realms/openeo"
  client_id                = "terraform-runner"
  client_secret_wo         = var.openeo_client_secret
  client_secret_wo_version = 1
}
