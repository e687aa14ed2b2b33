#!/usr/bin/env python3
"""client_role_postfix_test.py: `smtpeer run --role server` against Postfix's SMTP client.

A second Postfix instance (fixtures/sut/postfix-client/, started by sut.py)
relays everything to smtpeer's fixed --listen port. For each
smtp_tls_security_level (may, encrypt, verify) smtpeer runs every server-role
scenario once; per scenario, fixtures/sut/postfix-client/deliver.py submits
one message and waits until Postfix has logged its outcome. A fourth run at
may ages each message past minimal_backoff_time first (Postfix then treats
the attempt as a retry and falls back to plaintext on a new connection after
a TLS failure), for the scenarios in which smtpeer starts TLS.

Every verdict is asserted, and so are the decisive lines of Postfix's own log
(tests/integration/clients/POSTFIX.md has the facts behind each). A verdict
that smtpeer gets wrong is listed in KNOWN: printed, not failed, until it is
fixed, and then it fails as FIXED until the entry is removed.

Usage: client_role_postfix_test.py --smtpeer PATH --work DIR [--scenarios DIR]
Exit: 0 all as expected, 1 something differs, 3 Postfix or smtpeer could not run.
Needs root (Postfix starts as root) and Debian's postfix package.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import sut  # noqa: E402  (tests/integration/sut.py)

INSTANCE = "postfix-client"
FIXTURE = REPO / "fixtures" / "sut" / INSTANCE
DELIVER = FIXTURE / "deliver.py"
# smtpeer has no built-in profile for "requires TLS, does not verify"
# (Postfix's encrypt): this one has only the client-requires-tls flag.
ENCRYPT_PROFILE = FIXTURE / "client-encrypt.toml"
RUN_TIMEOUT_S = 150  # one smtpeer run; 21 scenarios take about 20 s

# Scenarios whose expected verdict is not "pass", per level (ids as in
# scenarios/client/). Every other scenario of the catalogue must pass, so a
# new scenario gets an expectation here by passing, or is named.
# - C3 (EHLO answered 500): at encrypt and verify Postfix falls back to HELO
#   in plaintext, which the scenario fails literally. (Against a server that
#   answers the HELO, Postfix then QUITs: "TLS is required, but was not
#   offered"; no MAIL. See POSTFIX.md.)
NOT_PASS = {
    "may": {},
    "encrypt": {"client-c3-ehlo-500": "fail"},
    "verify": {"client-c3-ehlo-500": "fail"},
    "may-aged": {},
}

# (run, scenario) -> (the verdict smtpeer gives today, why it is wrong). The
# expectation above stays the verdict the transcript and Postfix's log support.
KNOWN = {
    ("may", "client-c5-reply-flood-after-454"): (
        "fail",
        "the scenario advertises PIPELINING, and Postfix wrote MAIL, RCPT and DATA in one "
        "write (RFC 2920) before reading any reply; smtpeer takes the RCPT for acting on the "
        "stacked replies. Postfix did read the stacked 235/250/250 as the replies to its "
        "pipelined group (log: 'said: 250 2.1.5 Ok (in reply to DATA command)'), in plaintext "
        "at may, which no client can tell from real replies"),
}

# Decisive lines of Postfix's log, per run and scenario (regex searched in the
# attempt's log section). "ONE" checks that no second connection was made.
REQUIRED = "TLS is required, but was not offered"
REFUSED_TLS = "TLS is required, but host 127.0.0.1\\[127.0.0.1\\] refused to start TLS"
C2 = [f"client-c2-starttls-{c}" for c in ("354", "421", "454", "500", "501", "502", "530")]
PLAIN_ON = "lost connection with .* while sending RCPT TO"  # MAIL/RCPT/DATA pipelined in plaintext
LOG_FACTS: dict[str, dict[str, str]] = {
    "may": {
        "client-c1-starttls-stripped": PLAIN_ON,
        **{sid: PLAIN_ON for sid in C2},
        "client-c3-ehlo-500": "while sending MAIL FROM",  # HELO answered by the 221
        "client-c5-reply-flood-after-454": "said: 250 2.1.5 Ok \\(in reply to DATA command\\)",
        "client-c8-cert-expired": "Untrusted TLS connection established",
        "client-c8-cert-self-signed": "Untrusted TLS connection established",
        # At may the chain is checked (for the log) but the name is not.
        "client-c8-cert-wrong-name": "Trusted TLS connection established",
        "client-c14-greeting-554": "dsn=4.3.2, status=deferred .*refused to talk to me: 554",
        "client-c15-hostile-ehlo-flood": "multi-line response longer than 2048",
    },
    "encrypt": {
        "client-c1-starttls-stripped": REQUIRED,
        **{sid: REFUSED_TLS for sid in C2},
        "client-c5-reply-flood-after-454": REFUSED_TLS,
        "client-c8-cert-expired": "Untrusted TLS connection established",
        "client-c8-cert-self-signed": "Untrusted TLS connection established",
        "client-c8-cert-wrong-name": "Trusted TLS connection established",
        "client-c15-hostile-ehlo-empty": REQUIRED,
        "client-c15-hostile-ehlo-flood": REQUIRED,
    },
    "verify": {
        "client-c1-starttls-stripped": REQUIRED,
        **{sid: REFUSED_TLS for sid in C2},
        "client-c5-reply-flood-after-454": REFUSED_TLS,
        "client-c8-cert-expired": "certificate has expired(.|\n)*Server certificate not verified",
        "client-c8-cert-self-signed": "self-signed certificate(.|\n)*Server certificate not verified",
        "client-c8-cert-wrong-name": "hostname mismatch(.|\n)*Server certificate not verified",
        "client-c12-starttls-discipline": "Verified TLS connection established",
        "client-c15-hostile-ehlo-empty": REQUIRED,
        "client-c15-hostile-ehlo-flood": REQUIRED,
    },
}
RETRY = "connect to 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:\\d+: Connection refused"

# (run label, smtp_tls_security_level, smtpeer options, aged, only scenarios that start TLS)
RUNS = [
    ("may", "may", ["--client-policy", "opportunistic"], False, False),
    ("encrypt", "encrypt", ["--profile", str(ENCRYPT_PROFILE)], False, False),
    ("verify", "verify", ["--client-policy", "strict"], False, False),
    ("may-aged", "may", ["--client-policy", "opportunistic"], True, True),
]


def run(cmd: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def instance_processes(conf: Path, pgid: int) -> list[str]:
    """instance_processes: live processes of our Postfix instance (its process group, or MAIL_CONFIG)."""
    found = set(run(["pgrep", "-g", str(pgid)]).stdout.split())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if f"MAIL_CONFIG={conf}\0".encode() in (entry / "environ").read_bytes():
                found.add(entry.name)
    out = []
    for pid in sorted(found, key=int):
        with contextlib.suppress(OSError):
            stat = (Path("/proc") / pid / "stat").read_text()
            if stat[stat.rindex(")") + 2] not in "ZX":
                args = (Path("/proc") / pid / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                out.append(f"{pid} {args}")
    return out


def listen_port() -> int:
    """listen_port: a free 127.0.0.1 port below the kernel's ephemeral range.

    smtpeer closes its listener between scenarios; a port from the ephemeral
    range could meanwhile become the local port of some outgoing connection.
    """
    low = 32768
    with contextlib.suppress(OSError, ValueError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random(os.getpid())
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return sut.free_port()


def set_level(conf: Path, relay_port: int, level: str) -> None:
    """set_level: empty the queue (qmgr scans it on start), set relayhost and level, reload."""
    run(["postsuper", "-c", str(conf), "-d", "ALL"])
    p = run(["postconf", "-c", str(conf), "-e", f"relayhost=[127.0.0.1]:{relay_port}",
             f"smtp_tls_security_level={level}"])
    if p.returncode != 0:
        raise sut.SutError(f"postconf -e failed: {p.stderr}")
    p = run(["postfix", "-c", str(conf), "reload"])
    if p.returncode != 0:
        raise sut.SutError(f"postfix reload failed: {p.stdout}{p.stderr}")
    # The new qmgr, pickup and trivial-rewrite start on demand; give the master a moment.
    time.sleep(1.0)


def starts_tls(scenarios: Path) -> list[str]:
    """starts_tls: ids of the server-role scenarios with a step in which smtpeer starts TLS."""
    return sorted(p.stem for p in (scenarios / "client").glob("*.toml")
                  if re.search(r"^starttls\s*=", p.read_text(), re.M))


def sections(log_copy: Path) -> list[str]:
    """sections: the log lines of each deliver.py attempt, in the order they ran."""
    try:
        text = log_copy.read_text(errors="replace")
    except OSError:
        return []
    return text.split("=== attempt ")[1:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smtpeer", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--scenarios", default=str(REPO / "scenarios"), help="scenario directory")
    args = ap.parse_args()
    t_start = time.monotonic()
    if not Path("/usr/sbin/postfix").exists() or shutil.which("postqueue", path="/usr/sbin:/usr/bin") is None:
        print("FAIL: Postfix is not installed (/usr/sbin/postfix): install Debian package postfix "
              "(ci/install-deps.sh); this test needs a real Postfix SMTP client")
        return 3
    if os.geteuid() != 0:
        print("FAIL: must run as root (Postfix starts as root and drops privilege)")
        return 3
    work = Path(args.work).resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    scenarios = Path(args.scenarios).resolve()
    all_ids = sorted(p.stem for p in (scenarios / "client").glob("*.toml"))
    tls_ids = starts_tls(scenarios)
    relay_port = listen_port()
    problems: list[str] = []
    inst_dir = work / "postfix"
    try:
        inst = sut.start(INSTANCE, inst_dir)
    except sut.SutError as e:
        print(f"FAIL: the Postfix client instance did not start: {e}")
        return 3
    conf = inst_dir / "conf"
    pgid = json.loads((inst_dir / sut.STATE_FILE).read_text())["pgid"]
    try:
        for label, level, options, aged, tls_only in RUNS:
            ids = tls_ids if tls_only else all_ids
            set_level(conf, relay_port, level)
            out = work / label
            report = work / f"{label}.json"
            log_copy = work / f"{label}.postfix.log"
            client = (f"/usr/bin/python3 {DELIVER} --conf {conf} --ca {{ca}} --port {{port}} "
                      f"--log-copy {log_copy}" + (" --aged" if aged else ""))
            cmd = [args.smtpeer, "run", "--role", "server", *options, "--listen", f"127.0.0.1:{relay_port}",
                   "--server-name", "localhost", "--client-cmd", client, "--scenarios", str(scenarios),
                   "--out", str(out), "--json", str(report), "--quiet", "--no-color"]
            for sid in ids if tls_only else ():
                cmd += ["--id", sid]
            t0 = time.monotonic()
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                print(f"== {label}: smtpeer did not finish within {RUN_TIMEOUT_S} s")
                return 3
            (work / f"{label}.txt").write_text(" ".join(cmd) + "\n" + r.stdout + r.stderr)
            try:
                data = json.loads(report.read_text())
            except (OSError, ValueError) as e:
                print(f"== {label}: no report ({e}); smtpeer exited {r.returncode}:\n{r.stderr[-2000:]}")
                return 3
            got = {s["id"]: s for s in data["scenarios"]}
            print(f"== {label} (smtp_tls_security_level = {level}{', aged' if aged else ''}; "
                  f"{' '.join(options)}): smtpeer exited {r.returncode} in {time.monotonic() - t0:.1f} s")
            for sid in ids:
                want = NOT_PASS[label].get(sid, "pass")
                s = got.get(sid)
                actual = s["verdict"] if s else "(absent)"
                known = KNOWN.get((label, sid))
                if known and actual == known[0] and actual != want:
                    print(f"  KNOWN {sid}: {actual} (should be {want}: {known[1]})")
                elif known and actual == want:
                    print(f"  FIXED {sid}: {actual}")
                    problems.append(f"{label}: {sid} is now {actual}: remove its KNOWN entry")
                elif actual == want:
                    print(f"  ok    {sid}: {actual}")
                else:
                    print(f"  FAIL  {sid}: {actual} (want {want}) — {s['summary'] if s else ''}")
                    problems.append(f"{label}: {sid} is {actual}, want {want}")
                if s and not any(e["text"].startswith("client: ") for e in s["evidence"]):
                    problems.append(f"{label}: {sid} has no client evidence line")
            # Postfix's log, attempt by attempt, in the order smtpeer ran the scenarios.
            ran = [s for s in data["scenarios"]
                   if any(e["text"].startswith("client: python3 ") for e in s["evidence"])]
            secs = sections(log_copy)
            if len(secs) != len(ran):
                problems.append(f"{label}: {len(secs)} deliver.py attempts logged for {len(ran)} scenarios run")
            else:
                for s, sec in zip(ran, secs):
                    sid = s["id"]
                    if "--- queue id" not in sec:
                        problems.append(f"{label}: {sid}: deliver.py saw no outcome:\n{sec[-800:]}")
                        continue
                    fact = LOG_FACTS.get(label, {}).get(sid)
                    if fact and not re.search(fact, sec):
                        problems.append(f"{label}: {sid}: Postfix's log lacks /{fact}/:\n{sec[-800:]}")
                    # A first attempt never reconnects; an aged one after a TLS
                    # failure does, in plaintext (refused today: smtpeer's listener
                    # takes one connection per scenario).
                    retried = bool(re.search(RETRY, sec)) or s.get("connections", 1) > 1
                    if aged and sid in tls_ids and not retried:
                        problems.append(f"{label}: {sid}: no plaintext retry in Postfix's log:\n{sec[-800:]}")
                    if not aged and retried:
                        problems.append(f"{label}: {sid}: a second connection on a first attempt:\n{sec[-800:]}")
            want_rc = 1 if any(s["verdict"] == "fail" for s in data["scenarios"]) else 0
            if r.returncode != want_rc:
                problems.append(f"{label}: smtpeer exited {r.returncode}, want {want_rc}")
    finally:
        with contextlib.suppress(sut.SutError):
            sut.stop(inst_dir)
        left = instance_processes(conf, pgid)
        if left:
            problems.append(f"Postfix processes of {inst_dir} still running: {left}")
    print()
    for p in problems:
        print("FAIL " + p)
    n = len(RUNS)
    print(f"{n} Postfix client runs in {time.monotonic() - t_start:.0f} s, "
          f"{'all as expected' if not problems else f'{len(problems)} problems'}; work dir {work}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
