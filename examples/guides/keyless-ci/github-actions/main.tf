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
    # The audience GitHub puts in the identity token and that the identity
    # provider checks.
    audience = "https://aai.example.org/auth/realms/openeo"
  }
}

data "openeo_account" "me" {}

output "openeo_user" {
  value = data.openeo_account.me.user_id
}
