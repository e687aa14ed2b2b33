#!/usr/bin/env python3
"""client_role_test.py: `smtpeer run --role server` against real SMTP clients.

smtpeer plays the server on 127.0.0.1 and starts the client under test once
per scenario (scenarios/client/). Each case is a real client with a real
configuration and the verdict each scenario must get; the reasons are
measured facts (tests/integration/clients/FACTS.md). A client that is not
installed fails the test and says what to install.

Usage: client_role_test.py --smtpeer PATH --work DIR
Exit: 0 all as expected, 1 a verdict differs, 3 smtpeer or a client could not run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

MESSAGE = "Subject: smtpeer client test\r\n\r\nhello\r\n"

# (label, client policy, command, {scenario id: verdict}); {msg} is the message file.
CURL = "curl -sS --max-time 15 smtp://{host}:{port} --mail-from a@example.test " \
       "--mail-rcpt b@example.test -T {msg}"
# Every server-role scenario of the catalogue (file name = id): a new one
# must get an expectation here by passing for every configuration, or be named.
SCENARIOS = sorted(p.stem for p in
                   (Path(__file__).resolve().parents[2] / "scenarios" / "client").glob("*.toml"))
C8 = ("client-c8-cert-expired", "client-c8-cert-self-signed", "client-c8-cert-wrong-name")


def expect(**fails: str) -> dict[str, str]:
    """expect: every scenario passes unless named (ids with '_' for '-')."""
    want = {sid: "pass" for sid in SCENARIOS}
    for sid, verdict in fails.items():
        want[sid.replace("_", "-")] = verdict
    return want


# (label, client policy, program, command, {scenario id: verdict}); {msg} is the message file.
# curl 7.88.1 (Debian 12), measured 2026-11-21:
# - --ssl-reqd: no STARTTLS advertised, or any reply but 220 to it, or EHLO
#   refused: it closes without MAIL ("(64) STARTTLS not supported/denied").
# - C4: bytes behind the 220 make it refuse to start TLS (fixed CVE-2021-22947).
# - --cacert: a bad certificate aborts the handshake or closes right after it;
#   -k: the handshake completes and it sends MAIL: a finding under a policy
#   that requires verification.
# - --ssl (try): after a stripped or refused STARTTLS, or a refused EHLO, it
#   goes on in plaintext (MAIL), even after a 421 or a 354: notes under the
#   opportunistic policy.
# - C5 (replies stacked behind a 454), C7 (STARTTLS advertised again), C12
#   (nothing behind STARTTLS, EHLO first in TLS), C13 (split replies), C14
#   (421/554 greetings) and C15 (hostile EHLO replies): it behaves, in every
#   configuration.
CURL = "curl -sS --max-time 15 smtp://{host}:{port} --mail-from a@example.test " \
       "--mail-rcpt b@example.test -T {msg}"
CASES = [
    ("curl --ssl-reqd --cacert (verifies)", "strict", "curl", CURL + " --ssl-reqd --cacert {ca}",
     expect()),
    ("curl --ssl-reqd -k (does not verify)", "strict", "curl", CURL + " --ssl-reqd -k",
     expect(**{sid.replace("-", "_"): "fail" for sid in C8})),
    ("curl --ssl -k (opportunistic)", "opportunistic", "curl", CURL + " --ssl -k", expect()),
]

# Notes the opportunistic run must carry: the plaintext continuation is seen.
OPPORTUNISTIC_NOTES = {"client-c1-starttls-stripped": "plaintext",
                       "client-c2-starttls-454": "plaintext",
                       "client-c3-ehlo-500": "plaintext",
                       "client-c8-cert-expired": "went on after the expired certificate"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smtpeer", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    msg = work / "message.txt"
    msg.write_text(MESSAGE)
    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    problems: list[str] = []
    for n, (label, policy, program, command, want) in enumerate(CASES):
        if shutil.which(program) is None:
            print(f"{program} is not installed: run ci/install-deps.sh")
            return 3
        out = work / f"case{n}"
        report = out / "report.json"
        cmd = [args.smtpeer, "run", "--role", "server", "--client-policy", policy,
               "--client-cmd", command.replace("{msg}", str(msg)), "--scenarios", str(scenarios),
               "--out", str(out), "--json", str(report), "--quiet", "--no-color"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        (work / f"case{n}.txt").write_text(r.stdout + r.stderr)
        try:
            data = json.loads(report.read_text())
        except (OSError, ValueError) as e:
            print(f"== {label}: no report ({e}); smtpeer exited {r.returncode}:\n{r.stderr[-2000:]}")
            return 3
        got = {s["id"]: s for s in data["scenarios"]}
        print(f"== {label} ({policy}): smtpeer exited {r.returncode}")
        for sid, verdict in want.items():
            s = got.get(sid)
            actual = s["verdict"] if s else "(absent)"
            ok = actual == verdict
            print(f"  {'ok  ' if ok else 'FAIL'} {sid}: {actual} (want {verdict})"
                  + ("" if ok else f" — {s['summary'] if s else ''}"))
            if not ok:
                problems.append(f"{label}: {sid} is {actual}, want {verdict}")
            # The client's own account is evidence of every verdict.
            if s and not any(e["text"].startswith("client: ") for e in s["evidence"]):
                problems.append(f"{label}: {sid} has no client evidence line")
        if policy == "opportunistic":
            for sid, word in OPPORTUNISTIC_NOTES.items():
                notes = " ".join(got.get(sid, {}).get("notes", []))
                if word not in notes:
                    problems.append(f"{label}: {sid} notes lack '{word}': {notes!r}")
        want_rc = 1 if "fail" in want.values() else 0
        if r.returncode != want_rc:
            problems.append(f"{label}: smtpeer exited {r.returncode}, want {want_rc}")
        # No client outlives its scenario.
        left = subprocess.run(["pgrep", "-f", str(msg)], capture_output=True, text=True).stdout.split()
        if left:
            problems.append(f"{label}: client processes left running: {left}")
    print()
    for p in problems:
        print("FAIL " + p)
    print(f"{len(CASES)} client configurations, {'all as expected' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
