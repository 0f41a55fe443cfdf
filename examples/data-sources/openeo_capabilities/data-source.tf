data "openeo_capabilities" "backend" {}

output "openeo_api_version" {
  value = data.openeo_capabilities.backend.api_version
}

# Fail early when the back-end cannot do what the configuration relies on.
check "openeo_supports_oidc" {
  assert {
    condition     = data.openeo_capabilities.backend.oidc_auth_supported
    error_message = "This openEO back-end does not offer OpenID Connect authentication."
  }
}
