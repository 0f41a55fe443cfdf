#!/usr/bin/env bash
# make fuzz: runs every Go fuzz target of the module for FUZZTIME each
# (default 30s; CI calls it with FUZZTIME=5s). Targets are discovered per
# package with `go test -list '^Fuzz'`, so a new target needs no change here.
# The committed seed corpora (testdata/fuzz/<target>/) also run in
# `make test`, as ordinary tests. A failing input is written by Go to
# testdata/fuzz/<target>/ of its package: commit it as a new seed once fixed.
#
# FUZZ_PKGS narrows the packages (default ./...), FUZZ_RUN the targets
# (a regular expression), FUZZ_PARALLEL sets -parallel (default: Go's,
# GOMAXPROCS).
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-30s}
filter=${FUZZ_RUN:-.}
pkgs=$(go list ${FUZZ_PKGS:-./...})

targets=()
for pkg in $pkgs; do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  # Only packages with test files can hold fuzz targets.
  if ! ls "$dir"/*_test.go >/dev/null 2>&1; then
    continue
  fi
  if ! grep -qs '^func Fuzz' "$dir"/*_test.go; then
    continue
  fi
  while IFS= read -r name; do
    case "$name" in
      Fuzz*) if [[ "$name" =~ $filter ]]; then targets+=("$pkg $name"); fi ;;
    esac
  done < <(go test -list '^Fuzz' "$pkg")
done

if [ "${#targets[@]}" = 0 ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, $fuzztime each" >&2

failed=()
for t in "${targets[@]}"; do
  pkg=${t% *}
  name=${t#* }
  echo "=== $name ($pkg)" >&2
  # -run '^$' skips the ordinary tests; the seed corpus still runs first.
  # -fuzzminimizetime bounds the minimisation of a new interesting input, which
  # otherwise can stall a short run on a busy machine.
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZMINIMIZETIME:-100x}" \
    ${FUZZ_PARALLEL:+-parallel "$FUZZ_PARALLEL"} "$pkg"; then
    failed+=("$name ($pkg)")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: failing targets:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran $fuzztime each without a failure" >&2
