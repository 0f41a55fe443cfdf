#!/usr/bin/env bash
# make bench: figures, not a pass/fail test. Starts the test IdP if it is not
# running (and stops it again afterwards; an IdP someone else started is left
# alone), then runs the benchmark program internal/bench, which builds the
# provider, runs `terraform plan`/`apply` with N openeo objects beside N
# terraform_data in alternating rounds, counts the IdP's and the back-end's
# requests and the provider's CPU time, runs the Go benchmarks of the hot paths, writes results/bench.md,
# results/bench.svg and results/bench.json (git-ignored) and prints the tables.
#
# Knobs (environment): BENCH_N (object counts for every scenario; default
# apply 10,100,500,1000,2000, data 10,100,500,1000, ephemeral 10,100,500), BENCH_ROUNDS (3),
# BENCH_SCENARIOS (data,ephemeral,apply), BENCH_RESULTS (results),
# BENCH_GO=0 (skip the Go benchmarks), BENCH_GO_BENCHTIME (1s), BENCH_TIMEOUT
# (limit of one terraform command, 30m).
set -euo pipefail
cd "$(dirname "$0")/.."

# The CLI by the rule of the tests (internal/tfrun): TF_ACC_TERRAFORM_PATH, else terraform on PATH.
if ! why=$(go run ./internal/tfrun/tfcli path 2>&1 >/dev/null); then
  why=$(head -n1 <<<"$why")
  echo "bench: no Terraform CLI: ${why#tfcli path: }" >&2
  exit 1
fi

started=0
cleanup() { if [ "$started" = 1 ]; then scripts/rig.sh stop || true; fi; }
trap cleanup EXIT

if ! scripts/rig.sh status >/dev/null 2>&1; then
  scripts/rig.sh start
  started=1
fi
eval "$(scripts/rig.sh env)"
if [ -z "${OPENEO_TEST_ISSUER:-}" ]; then
  echo "bench: the test IdP did not start (it needs Node.js and npm; see scripts/rig.sh)." >&2
  exit 1
fi

go run ./internal/bench
