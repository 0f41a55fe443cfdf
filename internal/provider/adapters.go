package provider

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/clientconfig"
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

// loadClientConfig reads openeo-client-config.ini through internal/clientconfig:
// the file at explicitPath, or the first file of the Python client's search
// order. It returns nil when no file is found.
func loadClientConfig(explicitPath string, getenv func(string) string) (*clientConfig, error) {
	var cfg *clientconfig.Config
	if explicitPath != "" {
		data, err := os.ReadFile(explicitPath)
		if err != nil {
			return nil, err
		}
		if cfg, err = clientconfig.Parse(data); err != nil {
			return nil, fmt.Errorf("%s: %w", explicitPath, err)
		}
		return toClientConfig(explicitPath, cfg, nil), nil
	}
	cfg, err := clientconfig.Load(clientconfig.Env{LookupEnv: func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	}})
	if err != nil {
		return nil, err
	}
	var warnings []string
	for _, w := range cfg.Warnings() {
		warnings = append(warnings, w.String())
	}
	return toClientConfig(cfg.Source(), cfg, warnings), nil
}

func toClientConfig(path string, cfg *clientconfig.Config, warnings []string) *clientConfig {
	out := &clientConfig{Path: path, Values: map[string]string{}, Warnings: warnings}
	for _, k := range cfg.Keys() {
		v, _ := cfg.Get(k)
		out.Values[strings.ToLower(k)] = v
	}
	return out
}
