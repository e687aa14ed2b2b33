#!/usr/bin/env bash
# ci/test.sh: install, build (debug + ASan/UBSan) and run every test: unit
# tests, fuzz-corpus replays, the built-in peers, the CLI contract, and the
# integration tests against real Postfix, Exim, OpenSMTPD and real clients on
# 127.0.0.1. Ends with the time each stage took.
#
#   ci/test.sh [CTEST-ARGS...]     e.g. ci/test.sh -R client_role
#
# A rerun reuses what is there: packages already installed are not fetched
# again, the build tree (build/asan) rebuilds only what changed, and ccache
# (~/.cache/ccache) serves what a new tree would compile again. SMTPEER_INTEGRATION_JOBS (default 6) sets how many
# integration tests run at once: they mostly wait on servers' timeouts, so
# six fit on two cores.
set -uo pipefail
cd "$(dirname "$0")/.."
. ci/stages.sh
trap stage_summary EXIT

stages_build_asan
jobs=$(nproc)
stage unit ctest --preset asan -L unit -j "$jobs" --timeout 600 "$@"
stage fuzz ctest --preset asan -L fuzz -j "$jobs" --timeout 600 "$@"
stage integration ctest --preset asan -L integration -j "${SMTPEER_INTEGRATION_JOBS:-6}" --timeout 1200 "$@"
stage_failed && exit 1
exit 0
