# Sourced by the scripts that start provider plugins (tests, docs, examples,
# demo): a Unix socket path has at most 107 bytes, and go-plugin and Terraform
# put plugin sockets straight into TMPDIR, so a long TMPDIR (a deep CI
# workspace) would stop every plugin from starting. Such a TMPDIR is replaced
# by /tmp for the run, with a note.
tmpdir_now="${TMPDIR:-}"
if [ "${#tmpdir_now}" -gt 48 ]; then
  echo "$(basename "$0"): TMPDIR is ${#tmpdir_now} characters long, too long for plugin sockets; using /tmp for this run" >&2
  export TMPDIR=/tmp
fi
unset tmpdir_now
