#!/usr/bin/env bash
# Checks every example under examples/:
#   1. terraform fmt -check -recursive examples/
#   2. terraform validate in each folder that holds *.tf files, against a
#      provider binary built from this checkout and installed through
#      dev_overrides in a private CLI config, so no registry is contacted and
#      nothing is written into the repository (TF_DATA_DIR is a temp dir).
#
# Examples may use only the openeo provider: anything else would need
# `terraform init`, which downloads. Set TERRAFORM=<binary> to use another CLI
# (e.g. OpenTofu's tofu).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/short-tmpdir.sh

tf="${TERRAFORM:-terraform}"
if ! command -v "$tf" >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then
    echo "examples-check: no $tf on PATH; CI must run this check with a Terraform CLI." >&2
    exit 1
  fi
  echo "examples-check: skipped: no $tf on PATH." >&2
  exit 0
fi
[ -d examples ] || { echo "examples-check: no examples/ folder" >&2; exit 1; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# Until the provider is built: no CLI config at all (no warnings about a
# missing file, no plugin cache, no update check).
: >"$scratch/terraformrc"
export TF_CLI_CONFIG_FILE="$scratch/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_PLUGIN_CACHE_DIR

echo "examples-check: $tf fmt -check" >&2
if ! "$tf" fmt -check -recursive -diff examples/; then
  echo "examples-check: run '$tf fmt -recursive examples/' (or 'make docs')." >&2
  exit 1
fi

echo "examples-check: building the provider" >&2
mkdir -p "$scratch/plugins"
go build -o "$scratch/plugins/terraform-provider-openeo" .

# Registry docs examples usually omit required_providers, which makes the CLI
# imply hashicorp/openeo; the published source is openeo-tf/openeo. Override both.
cat >"$scratch/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "openeo-tf/openeo" = "$scratch/plugins"
    "hashicorp/openeo" = "$scratch/plugins"
  }
  direct {}
}
EOF

failed=0
count=0
while IFS= read -r dir; do
  count=$((count + 1))
  export TF_DATA_DIR="$scratch/data/$count"
  # The dev_overrides warning is expected; show only errors.
  if out="$("$tf" -chdir="$dir" validate -no-color 2>&1)"; then
    echo "ok   $dir" >&2
  else
    echo "FAIL $dir" >&2
    echo "$out" | sed -n '/^Error/,$p' | sed 's/^/     /' >&2
    failed=1
  fi
done < <(find examples -name '*.tf' -not -path '*/.terraform/*' -not -path '*/.demo/*' -exec dirname {} \; | sort -u)

if [ "$count" = 0 ]; then
  echo "examples-check: no *.tf files under examples/" >&2
  exit 1
fi
if [ "$failed" != 0 ]; then
  echo "examples-check: some examples do not validate" >&2
  exit 1
fi
echo "examples-check: $count example folders formatted and valid" >&2
