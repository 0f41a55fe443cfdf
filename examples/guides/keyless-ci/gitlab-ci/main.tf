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
    # The variable that `id_tokens:` in .gitlab-ci.yml fills.
    subject_token_env = "OPENEO_ID_TOKEN"
  }
}

data "openeo_account" "me" {}

output "openeo_user" {
  value = data.openeo_account.me.user_id
}
