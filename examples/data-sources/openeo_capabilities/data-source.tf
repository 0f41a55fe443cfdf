data "openeo_capabilities" "backend" {}

check "basic_auth_available" {
  assert {
    condition     = data.openeo_capabilities.backend.basic_auth_supported
    error_message = "This back-end does not offer basic authentication: use an OIDC auth method."
  }
}

output "openeo_api_version" {
  value = data.openeo_capabilities.backend.api_version
}
