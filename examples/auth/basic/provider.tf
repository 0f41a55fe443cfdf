variable "openeo_password" {
  type      = string
  sensitive = true
  # Ephemeral input variables (Terraform >= 1.10, OpenTofu >= 1.11) are kept
  # out of saved plan files.
  ephemeral = true
}

provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "basic"

  basic {
    username = "alice"
    password = var.openeo_password
  }
}
