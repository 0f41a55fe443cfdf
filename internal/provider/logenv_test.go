package provider

import (
	"maps"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func TestQuietLogEnv(t *testing.T) {
	off := map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_OPENEO": "off"}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		debug bool
		want  map[string]string
	}{
		{name: "no log variables", want: off},
		{name: "TF_LOG", env: map[string]string{"TF_LOG": "DEBUG"}},
		{name: "TF_LOG_PROVIDER", env: map[string]string{"TF_LOG_PROVIDER": "TRACE"}},
		{name: "debug mode", debug: true},
		{name: "explicit SDK level kept", env: map[string]string{"TF_LOG_SDK_PROTO": "trace"},
			want: map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_OPENEO": "off"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := QuietLogEnv(func(k string) string { return tc.env[k] }, tc.debug)
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTflogLoggerLevels(t *testing.T) {
	for env, want := range map[string][]bool{ // debug, info, warn, error enabled
		"":      {true, true, true, true},
		"trace": {true, true, true, true},
		"off":   {false, false, false, false},
		"INFO":  {false, true, true, true},
		"warn":  {false, false, true, true},
		"error": {false, false, false, true},
	} {
		l := newTflogLogger(func(k string) string {
			if k == "TF_LOG_PROVIDER_OPENEO" {
				return env
			}
			return ""
		})
		for i, level := range []flows.LogLevel{flows.LevelDebug, flows.LevelInfo, flows.LevelWarn, flows.LevelError} {
			if got := l.Enabled(level); got != want[i] {
				t.Errorf("TF_LOG_PROVIDER_OPENEO=%q: %s enabled %v, want %v", env, level, got, want[i])
			}
		}
	}
}
