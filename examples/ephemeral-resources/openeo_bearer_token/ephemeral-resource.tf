# Opened during plan and apply, never written to the state or a plan file.
ephemeral "openeo_bearer_token" "this" {}

# Ephemeral values may be used in provider blocks, write-only arguments and
# provisioners. Here a script receives the Authorization header.
resource "terraform_data" "upload" {
  input = "run-1"

  provisioner "local-exec" {
    command = "curl -fsS -H \"Authorization: $OPENEO_AUTHORIZATION\" https://openeo.example.org/me"
    environment = {
      OPENEO_AUTHORIZATION = ephemeral.openeo_bearer_token.this.authorization_header
    }
  }
}
