# Terraform >= 1.5, OpenTofu >= 1.6.
import {
  to = openeo_refresh_token.runner
  id = "https://sso.example.org/realms/openeo openeo-platform-default-client"
}
