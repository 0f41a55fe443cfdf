# OIDC resource owner password grant: only where the identity provider allows
# it for the client.
variable "openeo_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "password"

  oidc {
    provider_id = "egi"
    client_id   = "terraform-runner"
    username    = "alice"
    password    = var.openeo_password
  }
}
