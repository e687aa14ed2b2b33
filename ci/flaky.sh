#!/usr/bin/env bash
# ci/flaky.sh: the flake check. Installs and builds as ci/test.sh does, then
# runs the integration tests three times in a row (ctest --repeat
# until-fail:3: each test three times, stopping at its first failure), and
# once more beside a CPU load (stress-ng --cpu 1, one of the two cores
# busy, bounded by --timeout and stopped by PID when the run ends). All of
# it must pass before an issue that touches integration tests is resolved.
#
#   ci/flaky.sh [CTEST-ARGS...]     e.g. ci/flaky.sh -R client_role
#
# About 25 minutes on 2 cores (OpenSMTPD's fixed 300 s idle timeout, four
# times). SMTPEER_INTEGRATION_JOBS as in ci/test.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
. ci/stages.sh
load_pid=
cleanup() {
  if [ -n "$load_pid" ]; then
    kill "$load_pid" 2>/dev/null
    wait "$load_pid" 2>/dev/null
  fi
  stage_summary
}
trap cleanup EXIT

stages_build_asan
jobs=${SMTPEER_INTEGRATION_JOBS:-6}
stage repeat-3 ctest --preset asan -L integration -j "$jobs" --timeout 1200 --repeat until-fail:3 "$@"

if ! command -v stress-ng >/dev/null; then
  echo "ci/flaky.sh: stress-ng not found: install Debian package stress-ng (ci/install-deps.sh)" >&2
  exit 1
fi
# The load lives at most 40 minutes, even if this script is killed.
stress-ng --cpu 1 --timeout 2400s --quiet &
load_pid=$!
stage under-load ctest --preset asan -L integration -j "$jobs" --timeout 1200 "$@"
kill "$load_pid" 2>/dev/null
wait "$load_pid" 2>/dev/null
load_pid=
stage_failed && exit 1
exit 0
