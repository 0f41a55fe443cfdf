# The import ID is "<url> <provider_id>", optionally followed by a space and
# the path of the auth-config.json file to use instead of the default one.
terraform import openeo_auth_config_oidc.egi "https://openeo.example.org egi"
