#!/usr/bin/env bash
# bench/run.sh: compare smtpeer with testssl.sh and sslscan on a local Postfix.
# A thin wrapper: it builds nothing. Build smtpeer first, then e.g.
#   sudo bench/run.sh --smtpeer build/rel/harness/smtpeer --rounds 3 [--json summary.json]
# Every option goes to compare_scanners.py (--help lists them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec /usr/bin/python3 "$here/compare_scanners.py" "$@"
