# The `make demo` configuration: the provider against a local openEO test
# back-end and test identity provider, with OIDC client credentials (the
# default provider) and basic authentication (the "basic" alias), plus an
# auth-config.json entry written by a resource and read back by a data source.
# scripts/demo.sh sets the variables through TF_VAR_* and installs the
# provider through a private dev_overrides CLI configuration.

terraform {
  required_version = ">= 1.11" # write-only password_wo below
  required_providers {
    openeo = {
      source = "openeo-tf/openeo"
    }
  }
}

variable "backend_url" {
  type        = string
  description = "URL of the openEO back-end."
}

variable "client_id" {
  type        = string
  description = "OIDC client id (client credentials grant)."
}

variable "client_secret" {
  type        = string
  description = "OIDC client secret."
  sensitive   = true
  ephemeral   = true # never written to plan files
}

variable "basic_username" {
  type = string
}

variable "basic_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "openeo" {
  url         = var.backend_url
  auth_method = "client_credentials"
  oidc {
    client_id     = var.client_id
    client_secret = var.client_secret
  }
}

provider "openeo" {
  alias = "basic"
  url   = var.backend_url
  basic {
    username = var.basic_username
    password = var.basic_password
  }
}

data "openeo_capabilities" "backend" {}

data "openeo_account" "oidc" {}

data "openeo_account" "basic" {
  provider = openeo.basic
}

# The ephemeral token is never stored. Here it configures a third provider
# instance, which reads the account once more with that bearer.
ephemeral "openeo_bearer_token" "oidc" {}

provider "openeo" {
  alias        = "bearer"
  url          = var.backend_url
  bearer_token = ephemeral.openeo_bearer_token.oidc.bearer
}

data "openeo_account" "via_bearer" {
  provider = openeo.bearer
}

# The data source twin is stored in the state (this demo's state lives in a
# temporary folder that is deleted afterwards); it is used here only for the
# token's expiry time.
data "openeo_bearer_token" "oidc" {}

output "backend" {
  value = "${data.openeo_capabilities.backend.url} (openEO API ${data.openeo_capabilities.backend.api_version}, auth: ${join(", ", data.openeo_capabilities.backend.auth_endpoints)})"
}

output "account_oidc" {
  value = {
    user_id      = data.openeo_account.oidc.user_id
    name         = data.openeo_account.oidc.name
    default_plan = data.openeo_account.oidc.default_plan
    storage      = data.openeo_account.oidc.storage
  }
}

output "account_basic" {
  value = {
    user_id      = data.openeo_account.basic.user_id
    name         = data.openeo_account.basic.name
    default_plan = data.openeo_account.basic.default_plan
  }
}

output "account_via_ephemeral_bearer" {
  value = data.openeo_account.via_bearer.user_id
}

output "oidc_token" {
  value = {
    method      = data.openeo_bearer_token.oidc.method
    provider_id = data.openeo_bearer_token.oidc.provider_id
    expires_at  = data.openeo_bearer_token.oidc.expires_at
  }
}

# The Python client's auth-config.json: a basic-auth entry for the back-end,
# so that `openeo.connect(url).authenticate_basic()` would need no arguments.
# The password is write-only (never in the state or plan). scripts/demo.sh
# points OPENEO_CONFIG_HOME at a temporary folder, so the file is the demo's own.
resource "openeo_auth_config_basic" "demo" {
  url                 = var.backend_url
  username            = var.basic_username
  password_wo         = var.basic_password
  password_wo_version = 1
}

# The same file read back (after the entry is written), without its secrets.
data "openeo_auth_config" "files" {
  depends_on = [openeo_auth_config_basic.demo]
}

output "auth_config_entry_written" {
  value = {
    id   = openeo_auth_config_basic.demo.id
    date = openeo_auth_config_basic.demo.date
  }
}

output "auth_config_basic_entries_read_back" {
  value = data.openeo_auth_config.files.basic
}
