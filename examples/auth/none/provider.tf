# Anonymous: only what needs no login works (capabilities, OIDC providers).
provider "openeo" {
  url = "https://openeo.example.org"
}
