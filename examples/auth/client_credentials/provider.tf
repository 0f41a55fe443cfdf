# A confidential OIDC client (service account). Leave client_id and
# client_secret out to take them from OPENEO_AUTH_CLIENT_ID and
# OPENEO_AUTH_CLIENT_SECRET, or from auth-config.json.
variable "openeo_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "client_credentials"

  oidc {
    provider_id   = "egi"
    client_id     = "terraform-runner"
    client_secret = var.openeo_client_secret
  }
}
