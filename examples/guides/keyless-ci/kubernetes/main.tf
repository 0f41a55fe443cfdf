terraform {
  required_providers {
    openeo = {
      source = "openeo-tf/openeo"
    }
  }
}

provider "openeo" {
  url         = "https://openeo.example.org"
  auth_method = "token_exchange"

  oidc {
    provider_id = "egi"
    client_id   = "openeo-ci"
    # A projected service account token; the kubelet rotates it and the
    # provider reads the file again for every exchange.
    subject_token_file = "/var/run/secrets/openeo/token"
  }
}

data "openeo_account" "me" {}
