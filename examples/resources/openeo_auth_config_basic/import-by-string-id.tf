# Terraform >= 1.5, OpenTofu >= 1.6.
import {
  to = openeo_auth_config_basic.example
  id = "https://openeo.example.org"
}
