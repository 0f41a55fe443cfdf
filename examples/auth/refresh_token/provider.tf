# A refresh token from a secret store. Without oidc.refresh_token, the token
# stored in refresh-tokens.json for the provider's issuer and client is used.
variable "openeo_refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "refresh_token"

  oidc {
    provider_id   = "egi"
    refresh_token = var.openeo_refresh_token
    # Write rotated refresh tokens back to refresh-tokens.json.
    store_refresh_token = true
  }
}
