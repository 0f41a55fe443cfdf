#!/usr/bin/env bash
# make fuzz: runs every Go fuzz target of the module for FUZZTIME each
# (a duration such as 30s, the default, or a count of inputs such as 20000x:
# CI uses a count, so that a busy machine takes longer instead of doing less). Targets are discovered per
# package with `go test -list '^Fuzz'`, so a new target needs no change here.
# The committed seed corpora (testdata/fuzz/<target>/) also run in
# `make test`, as ordinary tests. A failing input is written by Go to
# testdata/fuzz/<target>/ of its package: commit it as a new seed once fixed.
# Such an input, a failing seed or a build failure fails the run. A target
# that fails without any of them (Go's fuzz coordinator can stop with
# "context deadline exceeded" at the time limit) runs once more, and is
# reported but not counted as a failure when that happens twice.
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

# corpus_files DIR: the files of a target's corpus folder, one per line (none: nothing).
corpus_files() { if [ -d "$1" ]; then find "$1" -type f | sort; fi; }

# fuzz_once PKG NAME LOG: one fuzzing run; its output goes to the terminal and LOG.
fuzz_once() {
  # -run '^$' skips the ordinary tests; the seed corpus still runs first.
  # -fuzzminimizetime bounds the minimisation of a new interesting input, which
  # otherwise can stall a short run on a busy machine.
  go test -run '^$' -fuzz "^${2}\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZMINIMIZETIME:-100x}" \
    ${FUZZ_PARALLEL:+-parallel "$FUZZ_PARALLEL"} "$1" 2>&1 | tee "$3"
  return "${PIPESTATUS[0]}"
}

# real_failure LOG CORPUS BEFORE: true when a failed run found something: Go
# wrote a new failing input to testdata/fuzz/<target>/, a seed failed, or the
# package did not build. A failure with none of these (Go's fuzz coordinator
# can stop with "context deadline exceeded" at the time limit on a busy
# machine) is not a finding.
real_failure() {
  grep -qE 'Failing input written to|--- FAIL: Fuzz[A-Za-z0-9_]*/|\[build failed\]|\[setup failed\]' "$1" && return 0
  [ "$(corpus_files "$2")" != "$3" ]
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
flaky=()
for t in "${targets[@]}"; do
  pkg=${t% *}
  name=${t#* }
  corpus="$(go list -f '{{.Dir}}' "$pkg")/testdata/fuzz/$name"
  echo "=== $name ($pkg)" >&2
  for attempt in 1 2; do
    before=$(corpus_files "$corpus")
    if fuzz_once "$pkg" "$name" "$log"; then
      break
    fi
    if real_failure "$log" "$corpus" "$before"; then
      failed+=("$name ($pkg)")
      break
    fi
    if [ "$attempt" = 1 ]; then
      echo "fuzz: $name failed without a failing input (the fuzzing engine, not the code): running it once more" >&2
    else
      echo "fuzz: $name failed twice without a failing input: not counted as a finding" >&2
      flaky+=("$name ($pkg)")
    fi
  done
done

if [ "${#flaky[@]}" -gt 0 ]; then
  echo "fuzz: targets whose engine stopped twice without an input (not failures):" >&2
  printf '  %s\n' "${flaky[@]}" >&2
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: failing targets:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran $fuzztime each; no failing input found" >&2
