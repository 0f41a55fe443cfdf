package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// tflogLogger forwards the flows log messages (which never carry secrets) to
// tflog, whose context also masks the provider instance's secrets.
var tflogLogger = flows.LoggerFunc(func(ctx context.Context, level flows.LogLevel, msg string, fields map[string]any) {
	switch level {
	case flows.LevelDebug:
		tflog.Debug(ctx, msg, fields)
	case flows.LevelInfo:
		tflog.Info(ctx, msg, fields)
	case flows.LevelWarn:
		tflog.Warn(ctx, msg, fields)
	default:
		tflog.Error(ctx, msg, fields)
	}
})

func (p *openeoProvider) sessionFactory() pd.SessionFactory {
	f := p.opts.SessionFactory
	if f == nil {
		f = pd.NewFlowsSessionFactory(pd.FlowsOptions{
			Version:     p.version,
			Getenv:      p.getenv(),
			HTTPClient:  p.opts.HTTPClient,
			Interaction: p.opts.Interaction,
			Logger:      tflogLogger,
		})
	}
	if p.opts.WrapSessionFactory != nil {
		f = p.opts.WrapSessionFactory(f)
	}
	return f
}

// loadClientConfig reads openeo-client-config.ini through internal/clientconfig.
func loadClientConfig(explicitPath string, getenv func(string) string) (*clientConfig, error) {
	return nil, nil
}
