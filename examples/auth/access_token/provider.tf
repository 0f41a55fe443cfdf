# An OIDC access token obtained elsewhere; it is used as is and never renewed.
variable "openeo_access_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "access_token"

  oidc {
    provider_id  = "egi"
    access_token = var.openeo_access_token
  }
}
