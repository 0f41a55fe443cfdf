#!/usr/bin/env bash
# Registry documentation with tfplugindocs (pinned in tools/go.mod).
#
#   scripts/docs.sh generate   terraform fmt examples/, then render templates/ +
#                              examples/ + the provider schema into docs/
#   scripts/docs.sh check      render into a scratch folder and fail if docs/
#                              differs, then run `tfplugindocs validate`
#
# tfplugindocs reads the schema through a Terraform CLI found on PATH (it would
# otherwise try to download one). Pages of features the CLI does not know are
# silently dropped, so a Terraform >= 1.11 is required (ephemeral resources and
# write-only attributes). Without one, `generate` prints a note and exits 0;
# `check` does the same locally but fails when CI is set (override with
# DOCS_ALLOW_SKIP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/short-tmpdir.sh

mode="${1:-}"
case "$mode" in
  generate|check) ;;
  *) echo "usage: $0 generate|check" >&2; exit 2 ;;
esac

provider_name=openeo
rendered_name=openEO
min_tf=1.11.0

skip() {
  if [ "$mode" = check ] && [ -n "${CI:-}" ] && [ -z "${DOCS_ALLOW_SKIP:-}" ]; then
    echo "docs-check: $1; CI must run this check with Terraform >= $min_tf on PATH." >&2
    exit 1
  fi
  echo "docs: skipped: $1. Install Terraform >= $min_tf (any dir on PATH) to $mode docs/." >&2
  exit 0
}

# version_ge A B: A >= B for dotted numeric versions.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | sed -n 1p)" = "$2" ]; }

command -v terraform >/dev/null 2>&1 || skip "no terraform on PATH"
# Read the whole output: `| head -n 1` can kill terraform with SIGPIPE, which
# pipefail turns into a failure of this script (exit 141).
tf_version_out="$(terraform version 2>/dev/null || true)"
tf_first_line="$(grep -m1 '^Terraform v' <<<"$tf_version_out" || sed -n 1p <<<"$tf_version_out")"
case "$tf_first_line" in
  "Terraform v"*) ;;
  # tfplugindocs lays plugins out for registry.terraform.io: OpenTofu would not find them.
  *) skip "the terraform on PATH is not Terraform ($tf_first_line)" ;;
esac
tf_version="${tf_first_line#Terraform v}"
tf_version="${tf_version%%[-+ ]*}"
version_ge "$tf_version" "$min_tf" || skip "Terraform $tf_version is older than $min_tf"

mkdir -p bin
(cd tools && GOWORK=off go build -o ../bin/tfplugindocs github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs)

# Keep the user's CLI configuration (dev_overrides, plugin caches, credentials)
# and the update check out of the schema export.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
: >"$scratch/terraformrc"
export TF_CLI_CONFIG_FILE="$scratch/terraformrc" CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR

tfplugindocs() {
  # tfplugindocs logs every step; keep the log and show it only on failure.
  if ! bin/tfplugindocs "$@" >"$scratch/log" 2>&1; then
    cat "$scratch/log" >&2
    echo "docs: tfplugindocs $1 failed" >&2
    return 1
  fi
}

case "$mode" in
generate)
  if [ -d examples ]; then terraform fmt -recursive examples/; fi
  tfplugindocs generate --provider-dir . --provider-name "$provider_name" \
    --rendered-provider-name "$rendered_name"
  echo "docs: docs/ regenerated with Terraform $tf_version" >&2
  ;;
check)
  # Render into a git-ignored folder inside the repo (tfplugindocs joins the
  # output folder onto --provider-dir, so it must be relative).
  out="bin/docs-check"
  rm -rf "$out"
  tfplugindocs generate --provider-dir . --provider-name "$provider_name" \
    --rendered-provider-name "$rendered_name" --rendered-website-dir "$out"
  if ! diff -ru docs "$out" >"$scratch/diff"; then
    cat "$scratch/diff" >&2
    echo "docs-check: docs/ is stale; run 'make docs' and commit the result." >&2
    exit 1
  fi
  rm -rf "$out"
  tfplugindocs validate --provider-dir . --provider-name "$provider_name"
  if [ -d examples ] && ! terraform fmt -check -recursive examples/ >"$scratch/fmt" 2>&1; then
    cat "$scratch/fmt" >&2
    echo "docs-check: examples/ are not formatted (or do not parse); run 'make docs'." >&2
    exit 1
  fi
  echo "docs-check: docs/ is up to date and valid (Terraform $tf_version)" >&2
  ;;
esac
