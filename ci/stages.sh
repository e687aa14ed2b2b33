# ci/stages.sh: named, timed stages for the ci/ scripts (sourced, not run).
#
#   stage NAME CMD...   run CMD as stage NAME, record its wall time and status
#   stage_failed        0 when a stage has failed so far
#   stage_summary       one line per stage: name, seconds, ok/FAILED
#
# A failed stage does not stop the script by itself (the caller decides), so
# that e.g. the integration tests still run after a unit test failed and the
# summary shows both. The summary is printed on exit, whatever happened.

_stage_names=()
_stage_secs=()
_stage_status=()
_stage_t0=$(date +%s)

stage() {
  local name=$1
  shift
  local t0 rc=0
  t0=$(date +%s)
  echo "=== stage $name: $*" >&2
  "$@" || rc=$?
  _stage_names+=("$name")
  _stage_secs+=($(($(date +%s) - t0)))
  _stage_status+=("$rc")
  if [ "$rc" -ne 0 ]; then
    echo "=== stage $name FAILED (exit $rc)" >&2
  fi
  return 0
}

stage_failed() {
  local s
  for s in "${_stage_status[@]}"; do
    [ "$s" -ne 0 ] && return 0
  done
  return 1
}

stage_summary() {
  local i total=$(($(date +%s) - _stage_t0))
  echo
  echo "stage         seconds  result"
  for i in "${!_stage_names[@]}"; do
    printf '%-13s %7d  %s\n' "${_stage_names[$i]}" "${_stage_secs[$i]}" \
      "$([ "${_stage_status[$i]}" -eq 0 ] && echo ok || echo "FAILED (exit ${_stage_status[$i]})")"
  done
  printf '%-13s %7d  (%d cores)\n' total "$total" "$(nproc)"
}

# stages_build_asan: the install, configure and build stages every test
# script starts with (ci/test.sh, ci/flaky.sh); exits at the first failure.
# Then exports the sanitizer options the tests run with: detect_leaks stays
# on (the OpenSSL error strings are loaded once per process).
stages_build_asan() {
  stage install bash ci/install-deps.sh
  stage_failed && exit 1
  stage configure cmake --preset asan
  stage_failed && exit 1
  stage build cmake --build --preset asan
  stage_failed && exit 1
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
}
