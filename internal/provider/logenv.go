package provider

// The SDK's loggers (terraform-plugin-go, terraform-plugin-framework) log at
// TRACE level, as JSON on stderr, unless TF_LOG_SDK and friends say
// otherwise: every request encodes a dozen trace lines, which the CLI then
// decodes and drops when TF_LOG and TF_LOG_PROVIDER are unset (it shows no
// provider log at all then). That was about a third of the provider's CPU
// time per data-source read.

// logLevelVars are the variables that set the levels of the provider's
// loggers: the SDK root, its proto and framework subsystems, and the
// provider's own tflog logger (TF_LOG_PROVIDER_<name>).
var logLevelVars = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_OPENEO"}

// QuietLogEnv returns the variables to set before serving so that the
// provider's loggers are off when the CLI would drop their lines anyway:
// neither TF_LOG nor TF_LOG_PROVIDER is set, and the provider does not run
// in debug mode (where its stderr is read directly). A level set
// explicitly is kept.
func QuietLogEnv(getenv func(string) string, debug bool) map[string]string {
	if debug || getenv("TF_LOG") != "" || getenv("TF_LOG_PROVIDER") != "" {
		return nil
	}
	set := map[string]string{}
	for _, v := range logLevelVars {
		if getenv(v) == "" {
			set[v] = "off"
		}
	}
	return set
}
