# A complete openEO bearer string ("basic//...", "oidc/<provider_id>/...").
variable "openeo_bearer" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "openeo" {
  url          = "https://openeo.example.org"
  auth_method  = "bearer"
  bearer_token = var.openeo_bearer
}
