# The password is write-only: it reaches auth-config.json but never the state
# (Terraform >= 1.11, OpenTofu >= 1.11).
variable "openeo_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "openeo_auth_config_basic" "example" {
  url                 = "https://openeo.example.org"
  username            = "alice"
  password_wo         = var.openeo_password
  password_wo_version = 1 # increase to write a new password
}

# On Terraform < 1.11, use the sensitive password attribute (stored in the
# state) and an explicit file, e.g. for a CI runner's service account.
resource "openeo_auth_config_basic" "runner" {
  file     = "/home/runner/.config/openeo-python-client/auth-config.json"
  url      = "https://openeo.other.example.org"
  username = "ci-runner"
  password = var.openeo_password_legacy
}

variable "openeo_password_legacy" {
  type      = string
  sensitive = true
}
