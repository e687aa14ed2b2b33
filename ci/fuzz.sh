#!/usr/bin/env bash
# ci/fuzz.sh SECONDS: build the fuzz targets with clang + libFuzzer (+ASan/UBSan)
# and run each for SECONDS on a scratch copy of its corpus (new inputs land in
# build/fuzz/corpus-work/; crashes in build/fuzz/artifacts/ and fail the script).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
bash ci/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
work=build/fuzz/corpus-work
art=build/fuzz/artifacts
mkdir -p "$work" "$art"
status=0
for bin in build/fuzz/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  mkdir -p "$work/$name"
  cp -rn "fuzz/corpus/$name/." "$work/$name/" 2>/dev/null || true
  args=(-max_total_time="$secs" -artifact_prefix="$art/$name-" -print_final_stats=1)
  [ -f "fuzz/$name.dict" ] && args+=(-dict="fuzz/$name.dict")
  echo "== $name for ${secs}s"
  if ! "$bin" "${args[@]}" "$work/$name" 2>"build/fuzz/$name.log"; then
    echo "!! $name found a crash: see build/fuzz/$name.log and $art/"
    tail -30 "build/fuzz/$name.log"
    status=1
  else
    grep -E 'stat::number_of_executed_units|stat::new_units_added' "build/fuzz/$name.log" | sed 's/^/   /'
  fi
done
exit $status
