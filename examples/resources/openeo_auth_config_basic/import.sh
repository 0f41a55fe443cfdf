# The import ID is the back-end URL, optionally followed by a space and the
# path of the auth-config.json file to use instead of the default one.
terraform import openeo_auth_config_basic.example "https://openeo.example.org"

# The password is not imported: set password_wo and password_wo_version (or
# password) in the configuration and apply to write it.
