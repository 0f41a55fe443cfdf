data "openeo_oidc_providers" "all" {}

output "openeo_default_provider" {
  value = data.openeo_oidc_providers.all.default_provider_id
}

output "openeo_issuers" {
  value = { for p in data.openeo_oidc_providers.all.providers : p.id => p.issuer }
}
