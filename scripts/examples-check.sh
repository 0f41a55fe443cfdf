#!/usr/bin/env bash
# Checks every example under examples/ with the Terraform CLI driver
# (internal/tfrun, through its command internal/tfrun/tfcli):
#   1. terraform fmt -check -recursive examples/
#   2. terraform validate in each folder that holds *.tf files, against a
#      provider binary built from this checkout and installed through
#      dev_overrides in a private CLI config, so no registry is contacted and
#      nothing is written into the repository (TF_DATA_DIR is a temp dir).
#
# Examples may use only the openeo provider: anything else would need
# `terraform init`, which downloads. The CLI is TF_ACC_TERRAFORM_PATH, else
# terraform on PATH; without one the check skips, or fails when CI is set.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/short-tmpdir.sh
exec go run ./internal/tfrun/tfcli examples-check examples
