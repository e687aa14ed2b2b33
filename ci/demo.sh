#!/usr/bin/env bash
# ci/demo.sh: install what smtpeer needs, build it (optimised), and run the
# main job. With no arguments, `smtpeer run` plays the whole scenario suite
# against smtpeer's built-in reference peers on 127.0.0.1: a conformant MX, a
# conformant submission server, and one peer per named misbehaviour. Any
# arguments are passed to `smtpeer run` (e.g. --target mx.staging:25 --profile opportunistic-mx).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target smtpeer
exec build/default/harness/smtpeer run --out build/demo-out --json build/demo-out/report.json \
  --junit build/demo-out/junit.xml "$@"
