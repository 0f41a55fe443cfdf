data "openeo_oidc_providers" "all" {}

output "openeo_default_provider" {
  value = data.openeo_oidc_providers.all.default_provider_id
}

# Providers whose default clients support the device code flow.
output "openeo_device_flow_providers" {
  value = [
    for p in data.openeo_oidc_providers.all.providers : p.id
    if anytrue([for c in p.default_clients : anytrue([for g in c.grant_types : startswith(g, "urn:ietf:params:oauth:grant-type:device_code")])])
  ]
}
