# Bootstrap a non-interactive runner with a refresh token from a secret store.
variable "openeo_refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "openeo_refresh_token" "runner" {
  issuer                   = "https://sso.example.org/realms/openeo"
  client_id                = "openeo-platform-default-client"
  refresh_token_wo         = var.openeo_refresh_token
  refresh_token_wo_version = 1

  # The Python client rewrites the entry whenever it refreshes: let it own the
  # token after the first write.
  lifecycle {
    ignore_changes = [refresh_token_wo_version]
  }
}
