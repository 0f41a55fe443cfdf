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
    # Reads TFC_WORKLOAD_IDENTITY_TOKEN_OPENEO, which HCP Terraform creates
    # for the workspace variable TFC_WORKLOAD_IDENTITY_AUDIENCE_OPENEO. Leave
    # it out to read TFC_WORKLOAD_IDENTITY_TOKEN.
    hcp_terraform_tag = "OPENEO"
  }
}

data "openeo_account" "me" {}
