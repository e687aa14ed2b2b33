#!/usr/bin/env bash
# ci/test.sh: install, build (debug + ASan/UBSan) and run every test: unit
# tests, fuzz-corpus replays, the built-in peers, the CLI contract, and the
# integration tests against real Postfix, Exim and OpenSMTPD on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset asan >/dev/null
cmake --build --preset asan
# detect_leaks stays on; the OpenSSL error strings are loaded once per process.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --preset asan -j "$(nproc)" --timeout 1200 "$@"
