// Package providerdata is what the provider's Configure hands to data
// sources, ephemeral resources and resources, and nothing else: the *Client
// of one provider instance, that is its merged settings (settings.go) and
// its lazily built openEO session (session.go: internal/flows with the
// auth files and the device code display on the terminal), which answers
// with internal/flows' own types. The secrets of the settings and files are
// masked in every log line through MaskLog. Diagnostics are made by the
// callers (internal/datasources' explain.go); this package has no Terraform
// schema code.
package providerdata
