terraform {
  required_providers {
    openeo = {
      source = "openeo-tf/openeo"
    }
  }
}

# The client id and secret come from OPENEO_AUTH_CLIENT_ID and
# OPENEO_AUTH_CLIENT_SECRET, so they appear neither in the configuration nor
# in a saved plan.
provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "client_credentials"
}

# A second back-end, with credentials kept by the openEO Python client
# (auth-config.json and refresh-tokens.json of the user running Terraform).
provider "openeo" {
  alias       = "personal"
  url         = "https://openeo.other.example.org"
  auth_method = "oidc"
}

data "openeo_account" "service" {}

data "openeo_account" "personal" {
  provider = openeo.personal
}
