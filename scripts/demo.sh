#!/usr/bin/env bash
# make demo: the provider end to end on this machine, with nothing from a registry.
#
#  1. starts the test IdP (scripts/rig.sh) unless it already runs,
#  2. starts the openEO test back-end (cmd/openeo-test-backend) on a free port of 127.0.0.1,
#     with the IdP as OIDC provider and a basic-auth user,
#  3. builds the provider into a temporary folder and installs it through a private CLI
#     configuration with dev_overrides and a filesystem mirror for init: the Terraform CLI
#     driver of the tests and the bench (internal/tfrun, through its command tfcli) does that
#     and runs every terraform command,
#  4. runs terraform init and apply on examples/demo: OIDC client credentials and basic auth
#     (provider authentication), an openeo_auth_config_basic entry written to auth-config.json
#     and read back with the openeo_auth_config data source (file resources),
#  5. prints the accounts, the token expiry and the auth-config.json entry, then the same file
#     through `openeo-auth config-dump` (the command), and stops everything it started.
#
# The user's own openEO files and Terraform configuration are never touched: OPENEO_CONFIG_HOME,
# TF_CLI_CONFIG_FILE, the state and the working directory all live in a temporary folder.
# Colour (bold labels) only on a terminal, and never when NO_COLOR is set (https://no-color.org).
#
# Needs Go, Node.js with npm (for the IdP) and Terraform >= 1.11: TF_ACC_TERRAFORM_PATH (an absolute
# path), else terraform on PATH.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"
. scripts/short-tmpdir.sh

# Bold labels on stderr (say) and stdout (heading) only where that stream is a terminal, NO_COLOR
# is unset or empty (https://no-color.org) and TERM is not dumb; otherwise plain text.
bold_on="" bold_off="" out_on="" out_off=""
if [ -z "${NO_COLOR:-}" ] && [ "${TERM:-}" != dumb ]; then
  if [ -t 2 ]; then bold_on=$'\033[1m' bold_off=$'\033[0m'; fi
  if [ -t 1 ]; then out_on=$'\033[1m' out_off=$'\033[0m'; fi
fi
say() { printf '%sdemo:%s %s\n' "$bold_on" "$bold_off" "$*" >&2; }
die() { say "$*"; exit 1; }
# heading TEXT: a heading of the result on stdout.
heading() { printf '\n%s%s%s\n' "$out_on" "$*" "$out_off"; }
# label TEXT VALUE: one labelled line of the result.
label() { printf '  %-46s %s\n' "$1" "$2"; }

t_start=$(date +%s)
command -v go >/dev/null 2>&1 || die "Go is not on PATH: install Go (see go.mod for the version)."
command -v node >/dev/null 2>&1 || die "Node.js is not on PATH: the test IdP needs Node.js 20+ with npm."

# A cold machine (Go modules not downloaded yet, or packages not in Go's build cache) spends
# minutes on the first build: say so before anything else happens.
cold=0
if ! stale=$(GOPROXY=off GOFLAGS=-mod=readonly go list -deps \
  -f '{{if and .Stale (ne .Name "main")}}{{.ImportPath}}{{end}}' . ./cmd/openeo-test-backend ./cmd/openeo-auth \
  ./internal/tfrun/tfcli 2>/dev/null); then
  cold=1
  say "first run on this machine: Go downloads the modules and compiles the provider, the test back-end and" \
    "openeo-auth; that takes a few minutes (later runs take seconds)"
elif [ "$(grep -c . <<<"$stale")" -gt 20 ]; then
  cold=1
  say "first build on this machine (Go's build cache is cold): compiling the provider, the test back-end and" \
    "openeo-auth takes a few minutes (later runs take seconds)"
fi

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

# The Terraform CLI driver; it finds the CLI by the rule of the tests (TF_ACC_TERRAFORM_PATH, else
# terraform on PATH).
mkdir -p "$tmp/tools"
go build -o "$tmp/tools/tfcli" ./internal/tfrun/tfcli
tfcli="$tmp/tools/tfcli"
"$tfcli" path >/dev/null 2>"$tmp/path.log" || die "$(sed 's/^tfcli path: //' "$tmp/path.log")" \
  "(https://developer.hashicorp.com/terraform/install)."

# Keep the demo away from the user's own openEO and Terraform settings and files: no OPENEO_* or
# TF_* variable of the caller (TF_PLUGIN_CACHE_DIR, TF_DATA_DIR, TF_CLI_ARGS, TF_VAR_..., the
# OPENEO_AUTH_* credentials) reaches it, except TF_ACC_TERRAFORM_PATH, which names the CLI to run;
# the auth files and an empty openeo-client-config.ini (found before ~/.openeo-client-config.ini)
# are the demo's own.
for var in $(compgen -e); do
  case "$var" in TF_ACC_TERRAFORM_PATH) ;; OPENEO_* | TF_*) unset "$var" ;; esac
done
export OPENEO_CONFIG_HOME="$tmp/openeo"
mkdir -p "$OPENEO_CONFIG_HOME"
export OPENEO_CLIENT_CONFIG="$OPENEO_CONFIG_HOME/openeo-client-config.ini"
: >"$OPENEO_CLIENT_CONFIG"

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

# 2. and 3. Build the provider, the test back-end and openeo-auth. The driver builds the provider and
# writes a private CLI configuration (TF_CLI_CONFIG_FILE of every terraform command it runs):
# dev_overrides serves the provider from the folder just built; the filesystem mirror (the same
# binary) lets `terraform init` resolve it without asking the registry, which dev_overrides alone
# would do. No other provider is allowed.
t_build=$(date +%s)
say "building the provider, the test back-end and openeo-auth (go build)"
"$tfcli" setup -dir "$tmp/tf" -mirror
go build -o "$tmp/tools/openeo-test-backend" ./cmd/openeo-test-backend
go build -o "$tmp/tools/openeo-auth" ./cmd/openeo-auth
[ "$cold" = 0 ] || say "the first build took $(($(date +%s) - t_build)) s; later runs reuse Go's build cache"

basic_user=demo
basic_password="demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
"$tmp/tools/openeo-test-backend" --issuer "$issuer" --basic-user "$basic_user:$basic_password" \
  --url-file "$tmp/backend-url" --quiet >"$tmp/backend.log" 2>&1 &
backend_pid=$!
for _ in $(seq 1 300); do
  [ -s "$tmp/backend-url" ] && break
  kill -0 "$backend_pid" 2>/dev/null || { cat "$tmp/backend.log" >&2; die "the test back-end exited"; }
  sleep 0.1
done
[ -s "$tmp/backend-url" ] || { cat "$tmp/backend.log" >&2; die "the test back-end did not start"; }
backend_url=$(cat "$tmp/backend-url")
say "openEO test back-end: $backend_url (OIDC provider: $issuer)"

# 4. terraform apply on a copy of examples/demo (state stays in the temporary folder).
work="$tmp/work"
mkdir -p "$work"
cp examples/demo/*.tf "$work/"
# tf ARGS...: terraform ARGS in the working folder, through the driver (a private plugin socket
# folder; TF_VAR_* and OPENEO_* of this script pass through).
tf() { "$tfcli" run -setup "$tmp/tf" -chdir "$work" "$@"; }
export TF_VAR_backend_url="$backend_url"
export TF_VAR_client_id=openeo-tf TF_VAR_client_secret=openeo-tf-secret # the IdP's static confidential client
export TF_VAR_basic_username="$basic_user" TF_VAR_basic_password="$basic_password"

say "terraform version: $(tf version | sed -n 1p)"
say "terraform init (provider from the private mirror, no registry)"
if ! tf init -input=false -no-color >"$tmp/init.log" 2>&1; then
  cat "$tmp/init.log" >&2
  die "terraform init failed"
fi
say "terraform apply (provider from dev_overrides, no registry); what it read, opened and created:"
if ! tf apply -auto-approve -input=false -no-color >"$tmp/apply.log" 2>&1; then
  cat "$tmp/apply.log" >&2
  die "terraform apply failed"
fi
grep -E '^([a-z]+\.)?openeo_[a-z_]+\.[a-z_]+: (Read complete|Opening complete|Creation complete)|^Apply complete' \
  "$tmp/apply.log" | sed 's/^/  /' || true

# 5. The result, in three parts: provider authentication, the file resources, the openeo-auth command.
out() { tf output -raw "$1" 2>/dev/null || tf output -json "$1"; }
json() { tf output -json "$1"; }

heading "1. Provider authentication (data sources and an ephemeral resource, examples/demo/main.tf)"
label "openEO back-end (data.openeo_capabilities):" "$(out backend)"
label "account via OIDC client credentials:" "$(json account_oidc)"
label "account via basic auth (provider alias):" "$(json account_basic)"
label "user id via the ephemeral bearer token:" "$(out account_via_ephemeral_bearer)"
label "OIDC token, without the token itself:" "$(json oidc_token)"

heading "2. File resources: the openEO Python client's auth-config.json (the demo's own, in a temporary folder)"
label "entry written (openeo_auth_config_basic):" "$(json auth_config_entry_written)"
label "basic entries read back (openeo_auth_config):" "$(json auth_config_basic_entries_read_back)"

heading "3. The openeo-auth command: \`openeo-auth config-dump\` of that file (secrets redacted)"
"$tmp/tools/openeo-auth" config-dump >"$tmp/config-dump.txt" 2>&1 || {
  cat "$tmp/config-dump.txt" >&2
  die "openeo-auth config-dump failed"
}
! grep -qF "$basic_password" "$tmp/config-dump.txt" || die "openeo-auth config-dump showed the password: a bug, please report it"
sed 's/^/  /' "$tmp/config-dump.txt"
echo
