#!/usr/bin/env bash
# Runs go vet and every test with the rig (test IdP) started, then stops the rig.
# TEST_RUN narrows the tests (go test -run), TEST_PKGS the packages.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/short-tmpdir.sh

started=0
cleanup() { if [ "$started" = 1 ]; then scripts/rig.sh stop || true; fi; }
trap cleanup EXIT

if ! scripts/rig.sh status >/dev/null 2>&1; then
  scripts/rig.sh start
  started=1
fi
eval "$(scripts/rig.sh env)"

# The CLI by the one rule of internal/tfrun (TF_ACC_TERRAFORM_PATH, else terraform on PATH).
if ! why=$(go run ./internal/tfrun/tfcli path 2>&1 >/dev/null); then
  why=$(head -n1 <<<"$why")
  echo "note: ${why#tfcli path: }: the CLI acceptance tests will skip themselves." >&2
fi

# The provider's published namespace: terraform-plugin-testing then adds
# required_providers with source <host>/openeo-tf/openeo to test configs that
# have no terraform block, as a user's configuration would. Harmless under
# Terraform (the in-process providers are reattached by that address), needed
# for parity with make testacc-tofu.
export TF_ACC_PROVIDER_NAMESPACE="${TF_ACC_PROVIDER_NAMESPACE:-openeo-tf}"

go vet ./...

# The tests run with a fresh TMPDIR (short: Unix socket paths have a length
# limit), so that what they leave behind can be listed afterwards: a go-plugin
# socket (plugin<digits>) left there means a provider plugin or an in-process
# provider server was not stopped cleanly, and fails the run.
test_tmp=$(mktemp -d "${TMPDIR:-/tmp}/t.XXXXXX")
cleanup_tmp() { rm -rf "$test_tmp"; }
trap 'cleanup_tmp; cleanup' EXIT
rc=0
TMPDIR="$test_tmp" TF_ACC=1 go test -count=1 -timeout 30m ${TEST_RUN:+-run "$TEST_RUN"} ${TEST_PKGS:-./...} || rc=$?
sockets=$(find "$test_tmp" -type s -name 'plugin*' 2>/dev/null | sed "s|^$test_tmp/|\$TMPDIR/|")
if [ -n "$sockets" ]; then
  echo "test.sh: the tests left go-plugin sockets in \$TMPDIR (a plugin process or provider server not stopped):" >&2
  echo "$sockets" | sed 's/^/  /' >&2
  [ "$rc" != 0 ] || rc=1
fi
exit "$rc"
