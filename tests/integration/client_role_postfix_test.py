#!/usr/bin/env python3
"""client_role_postfix_test.py: `smtpeer run --role server` against Postfix's SMTP client.

A second Postfix instance (fixtures/sut/postfix-client/, started by sut.py)
relays everything to smtpeer's fixed --listen port. For each
smtp_tls_security_level (may, encrypt, verify) smtpeer runs every server-role
scenario once; per scenario, fixtures/sut/postfix-client/deliver.py submits
one message and waits until Postfix has logged its outcome. A fourth run at
may ages each message past minimal_backoff_time first (Postfix then treats
the attempt as a retry and falls back to plaintext on a new connection after
a TLS failure), for the scenarios in which smtpeer starts TLS. A fifth run
repeats the C10 scenarios at encrypt with smtp_tls_mandatory_protocols =
>=TLSv1.2 (Postfix 3.7's default floor is TLS 1.0).

Every verdict is asserted, the notes that tell a pass from a tolerated
weakness, the connections smtpeer saw, and the decisive lines of Postfix's
own log (tests/integration/clients/POSTFIX.md has the facts behind each). A
verdict that smtpeer gets wrong is listed in KNOWN: printed, not failed,
until it is fixed, and then it fails as FIXED until the entry is removed.

Usage: client_role_postfix_test.py --smtpeer PATH --work DIR [--scenarios DIR] [--run LABEL ...]
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
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import sut  # noqa: E402  (tests/integration/sut.py)

INSTANCE = "postfix-client"
FIXTURE = REPO / "fixtures" / "sut" / INSTANCE
DELIVER = FIXTURE / "deliver.py"
RUN_TIMEOUT_S = 150  # one smtpeer run; 29 scenarios take about 25 s
RELOAD_TIMEOUT_S = 30  # postfix reload until the master logs it (well under a second)


class Run(NamedTuple):
    """Run: one smtpeer run against the instance at one Postfix configuration."""
    label: str
    level: str  # smtp_tls_security_level
    options: list[str]  # smtpeer's policy options
    aged: bool  # deliver.py --aged: Postfix treats the attempt as a retry
    ids: str | tuple[str, ...]  # "all", "tls" (the scenarios in which smtpeer starts TLS) or these ids
    settings: tuple[str, ...] = ()  # further `postconf -e` settings for this run only


C10 = ("client-c10-sslv3-only", "client-c10-tls10-only")
RUNS = [
    Run("may", "may", ["--client-policy", "opportunistic"], False, "all"),
    Run("encrypt", "encrypt", ["--client-policy", "encrypt"], False, "all"),
    Run("verify", "verify", ["--client-policy", "strict"], False, "all"),
    Run("may-aged", "may", ["--client-policy", "opportunistic"], True, "tls", ("minimal_backoff_time=1s",)),
    Run("encrypt-tls12", "encrypt", ["--client-policy", "encrypt"], False, C10,
        ("smtp_tls_mandatory_protocols=>=TLSv1.2",)),
]
# Settings a run may change; set_level removes them (back to Postfix's default) before each run.
RUN_SETTINGS = ("smtp_tls_mandatory_protocols", "minimal_backoff_time")

# Scenarios whose expected verdict is not "pass", per run (ids as in
# scenarios/client/). Every other scenario a run has must pass, so a new
# scenario gets an expectation here by passing, or is named.
# - C10 TLS 1.0 at encrypt and verify: Postfix 3.7's default
#   smtp_tls_mandatory_protocols is ">=TLSv1": it answers smtpeer's TLS 1.0
#   ServerHello (TLS_RSA_WITH_AES_256_CBC_SHA, which it offered) with
#   ClientKeyExchange, ChangeCipherSpec and Finished (transcript), where
#   RFC 8996 §5 requires a protocol_version alert. With ">=TLSv1.2"
#   (encrypt-tls12) it sends that alert.
NOT_PASS = {
    "may": {},
    "encrypt": {"client-c10-tls10-only": "fail"},
    "verify": {"client-c10-tls10-only": "fail"},
    "may-aged": {},
    "encrypt-tls12": {},
}

# (run, scenario) -> (the verdict smtpeer gives today, why it is wrong). The
# expectation above stays the verdict the transcript and Postfix's log support.
KNOWN: dict[tuple[str, str], tuple[str, str]] = {}

# A pass with a note is a tolerated weakness, a pass without one is clean:
# per run, scenario -> regex its notes (one a line) must match. Every other
# scenario of the run must have no note, so a new note is seen.
TLS10_NOTE = "went on with TLS 1.0 .*it sent client_key_exchange"
CERT_NOTE = "went on after the {} certificate"
PLAIN_NOTE = "went on in plaintext \\(allowed"
C2 = [f"client-c2-starttls-{c}" for c in ("354", "421", "454", "500", "501", "502", "530")]
NOTES: dict[str, dict[str, str]] = {
    "may": {
        "client-c1-starttls-stripped": PLAIN_NOTE,
        **{sid: PLAIN_NOTE for sid in C2},
        "client-c3-ehlo-500": "fell back to HELO(.|\n)*went on in plaintext with HELO",
        "client-c5-reply-flood-after-454": "took the replies stacked behind the 454",
        "client-c6-post-tls-capabilities": "went on without AUTH",
        "client-c8-cert-expired": CERT_NOTE.format("expired"),
        "client-c8-cert-self-signed": CERT_NOTE.format("self-signed"),
        "client-c8-cert-wrong-name": CERT_NOTE.format("wrong-name"),
        "client-c10-tls10-only": TLS10_NOTE,
    },
    "encrypt": {
        "client-c3-ehlo-500": "fell back to HELO",
        "client-c6-post-tls-capabilities": "went on without AUTH",
        "client-c8-cert-expired": CERT_NOTE.format("expired"),
        "client-c8-cert-self-signed": CERT_NOTE.format("self-signed"),
        "client-c8-cert-wrong-name": CERT_NOTE.format("wrong-name"),
    },
    "verify": {
        "client-c3-ehlo-500": "fell back to HELO",
        "client-c6-post-tls-capabilities": "went on without AUTH",
    },
    "may-aged": {
        "client-c6-post-tls-capabilities": "went on without AUTH",
        "client-c8-cert-expired": CERT_NOTE.format("expired"),
        "client-c8-cert-self-signed": CERT_NOTE.format("self-signed"),
        "client-c8-cert-wrong-name": CERT_NOTE.format("wrong-name"),
        "client-c10-tls10-only": TLS10_NOTE,
    },
    "encrypt-tls12": {},
}

# Decisive lines of Postfix's log, per run and scenario (regex searched in the
# attempt's log section).
REQUIRED = "TLS is required, but was not offered"
REFUSED_TLS = "TLS is required, but host 127.0.0.1\\[127.0.0.1\\] refused to start TLS"
PLAIN_ON = "lost connection with .* while sending RCPT TO"  # MAIL/RCPT/DATA pipelined in plaintext
HANDSHAKE_DEFERRED = "dsn=4.7.5, status=deferred \\(Cannot start TLS: handshake failure\\)"
# The TLS failure (OpenSSL's reason as Postfix logs it) of C9-C11, then, per run, its end.
TLS_FAILURE = {
    "client-c9-export-only": "unknown cipher returned",  # illegal_parameter: a suite it did not offer
    "client-c9-freak": "SSL routines::unexpected message",  # ServerKeyExchange for an RSA suite
    "client-c10-sslv3-only": "SSL routines::unsupported protocol",  # protocol_version
    "client-c10-tls10-only": "SSL_connect error to .*: lost connection",  # went on; smtpeer closed
    "client-c11-alert-after-220": "alert handshake failure.*SSL alert number 40",
    "client-c11-close-after-220": "SSL_connect error to .*: lost connection",
    "client-c11-eof-after-220": "SSL_connect error to .*: lost connection",
}
FIRST_TRY = {sid: f"{fact}(.|\n)*{HANDSHAKE_DEFERRED}" for sid, fact in TLS_FAILURE.items()}
# Aged: the same failure, "Cannot start TLS", then the plaintext retry's MAIL,
# which smtpeer's scenario answers by ending (closing).
RETRIED = {sid: f"{fact}(.|\n)*Cannot start TLS: handshake failure(.|\n)*"
                "status=deferred \\(lost connection with .* while sending MAIL FROM\\)"
           for sid, fact in TLS_FAILURE.items()}
MAIL_IN_TLS = "{} TLS connection established(.|\n)*while sending MAIL FROM"
LOG_FACTS: dict[str, dict[str, str]] = {
    "may": {
        "client-c1-starttls-stripped": PLAIN_ON,
        **{sid: PLAIN_ON for sid in C2},
        "client-c3-ehlo-500": PLAIN_ON,  # HELO, MAIL; the 221 taken as MAIL's reply
        "client-c5-reply-flood-after-454": "said: 250 2.1.5 Ok \\(in reply to DATA command\\)",
        "client-c6-post-tls-capabilities": MAIL_IN_TLS.format("Trusted"),
        "client-c8-cert-expired": "Untrusted TLS connection established",
        "client-c8-cert-self-signed": "Untrusted TLS connection established",
        # At may the chain is checked (for the log) but the name is not.
        "client-c8-cert-wrong-name": "Trusted TLS connection established",
        **FIRST_TRY,
        "client-c14-greeting-554": "dsn=4.3.2, status=deferred .*refused to talk to me: 554",
        "client-c15-hostile-ehlo-flood": "multi-line response longer than 2048",
    },
    "encrypt": {
        "client-c1-starttls-stripped": REQUIRED,
        **{sid: REFUSED_TLS for sid in C2},
        "client-c3-ehlo-500": REQUIRED,  # HELO answered 250, then QUIT
        "client-c5-reply-flood-after-454": REFUSED_TLS,
        "client-c6-post-tls-capabilities": MAIL_IN_TLS.format("Trusted"),
        "client-c8-cert-expired": "Untrusted TLS connection established",
        "client-c8-cert-self-signed": "Untrusted TLS connection established",
        "client-c8-cert-wrong-name": "Trusted TLS connection established",
        **FIRST_TRY,
        "client-c15-hostile-ehlo-empty": REQUIRED,
        "client-c15-hostile-ehlo-flood": REQUIRED,
    },
    "verify": {
        "client-c1-starttls-stripped": REQUIRED,
        **{sid: REFUSED_TLS for sid in C2},
        "client-c3-ehlo-500": REQUIRED,
        "client-c5-reply-flood-after-454": REFUSED_TLS,
        "client-c6-post-tls-capabilities": MAIL_IN_TLS.format("Verified"),
        "client-c8-cert-expired": "certificate has expired(.|\n)*Server certificate not verified",
        "client-c8-cert-self-signed": "self-signed certificate(.|\n)*Server certificate not verified",
        "client-c8-cert-wrong-name": "hostname mismatch(.|\n)*Server certificate not verified",
        **FIRST_TRY,
        "client-c12-starttls-discipline": "Verified TLS connection established",
        "client-c15-hostile-ehlo-empty": REQUIRED,
        "client-c15-hostile-ehlo-flood": REQUIRED,
    },
    "may-aged": RETRIED,
    "encrypt-tls12": {
        "client-c10-sslv3-only": FIRST_TRY["client-c10-sslv3-only"],
        "client-c10-tls10-only": f"SSL routines::unsupported protocol(.|\n)*{HANDSHAKE_DEFERRED}",
    },
}
# The plaintext retry of an aged attempt, when the scenario has no reconnect
# step: smtpeer does not take it. Either its listener is closed by then
# (refused), or the connection was still queued on it when smtpeer closed it
# at the scenario's end (no greeting); which one is a race.
UNSEEN_RETRY = ("connect to 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:\\d+: Connection refused|"
                "lost connection with .* while receiving the initial server greeting")


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


def set_level(conf: Path, relay_port: int, level: str, settings: tuple[str, ...]) -> None:
    """set_level: empty the queue (qmgr scans it on start), set relayhost, level and settings, reload."""
    run(["postsuper", "-c", str(conf), "-d", "ALL"])
    p = run(["postconf", "-c", str(conf), "-X", *RUN_SETTINGS])
    if p.returncode != 0:
        raise sut.SutError(f"postconf -X failed: {p.stderr}")
    p = run(["postconf", "-c", str(conf), "-e", f"relayhost=[127.0.0.1]:{relay_port}",
             f"smtp_tls_security_level={level}", *settings])
    if p.returncode != 0:
        raise sut.SutError(f"postconf -e failed: {p.stderr}")
    log = Path(run(["postconf", "-c", str(conf), "-h", "maillog_file"]).stdout.strip())
    offset = log.stat().st_size
    p = run(["postfix", "-c", str(conf), "reload"])
    if p.returncode != 0:
        raise sut.SutError(f"postfix reload failed: {p.stdout}{p.stderr}")
    # The master logs "reload -- version ..." once it has re-read main.cf and
    # told its children to go; the new qmgr and pickup start on demand.
    deadline = time.monotonic() + RELOAD_TIMEOUT_S
    while "postfix/master" not in (tail := log.read_bytes()[offset:].decode("utf-8", "replace")) \
            or " reload -- version " not in tail:
        if time.monotonic() > deadline:
            raise sut.SutError(f"postfix reload: no 'reload -- version' line in {log} "
                               f"within {RELOAD_TIMEOUT_S} s")
        time.sleep(0.05)


def with_step(scenarios: Path, key: str) -> list[str]:
    """with_step: ids of the server-role scenarios with a step that has `key = ...`.

    starttls: smtpeer starts TLS (or answers the ClientHello with a raw flight);
    reconnect: smtpeer waits for the client's retry on a new connection.
    """
    return sorted(p.stem for p in (scenarios / "client").glob("*.toml")
                  if re.search(rf"^{key}\s*=", p.read_text(), re.M))


def wire(transcript: Path, conn: int) -> str:
    """wire: what the client sent in plaintext on one connection of a transcript (JSONL)."""
    out = []
    with contextlib.suppress(OSError, ValueError):
        for line in transcript.read_text().splitlines():
            e = json.loads(line)
            if e.get("conn") == conn and e.get("dir") == "received" and not e.get("tls"):
                out.append(e.get("bytes", ""))
    return "".join(out)


def sections(log_copy: Path) -> list[str]:
    """sections: the log lines of each deliver.py attempt, in the order they ran."""
    try:
        text = log_copy.read_text(errors="replace")
    except OSError:
        return []
    return text.split("=== attempt ")[1:]


def check_attempt(label: str, run_: Run, s: dict, sec: str, transcript: Path, reconnects: list[str]) -> list[str]:
    """check_attempt: what Postfix's log and the wire show of one attempt, as problems."""
    sid = s["id"]
    if "--- queue id" not in sec:
        return [f"{label}: {sid}: deliver.py saw no outcome:\n{sec[-800:]}"]
    out = []
    fact = LOG_FACTS.get(label, {}).get(sid)
    if fact and not re.search(fact, sec):
        out.append(f"{label}: {sid}: Postfix's log lacks /{fact}/:\n{sec[-800:]}")
    conns = s.get("connections", 1)
    unseen = bool(re.search(UNSEEN_RETRY, sec))
    if not run_.aged:
        # A first attempt does not fall back to plaintext (its message is
        # younger than minimal_backoff_time, 300 s): smtpeer sees one
        # connection. Should Postfix retry anyway after the scenario ended,
        # smtpeer never sees it; that is Postfix's business, recorded in the
        # output, not a failure.
        if conns != 1:
            out.append(f"{label}: {sid}: {conns} connections on a first attempt:\n{sec[-800:]}")
        if unseen:
            print(f"  varied {sid}: Postfix retried after the scenario ended "
                  f"({re.search(UNSEEN_RETRY, sec).group(0)})")
    elif sid in reconnects:
        # An aged one after a TLS failure retries in plaintext: smtpeer's
        # reconnect step sees it (EHLO, then MAIL without STARTTLS).
        retry = wire(transcript, 1)
        if conns != 2 or "MAIL FROM" not in retry or "STARTTLS" in retry:
            out.append(f"{label}: {sid}: smtpeer saw no plaintext retry ({conns} connections; "
                       f"retry sent {retry[:200]!r})")
    elif not unseen or conns != 1:
        out.append(f"{label}: {sid}: no unseen plaintext retry in Postfix's log "
                   f"({conns} connections):\n{sec[-800:]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smtpeer", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--scenarios", default=str(REPO / "scenarios"), help="scenario directory")
    ap.add_argument("--run", action="append", choices=[r.label for r in RUNS],
                    help="only this run (repeatable; default all)")
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
    tls_ids = with_step(scenarios, "starttls")
    reconnects = with_step(scenarios, "reconnect")
    runs = [r for r in RUNS if not args.run or r.label in args.run]
    relay_port = listen_port()
    problems: list[str] = []
    inst_dir = work / "postfix"
    try:
        sut.start(INSTANCE, inst_dir)
    except sut.SutError as e:
        print(f"FAIL: the Postfix client instance did not start: {e}")
        return 3
    conf = inst_dir / "conf"
    pgid = json.loads((inst_dir / sut.STATE_FILE).read_text())["pgid"]
    try:
        for run_ in runs:
            label = run_.label
            ids = {"all": all_ids, "tls": tls_ids}.get(run_.ids) if isinstance(run_.ids, str) else list(run_.ids)
            set_level(conf, relay_port, run_.level, run_.settings)
            out = work / label
            report = work / f"{label}.json"
            log_copy = work / f"{label}.postfix.log"
            client = (f"/usr/bin/python3 {DELIVER} --conf {conf} --ca {{ca}} --port {{port}} "
                      f"--log-copy {log_copy}" + (" --aged" if run_.aged else ""))
            cmd = [args.smtpeer, "run", "--role", "server", *run_.options, "--listen", f"127.0.0.1:{relay_port}",
                   "--server-name", "localhost", "--client-cmd", client, "--scenarios", str(scenarios),
                   "--out", str(out), "--json", str(report), "--quiet", "--no-color"]
            for sid in ids if ids != all_ids else ():
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
            print(f"== {label} (smtp_tls_security_level = {run_.level}{', aged' if run_.aged else ''}"
                  f"{''.join('; ' + x for x in run_.settings)}; {' '.join(run_.options)}): "
                  f"smtpeer exited {r.returncode} in {time.monotonic() - t0:.1f} s")
            for sid in ids:
                want = NOT_PASS[label].get(sid, "pass")
                s = got.get(sid)
                actual = s["verdict"] if s else "(absent)"
                known = KNOWN.get((label, sid))
                note_re = NOTES[label].get(sid)
                notes = s["notes"] if s else []
                shown = f"{actual}{' + note' if notes else ''}"
                if known and actual == known[0] and actual != want:
                    print(f"  KNOWN {sid}: {actual} (should be {want}: {known[1]})")
                elif known and actual == want:
                    print(f"  FIXED {sid}: {actual}")
                    problems.append(f"{label}: {sid} is now {actual}: remove its KNOWN entry")
                elif actual == want:
                    print(f"  ok    {sid}: {shown}")
                else:
                    print(f"  FAIL  {sid}: {actual} (want {want}) — {s['summary'] if s else ''}")
                    problems.append(f"{label}: {sid} is {actual}, want {want}")
                if s and note_re and not re.search(note_re, "\n".join(notes)):
                    problems.append(f"{label}: {sid}: no note matches /{note_re}/: {notes}")
                if s and not note_re and notes:
                    problems.append(f"{label}: {sid}: unexpected notes {notes}")
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
                    problems += check_attempt(label, run_, s, sec, out / "transcripts" / f"{s['id']}.jsonl",
                                              reconnects)
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
    print(f"{len(runs)} Postfix client runs in {time.monotonic() - t_start:.0f} s, "
          f"{'all as expected' if not problems else f'{len(problems)} problems'}; work dir {work}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
