package provider

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/clientconfig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// tflogLogger forwards the flows log messages (which never carry secrets) to
// tflog, whose context also masks the provider instance's secrets. It
// reports the levels the provider's logger drops (TF_LOG_PROVIDER_OPENEO,
// which main sets to "off" when the CLI shows no provider logs), so that
// flows does not build their fields.
type tflogLogger struct {
	off bool
	min flows.LogLevel
}

var _ flows.LevelLogger = tflogLogger{}

// newTflogLogger reads the provider logger's level as the SDK does.
func newTflogLogger(getenv func(string) string) tflogLogger {
	switch strings.ToLower(strings.TrimSpace(getenv("TF_LOG_PROVIDER_OPENEO"))) {
	case "off":
		return tflogLogger{off: true}
	case "info":
		return tflogLogger{min: flows.LevelInfo}
	case "warn":
		return tflogLogger{min: flows.LevelWarn}
	case "error":
		return tflogLogger{min: flows.LevelError}
	}
	return tflogLogger{min: flows.LevelDebug} // trace, debug or unset (the SDK's default is trace)
}

func (l tflogLogger) Enabled(level flows.LogLevel) bool { return !l.off && level >= l.min }

func (l tflogLogger) Log(ctx context.Context, level flows.LogLevel, msg string, fields map[string]any) {
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
}

func (p *openeoProvider) flowsOptions() pd.FlowsOptions {
	return pd.FlowsOptions{
		Version:     p.version,
		Getenv:      p.getenv(),
		HTTPClient:  p.opts.HTTPClient,
		Interaction: p.opts.Interaction,
		Logger:      newTflogLogger(os.Getenv), // the SDK reads the process environment
		OnToken:     p.opts.OnToken,
	}
}

// loadClientConfig reads openeo-client-config.ini through internal/clientconfig:
// the file at explicitPath, or the first file of the Python client's search
// order. It returns nil when no file is found.
func loadClientConfig(explicitPath string, getenv func(string) string) (*settings.ClientConfigFile, error) {
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
	cfg, err := clientconfig.Load(authfiles.GetenvEnv(getenv))
	if err != nil {
		return nil, err
	}
	var warnings []string
	for _, w := range cfg.Warnings() {
		warnings = append(warnings, w.String())
	}
	return toClientConfig(cfg.Source(), cfg, warnings), nil
}

func toClientConfig(path string, cfg *clientconfig.Config, warnings []string) *settings.ClientConfigFile {
	return &settings.ClientConfigFile{Path: path, Config: cfg, Warnings: warnings}
}
