#!/usr/bin/env bash
# Builds golangci-lint at the version pinned in tools/go.mod into bin/ and runs
# it from the repository root on the provider module (.golangci.yml).
# Extra arguments go to `golangci-lint run`, e.g. scripts/lint.sh --fix.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p bin
# go build is incremental: this is quick when the binary is up to date.
(cd tools && GOWORK=off go build -o ../bin/golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint)

bin/golangci-lint version --short >&2
bin/golangci-lint config verify
exec bin/golangci-lint run "$@" ./...
