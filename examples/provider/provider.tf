terraform {
  # Ephemeral input variables (below) need Terraform >= 1.10 or OpenTofu >= 1.11.
  required_version = ">= 1.10"
  required_providers {
    openeo = {
      source = "openeo-tf/openeo"
    }
  }
}

# OIDC client credentials, e.g. for CI. The secret can also come from the
# environment: OPENEO_AUTH_CLIENT_ID / OPENEO_AUTH_CLIENT_SECRET.
provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "client_credentials"
  oidc {
    provider_id   = "egi"
    client_id     = "my-service-client"
    client_secret = var.openeo_client_secret
  }
}

# Basic authentication in a second provider instance.
provider "openeo" {
  alias = "basic"
  url   = "https://openeo.example.org"
  basic {
    username = "john"
    password = var.openeo_password
  }
}

# The Python client's dynamic OIDC selection: a refresh token stored by
# `openeo-auth oidc-auth https://openeo.example.org`, else a device code
# login in the terminal.
provider "openeo" {
  alias       = "interactive"
  url         = "https://openeo.example.org"
  auth_method = "oidc"
}

variable "openeo_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "openeo_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
