#!/usr/bin/env bash
# make demo: the provider end to end on this machine, with nothing from a registry.
#
#  1. starts the test IdP (scripts/rig.sh) unless it already runs,
#  2. starts the openEO test back-end (cmd/openeo-test-backend) on a free port of 127.0.0.1,
#     with the IdP as OIDC provider and a basic-auth user,
#  3. builds the provider into a temporary folder and installs it through a private CLI
#     configuration with dev_overrides and a filesystem mirror for init (TF_CLI_CONFIG_FILE),
#  4. runs terraform init and apply on examples/demo (OIDC client credentials and basic auth),
#  5. prints the accounts and the token expiry, and stops everything it started.
#
# Needs Go, Node.js with npm (for the IdP) and Terraform >= 1.10 (or TERRAFORM=/path/to/terraform).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"

say() { printf '\033[1mdemo:\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

t_start=$(date +%s)
terraform=${TERRAFORM:-terraform}
command -v go >/dev/null 2>&1 || die "Go is not on PATH: install Go (see go.mod for the version)."
command -v "$terraform" >/dev/null 2>&1 ||
  die "Terraform is not on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) or set TERRAFORM=/path/to/terraform."
command -v node >/dev/null 2>&1 || die "Node.js is not on PATH: the test IdP needs Node.js 20+ with npm."

tmp=$(mktemp -d "${TMPDIR:-/tmp}/openeo-demo.XXXXXX")
rig_started=0
backend_pid=""
cleanup() {
  local rc=$?
  if [ -n "$backend_pid" ] && kill -0 "$backend_pid" 2>/dev/null; then
    kill "$backend_pid" 2>/dev/null || true
    wait "$backend_pid" 2>/dev/null || true
  fi
  if [ "$rig_started" = 1 ]; then
    scripts/rig.sh stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  if [ "$rc" = 0 ]; then
    say "stopped everything it started ($(($(date +%s) - t_start)) s in total)"
  else
    say "failed (exit $rc); stopped everything it started"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Keep the demo away from the user's own openEO settings and files.
unset OPENEO_BACKEND_URL OPENEO_AUTH_METHOD OPENEO_AUTH_USERNAME OPENEO_AUTH_PASSWORD \
  OPENEO_AUTH_PROVIDER_ID OPENEO_AUTH_CLIENT_ID OPENEO_AUTH_CLIENT_SECRET OPENEO_CLIENT_CONFIG
export OPENEO_CONFIG_HOME="$tmp/openeo"
mkdir -p "$OPENEO_CONFIG_HOME"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

# 1. The test IdP.
if scripts/rig.sh status >/dev/null 2>&1; then
  say "using the test IdP that already runs"
else
  say "starting the test IdP (scripts/rig.sh start)"
  rig_started=1
  scripts/rig.sh start >/dev/null
fi
eval "$(scripts/rig.sh env)"
[ -n "${OPENEO_TEST_ISSUER:-}" ] || die "the test IdP did not start (see .rig/idp.log)"
issuer=$OPENEO_TEST_ISSUER

# 2. Build the provider and the test back-end.
say "building the provider and the test back-end"
mkdir -p "$tmp/bin"
go build -o "$tmp/bin/terraform-provider-openeo" .
go build -o "$tmp/openeo-test-backend" ./cmd/openeo-test-backend

basic_user=demo
basic_password="demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
"$tmp/openeo-test-backend" --issuer "$issuer" --basic-user "$basic_user:$basic_password" \
  --url-file "$tmp/backend-url" --quiet &
backend_pid=$!
for _ in $(seq 1 100); do
  [ -s "$tmp/backend-url" ] && break
  kill -0 "$backend_pid" 2>/dev/null || die "the test back-end exited"
  sleep 0.1
done
[ -s "$tmp/backend-url" ] || die "the test back-end did not start"
backend_url=$(cat "$tmp/backend-url")
say "openEO test back-end: $backend_url (OIDC provider: $issuer)"

# 3. A private CLI configuration: the provider comes from the folder just built.
# dev_overrides serves the provider from the folder just built; the filesystem
# mirror (the same binary) lets `terraform init` resolve it without asking the
# registry, which dev_overrides alone would do. No other provider is allowed.
platform="$(go env GOOS)_$(go env GOARCH)"
mirror="$tmp/mirror/registry.terraform.io/openeo-tf/openeo/0.0.1/$platform"
mkdir -p "$mirror"
cp "$tmp/bin/terraform-provider-openeo" "$mirror/terraform-provider-openeo_v0.0.1"
cat >"$tmp/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/openeo-tf/openeo" = "$tmp/bin"
  }
  filesystem_mirror {
    path    = "$tmp/mirror"
    include = ["registry.terraform.io/openeo-tf/openeo"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$tmp/terraformrc"

# 4. terraform apply on a copy of examples/demo (state stays in the temporary folder).
work="$tmp/work"
mkdir -p "$work"
cp examples/demo/*.tf "$work/"
export TF_VAR_backend_url="$backend_url"
export TF_VAR_client_id=openeo-tf TF_VAR_client_secret=openeo-tf-secret # the IdP's static confidential client
export TF_VAR_basic_username="$basic_user" TF_VAR_basic_password="$basic_password"

say "terraform version: $("$terraform" version | head -n1)"
say "terraform init (provider from the private mirror, no registry)"
if ! "$terraform" -chdir="$work" init -input=false -no-color >"$tmp/init.log" 2>&1; then
  cat "$tmp/init.log" >&2
  die "terraform init failed"
fi
say "terraform apply (provider from dev_overrides, no registry)"
if ! "$terraform" -chdir="$work" apply -auto-approve -input=false -no-color >"$tmp/apply.log" 2>&1; then
  cat "$tmp/apply.log" >&2
  die "terraform apply failed"
fi
grep -E '^(data|ephemeral)\.[a-z_.]+: (Read complete|Opening complete)|^Apply complete' "$tmp/apply.log" | sed 's/^/  /' || true

# 5. The result.
out() { "$terraform" -chdir="$work" output -raw "$1" 2>/dev/null || "$terraform" -chdir="$work" output -json "$1"; }
json() { "$terraform" -chdir="$work" output -json "$1"; }
echo
say "result"
echo "  back-end:               $(out backend)"
echo "  account (OIDC):         $(json account_oidc)"
echo "  account (basic):        $(json account_basic)"
echo "  account (ephemeral):    $(out account_via_ephemeral_bearer)"
echo "  OIDC token:             $(json oidc_token)"
echo
