# The import ID is "<issuer> <client_id>", optionally followed by a space and
# the path of the refresh-tokens.json file to use instead of the default one.
terraform import openeo_refresh_token.runner "https://sso.example.org/realms/openeo openeo-platform-default-client"
