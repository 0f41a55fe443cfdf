// Command terraform-provider-openeo serves the openEO Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	runtimedebug "runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
)

// version is set at build time, e.g. by goreleaser:
// go build -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()
	// The provider keeps a small heap and makes garbage per request: with
	// Go's default GOGC=100 garbage collection was about a fifth of the CPU
	// time of a data-source read (make bench, perf). 200 halves the number
	// of collections for a few MB more memory. A GOGC in the environment
	// wins.
	if os.Getenv("GOGC") == "" {
		runtimedebug.SetGCPercent(200)
	}
	for k, v := range provider.QuietLogEnv(os.Getenv, debug) {
		if err := os.Setenv(k, v); err != nil {
			log.Fatal(err.Error())
		}
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
