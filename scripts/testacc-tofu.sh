#!/usr/bin/env bash
# Runs the CLI acceptance tests under OpenTofu instead of Terraform.
# OpenTofu is built from the Go module proxy by scripts/build-tofu.sh into a
# cache folder outside the repository (first run: several minutes).
#
# terraform-plugin-testing serves the providers in-process, hands their
# addresses to the CLI (TF_REATTACH_PROVIDERS) and, when a test config has no
# terraform block, adds required_providers with source
# <TF_ACC_PROVIDER_HOST>/<TF_ACC_PROVIDER_NAMESPACE>/<name>. Without these
# variables it also registers registry.terraform.io/-/<name>, a reattach
# address OpenTofu rejects ("legacy provider namespace"), so tofu needs both.
# Test configs must therefore not hard-code a provider source.
#
# Environment: TOFU_VERSION, TOFU_CACHE_DIR (see build-tofu.sh); TEST_RUN
# (default: ^TestAcc and TestBinaryBootstrapThenTerraformApply), TEST_PKGS;
# TF_ACC_PROVIDER_NAMESPACE (default openeo-tf, the provider's published
# namespace; scripts/test.sh sets the same default for Terraform runs).
set -euo pipefail
cd "$(dirname "$0")/.."

tofu="$(scripts/build-tofu.sh | tail -n 1)"
echo "testacc-tofu: using $(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$tofu" version 2>/dev/null | grep -m1 '^OpenTofu v') at $tofu" >&2

export TF_ACC_TERRAFORM_PATH="$tofu"
export TF_ACC_PROVIDER_HOST=registry.opentofu.org
export TF_ACC_PROVIDER_NAMESPACE="${TF_ACC_PROVIDER_NAMESPACE:-openeo-tf}"

# ^TestAcc, plus the openeo-auth end-to-end test that ends in a real apply.
TEST_RUN="${TEST_RUN:-^(TestAcc|TestBinaryBootstrapThenTerraformApply$)}" exec scripts/test.sh
