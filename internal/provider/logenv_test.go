package provider

import (
	"maps"
	"testing"
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
