# Reads the openEO Python client's auth-config.json and refresh-tokens.json of
# the user running Terraform, without their secrets.
data "openeo_auth_config" "local" {}

output "openeo_basic_backends" {
  value = [for b in data.openeo_auth_config.local.basic : b.url]
}

output "openeo_refresh_tokens" {
  value = [for t in data.openeo_auth_config.local.refresh_tokens : "${t.issuer} ${t.client_id}"]
}
