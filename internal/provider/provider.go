// Package provider is the openEO Terraform provider: its schema, the merge of
// explicit attributes > environment > files, and Configure.
package provider

import (
	"context"
	"net/http"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/datasources"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/resources"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/openeo-tf/openeo"

// TypeName is the provider's type name (the prefix of its data sources).
const TypeName = "openeo"

var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// Options change how the provider reaches the outside world. The zero value
// is what `terraform` uses; tests set some fields.
type Options struct {
	// Getenv reads the environment. Nil means os.Getenv.
	Getenv func(string) string
	// LoadClientConfig finds and reads openeo-client-config.ini. Nil means
	// the real one (internal/clientconfig).
	LoadClientConfig clientConfigLoader
	// HTTPClient sends the requests of the real sessions; nil means a
	// default client.
	HTTPClient *http.Client
	// Interaction decides whether the device code flow may run and where its
	// instructions go. Nil means the controlling terminal (/dev/tty), when
	// one can be opened and TF_IN_AUTOMATION is unset.
	Interaction pd.Interaction
	// OnToken, when set, sees every token a session hands out (the
	// acceptance tests' leak scans look for them in state and logs).
	OnToken func(*flows.Token)
	// OnConfigure, when set, sees the Client of every configured instance.
	OnConfigure func(*pd.Client)
}

var (
	_ provider.Provider                       = (*openeoProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*openeoProvider)(nil)
)

type openeoProvider struct {
	version string
	opts    Options
}

// New returns the provider factory used by main.
func New(version string) func() provider.Provider {
	return NewWithOptions(version, Options{})
}

// NewWithOptions returns a provider factory with the given options.
func NewWithOptions(version string, opts Options) func() provider.Provider {
	return func() provider.Provider {
		return &openeoProvider{version: version, opts: opts}
	}
}

func (p *openeoProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *openeoProvider) getenv() func(string) string {
	if p.opts.Getenv != nil {
		return p.opts.Getenv
	}
	return os.Getenv
}

// Configure merges the provider block with the environment and the client
// config file. It never authenticates: the session is built on first use, so
// values unknown at plan time do not fail here.
func (p *openeoProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, diags := decodeConfig(ctx, m)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	loadINI := p.opts.LoadClientConfig
	if loadINI == nil {
		loadINI = loadClientConfig
	}
	settings, diags := merge(in, p.getenv(), loadINI)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings.ProviderVersion = p.version
	settings.FileSecrets = pd.LoadFileSecrets(settings, p.getenv())

	ctx = pd.MaskLog(ctx, settings.Secrets()...)
	fields := map[string]any{
		"url":           flows.LogURL(settings.URL),
		"url_source":    string(settings.URLSource),
		"auth_method":   settings.Method,
		"method_source": string(settings.MethodSource),
	}
	if len(settings.Unknown) > 0 {
		fields["unknown"] = settings.Unknown
	}
	tflog.Debug(ctx, "openEO provider configured (authentication is deferred to first use)", fields)

	client := pd.New(settings, p.flowsOptions())
	if p.opts.OnConfigure != nil {
		p.opts.OnConfigure(client)
	}
	resp.DataSourceData = client
	resp.ResourceData = client
	resp.EphemeralResourceData = client
}

func (p *openeoProvider) DataSources(context.Context) []func() datasource.DataSource {
	return datasources.DataSources()
}

func (p *openeoProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return datasources.EphemeralResources()
}

func (p *openeoProvider) Resources(context.Context) []func() resource.Resource {
	return resources.All()
}
