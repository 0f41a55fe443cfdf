# Never stored in the state or in plan files (Terraform >= 1.10, OpenTofu >= 1.11).
ephemeral "openeo_bearer_token" "current" {}

# Pass the bearer to another provider instance, e.g. one that talks to the
# back-end with a token obtained once by this instance.
provider "openeo" {
  alias        = "with_token"
  url          = "https://openeo.example.org"
  bearer_token = ephemeral.openeo_bearer_token.current.bearer
}

data "openeo_account" "me" {
  provider = openeo.with_token
}
