#!/usr/bin/env python3
"""client_role_test.py: `smtpeer run --role server` against real SMTP clients.

smtpeer plays the server on 127.0.0.1 and starts the client under test once
per scenario (every role = "server" scenario of --scenarios), N clients at
once (smtpeer --parallel, one port each). Each case is a real client with a
real configuration and the verdict each scenario must get; the reasons are
measured facts (tests/integration/clients/FACTS.md, "What each
client earns"). A client that is not installed fails the test and says what
to install.

Usage: client_role_test.py --smtpeer PATH --work DIR --client curl|swaks|msmtp|smtplib
                           [--scenarios DIR] [--parallel N (default 4)]
Exit: 0 all as expected, 1 a verdict differs, 3 smtpeer or a client could not run.

Adding a scenario: every scenario must pass for every case unless the case
names it in `verdicts`. Run the client's test, read the new scenario's
evidence in WORK/caseN.txt, and name it where the client earns another
verdict (with the reason in the comment above the case).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import ssl
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python < 3.11: fall back to file names (= ids)
    tomllib = None

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
MESSAGE = "Subject: smtpeer client test\r\n\r\nhello\r\n"


@dataclass(frozen=True)
class Disputed:
    """Disputed: smtpeer's verdict today is `now` (its summary containing
    `marker`), which is wrong; the case's verdict is the right one. With now =
    "note" the verdict is right but one of its notes (containing `marker`) is
    false. Accepted and listed as KNOWN until the engine or the scenario is
    fixed; once the right answer comes, the test says the entry can go."""
    now: str
    marker: str
    why: str


@dataclass(frozen=True)
class Case:
    label: str
    policy: str  # --client-policy
    # {host} {port} {ca}: smtpeer's placeholders. {msg} {files} {python}
    # {clients} are filled in here; every command must name {msg} or {files}
    # (WORK/files), which is how a client left running is found.
    command: str
    verdicts: dict[str, str] = field(default_factory=dict)  # id -> verdict; others must pass
    notes: dict[str, str] = field(default_factory=dict)  # id -> words its notes must contain
    disputed: dict[str, Disputed] = field(default_factory=dict)


def fails(*ids: str) -> dict[str, str]:
    return {sid: "fail" for sid in ids}


def notes(word: str, *ids: str) -> dict[str, str]:
    return {sid: word for sid in ids}


# ---- Shared facts -------------------------------------------------------------
# - TLS 1.0 (C10 tls10-only): every client here goes on after smtpeer's raw
#   TLS 1.0 ServerHello with TLS_RSA_WITH_AES_256_CBC_SHA: it sends
#   ClientKeyExchange, ChangeCipherSpec and its encrypted Finished (records
#   16 03 01 / 14 03 01 / 16 03 01, 326 bytes). Debian 12's OpenSSL 3.0 and
#   GnuTLS 3.7 defaults allow TLS 1.0; OpenSSL's security level refuses the
#   MD5+SHA-1 ServerKeyExchange signature of an ECDHE suite, but the RSA key
#   exchange has none. Against a real TLS 1.0 server (fake_server.py) all
#   four complete the handshake and send AUTH and MAIL inside it (FACTS.md).
#   A failure wherever TLS is required, a note for an opportunistic client.
#   No ClientHello carries TLS_FALLBACK_SCSV; where smtpeer waited for a
#   retry (the opportunistic runs) none came.
# - C9 (export suite, FREAK), C10 sslv3-only, C11 close/eof/alert: every
#   client aborts the handshake and none retries on a new connection.
# - SIGPIPE: a client killed writing to a connection smtpeer closed (swaks,
#   at the end of a script) passes with a note; timing decides whether it
#   happens, so no case asserts that note.
# - {name} is not used: smtpeer (HEAD as of this writing) rejects it in its
#   up-front check of --client-cmd ("unknown placeholder {name} (known: {ca}
#   {host} {port})"), so the commands write localhost, the default
#   --server-name.
C2 = tuple(f"client-c2-starttls-{code}" for code in (354, 421, 454, 500, 501, 502, 530))
C8 = ("client-c8-cert-expired", "client-c8-cert-self-signed", "client-c8-cert-wrong-name")
C9 = ("client-c9-export-only", "client-c9-freak")
TLS10 = "client-c10-tls10-only"
HELO = notes("fell back to HELO", "client-c3-ehlo-500")
BAD_CERT = notes("went on after the", *C8)
WENT_TLS10 = notes("went on with TLS 1.0", TLS10)

# ---- curl 7.88.1 (OpenSSL 3.0) -------------------------------------------------
# - --ssl-reqd: no STARTTLS advertised, or any reply but 220 to it, or EHLO
#   refused: it closes without MAIL ("(64) STARTTLS not supported/denied",
#   C3: "(9) Remote access denied: 500", no HELO).
# - C4: bytes behind the 220 make it refuse to start TLS (fixed CVE-2021-22947);
#   C5: "(8) Weird server reply", closes in every mode.
# - --cacert: a bad certificate aborts the handshake or closes right after it;
#   -k: the handshake completes and it sends MAIL (a note under encrypt).
# - --ssl (try): after a stripped or refused STARTTLS it sends MAIL in
#   plaintext, even after a 421 or a 354; after EHLO 500: HELO, then MAIL.
# - C6: no credentials are configured, so it sends MAIL inside TLS (a note).
# - C10 TLS 1.0: goes on (see above); the lead measured the same with
#   `openssl s_client` against `openssl s_server -tls1`.
# {host} is 127.0.0.1: the good certificate has that IP SAN, so --cacert
# verifies it; the bad ones lack it (one more defect, same verdict).
CURL = ("curl -sS --max-time 15 smtp://{host}:{port} --mail-from a@example.test "
        "--mail-rcpt b@example.test -T {msg}")
CURL_C6 = notes("went on without AUTH", "client-c6-post-tls-capabilities")
CURL_CASES = [
    Case("curl --ssl-reqd --cacert (verifies)", "strict", CURL + " --ssl-reqd --cacert {ca}",
         fails(TLS10), notes=CURL_C6),
    Case("curl --ssl-reqd -k (does not verify)", "encrypt", CURL + " --ssl-reqd -k",
         fails(TLS10), notes=CURL_C6 | BAD_CERT),
    Case("curl --ssl -k (opportunistic)", "opportunistic", CURL + " --ssl -k",
         notes=notes("plaintext", "client-c1-starttls-stripped", *C2) | HELO | CURL_C6 | BAD_CERT
         | WENT_TLS10),
]

# ---- swaks 20201014.0 (Net::SSLeay, OpenSSL 3.0) --------------------------------
# Connects to localhost, the name of the test certificates (only the good one
# also has the IP SAN). Credentials u/p with --auth-optional: AUTH whenever
# advertised, plaintext or not.
# - Every TLS mode acts on the lines injected behind the STARTTLS 220 (C4):
#   "EHLO vm" then "AUTH LOGIN" inside TLS without waiting for the reply.
# - --tls-verify checks the chain and dates but not the host name (it only
#   sets SSL_VERIFY_PEER): the wrong-name certificate is accepted, AUTH LOGIN
#   sent inside TLS.
# - C3: HELO after EHLO 500, then it stops (no STARTTLS in a HELO reply):
#   pass with a note; --tls-optional goes on with MAIL (a note).
# - C6: the post-TLS list has only XOAUTH2: "Auth not attempted, no
#   advertised types available", MAIL inside TLS (a note): it used that list.
# - C15 "250-\r\n250\r\n": its reply reader waits for a line "NNN " (code and
#   space), so a code-only last line (valid: RFC 5321 §4.2 Reply-code
#   [ SP textstring ] CRLF) never ends the reply; it waits (its own timeout is
#   30 s) until smtpeer closes after 10 s: "the client hung".
# - --tls-optional: plaintext MAIL after a stripped or refused STARTTLS; after
#   any failed handshake (C9, C10 sslv3, C11 alert and half-close) it goes on
#   on the same connection in plaintext with AUTH LOGIN (notes). After the
#   454 of C5 it answers the stacked replies one by one: AUTH LOGIN (gets
#   the stacked 235), then "AUTH PLAIN AHUAcA==" (u/p in plaintext), MAIL,
#   RCPT, QUIT in one write: notes (anyone in the path can answer in plaintext).
# - --tls is run under encrypt: it does not verify by design, so C8 is a note
#   and what remains are its real findings.
SWAKS = ("swaks --server localhost --port {port} --from a@example.test --to b@example.test "
         "--auth-optional --auth-user u --auth-password p --body @{files}/body.txt")
SWAKS_C6 = notes("went on without AUTH", "client-c6-post-tls-capabilities")
SWAKS_FAILS = ("client-c4-reply-injection", "client-c15-hostile-ehlo-empty")
SWAKS_CASES = [
    Case("swaks --tls (does not verify)", "encrypt", SWAKS + " --tls",
         fails(*SWAKS_FAILS, TLS10), notes=HELO | SWAKS_C6 | BAD_CERT),
    Case("swaks --tls --tls-verify (verifies, not the name)", "strict",
         SWAKS + " --tls --tls-verify --tls-ca-path {ca}",
         fails(*SWAKS_FAILS, TLS10, "client-c8-cert-wrong-name"), notes=HELO | SWAKS_C6),
    Case("swaks --tls-optional (opportunistic)", "opportunistic", SWAKS + " --tls-optional",
         fails(*SWAKS_FAILS),
         notes=notes("plaintext", "client-c1-starttls-stripped", *C2, "client-c3-ehlo-500")
         | notes("plaintext on the same connection", *C9, "client-c10-sslv3-only",
                 "client-c11-alert-after-220", "client-c11-eof-after-220")
         | SWAKS_C6 | BAD_CERT | WENT_TLS10),
]

# ---- msmtp 1.8.23 (GnuTLS 3.7.9) ----------------------------------------------
# No opportunistic mode: --tls=on requires STARTTLS. stdin carries the
# message, hence sh -c ... exec (smtpeer runs no shell and gives /dev/null);
# the log file (one per port: --parallel) names WORK/files in msmtp's argv.
# --auth=on: it requires AUTH in the EHLO list and never sends it in
# plaintext; where the post-TLS EHLO lacks AUTH (C7, C12, C13) it QUITs
# with "the server does not support authentication"; C6 (XOAUTH2 only):
# "cannot find a usable authentication method", closes.
# - Any non-220 to STARTTLS, a 454 with replies behind it (C5), 421/554
#   greetings: closes (no QUIT). C4: "command STARTTLS failed", closes
#   without a TLS byte. C15: "the server sent an invalid reply" / "Rejecting
#   server reply that is longer than 50 lines", closes.
# - C3: HELO after EHLO 500, then "the server does not support TLS via the
#   STARTTLS command": pass with a note.
# - Trust file: a bad certificate: handshake completes, then it closes
#   ("TLS certificate verification failed: ... The name in the certificate
#   does not match the expected" / "... expired certificate" / "... issuer is
#   unknown"), before EHLO.
# - --tls-certcheck=off: over any certificate it sends "AUTH PLAIN AHUAcA=="
#   (u/p) inside TLS. Run under encrypt (C8 a note) and, once, under strict:
#   the one unverified configuration kept strict, because it shows the
#   password going to a server nobody verified (RFC 8314 §5, RFC 4954 §4).
# - C15 flood: it stops reading after 50 lines and closes; smtpeer's write of
#   the rest may meet the reset, which the scenario passes.
MSMTP = ('sh -c "exec msmtp --host=localhost --port={port} --from=a@example.test --auth=on '
         "--user=u --passwordeval='echo p' --logfile={files}/msmtp-{port}.log -d %s "
         'b@example.test < {msg}"')
MSMTP_CASES = [
    Case("msmtp --tls=on --tls-starttls=on --tls-trust-file (verifies)", "strict",
         MSMTP % "--tls=on --tls-starttls=on --tls-trust-file={ca}", fails(TLS10), notes=HELO),
    Case("msmtp --tls=on --tls-starttls=on --tls-certcheck=off (does not verify)", "encrypt",
         MSMTP % "--tls=on --tls-starttls=on --tls-certcheck=off", fails(TLS10),
         notes=HELO | BAD_CERT),
    Case("msmtp --tls-certcheck=off under the strict policy", "strict",
         MSMTP % "--tls=on --tls-starttls=on --tls-certcheck=off", fails(TLS10, *C8),
         notes=HELO),
]

# ---- Python smtplib (this interpreter: {python} = sys.executable) ----------------
# clients/smtplib_client.py is the policy (smtplib has none): required =
# starttls() always, opportunistic = only when advertised; AUTH u/p whenever
# advertised. No timeout (smtplib's default: blocking).
# - C3: ehlo_or_helo_if_needed() sends HELO after EHLO 500; required mode
#   then raises (no STARTTLS): pass with a note; opportunistic: MAIL (a note).
# - C4: handshake, "ehlo" inside TLS, then waits for the real reply (starttls()
#   drops its read buffer); smtpeer closes after 8 s: pass.
# - C6: the post-TLS list has only XOAUTH2: "No suitable authentication
#   method found", closes: pass.
# - Verifying context (CA, name localhost): alert in the handshake for every
#   bad certificate. Unverified context: AUTH PLAIN inside TLS (notes).
# - A non-220 to STARTTLS raises; the script does not catch it, so even the
#   opportunistic mode closes (C2, C5).
# - C10 TLS 1.0 depends on the Python build: upstream CPython >= 3.10 gives
#   every client context a TLS 1.2 minimum (protocol_version alert: pass);
#   Debian 12's /usr/bin/python3 (3.11.2) leaves it at MINIMUM_SUPPORTED and
#   goes on (ClientKeyExchange, ChangeCipherSpec, Finished): fail.
SMTPLIB = "{python} {clients}/smtplib_client.py --host localhost --port {port} --msg {msg}"
PY_TLS10 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).minimum_version not in (
    ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
SMTPLIB_CASES = [
    Case("smtplib required, verifying context", "strict",
         SMTPLIB + " --mode required --ca {ca}", fails(TLS10) if PY_TLS10 else {}, notes=HELO),
    Case("smtplib opportunistic, unverified context", "opportunistic",
         SMTPLIB + " --mode opportunistic --ca none",
         notes=notes("plaintext", "client-c1-starttls-stripped", "client-c3-ehlo-500")
         | BAD_CERT | (WENT_TLS10 if PY_TLS10 else {})),
]


@dataclass(frozen=True)
class Client:
    programs: tuple[str, ...]  # must be on PATH
    install: str  # what ci/install-deps.sh installs for it
    cases: list[Case]
    probe: tuple[str, ...] = ()  # a command that must succeed (e.g. a library check)


CLIENTS = {
    "curl": Client(("curl",), "curl", CURL_CASES),
    "swaks": Client(("swaks", "perl"), "swaks and libnet-ssleay-perl", SWAKS_CASES,
                    ("perl", "-MNet::SSLeay", "-e", "1")),
    "msmtp": Client(("msmtp", "sh"), "msmtp", MSMTP_CASES),
    "smtplib": Client((), "python3", SMTPLIB_CASES, (sys.executable, "-c", "import smtplib, ssl")),
}


def server_scenarios(root: Path) -> list[str]:
    """server_scenarios: ids smtpeer runs in the server role (not disabled)."""
    ids = []
    for p in sorted(root.rglob("*.toml")):
        rel = p.relative_to(root).parts
        if rel[0] in ("profiles", "suites") or any(part.startswith(".") for part in rel):
            continue
        if tomllib is None:
            if rel[0] == "client":
                ids.append(p.stem)
            continue
        doc = tomllib.loads(p.read_text())
        if doc.get("role") == "server" and "disabled" not in doc:
            ids.append(doc["id"])
    return sorted(ids)


def missing(client: Client) -> str | None:
    for program in client.programs:
        if shutil.which(program) is None:
            return f"{program} is not on PATH"
    if client.probe:
        r = subprocess.run(list(client.probe), capture_output=True, text=True)
        if r.returncode != 0:
            return f"{' '.join(client.probe)} failed: {r.stderr.strip()[-300:]}"
    return None


def fill(command: str, files: Path, msg: Path) -> str:
    for name, value in (("{msg}", str(msg)), ("{files}", str(files)), ("{python}", sys.executable),
                        ("{clients}", str(HERE / "clients"))):
        command = command.replace(name, shlex.quote(value))
    return command


def check_case(label: str, case: Case, got: dict, ids: list[str], problems: list[str],
               known: list[str]) -> None:
    for sid in case.verdicts.keys() | case.notes.keys() | case.disputed.keys():
        if sid not in ids:
            problems.append(f"{label}: names {sid}, which is not a server-role scenario here")
    for sid in ids:
        want = case.verdicts.get(sid, "pass")
        s = got.get(sid)
        actual = s["verdict"] if s else "(absent)"
        summary = s["summary"] if s else ""
        d = case.disputed.get(sid)
        false_note = bool(s and d and d.now == "note" and any(d.marker in n for n in s.get("notes", [])))
        if actual == want and false_note:
            tag = "ok  "
            known.append(f"{label}: {sid} has a false note ('{d.marker}'): {d.why}")
            print(f"  KNOWN {sid}: false note '{d.marker}'")
        elif actual == want:
            tag = "ok  "
            if d:
                print(f"  note {sid}: disputed, but smtpeer got it right this run; once smtpeer is "
                      "fixed and it always does, its `disputed` entry can go")
        elif d and actual == d.now and d.marker in summary:
            tag = "KNOWN"
            known.append(f"{label}: {sid} is {actual}, should be {want}: {d.why}")
        else:
            tag = "FAIL"
            problems.append(f"{label}: {sid} is {actual}, want {want}")
        print(f"  {tag} {sid}: {actual} (want {want})" + ("" if tag == "ok  " else f" — {summary}"))
        # The client's own account is evidence of every verdict.
        if s and not any(e["text"].startswith("client: ") for e in s["evidence"]):
            problems.append(f"{label}: {sid} has no client evidence line")
        if s and sid in case.notes:
            text = " ".join(s.get("notes", []))
            if case.notes[sid] not in text:
                problems.append(f"{label}: {sid} notes lack '{case.notes[sid]}': {text!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smtpeer", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--client", required=True, choices=sorted(CLIENTS))
    ap.add_argument("--scenarios", default=str(REPO / "scenarios"))
    ap.add_argument("--parallel", type=int, default=4, help="clients at once (smtpeer --parallel)")
    args = ap.parse_args()
    client = CLIENTS[args.client]
    why = missing(client)
    if why:
        print(f"{args.client}: {why}: install {client.install} (ci/install-deps.sh)")
        return 3
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    files = work / "files"  # what the clients read and write; names them in `ps`
    files.mkdir(exist_ok=True)
    msg = files / "message.txt"
    msg.write_text(MESSAGE)
    (files / "body.txt").write_text("hello\r\n")
    scenarios = Path(args.scenarios).resolve()
    ids = server_scenarios(scenarios)
    if not ids:
        print(f"no server-role scenarios under {scenarios}")
        return 3
    problems: list[str] = []
    known: list[str] = []
    for n, case in enumerate(client.cases):
        command = fill(case.command, files, msg)
        if str(files) not in command:
            print(f"{case.label}: the command names neither {{msg}} nor {{files}}")
            return 3
        out = work / f"case{n}"
        report = out / "report.json"
        report.unlink(missing_ok=True)
        cmd = [args.smtpeer, "run", "--role", "server", "--client-policy", case.policy,
               "--client-cmd", command, "--scenarios", str(scenarios),
               "--out", str(out), "--json", str(report), "--quiet", "--no-color",
               "--parallel", str(args.parallel)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        (work / f"case{n}.txt").write_text(r.stdout + r.stderr)
        try:
            data = json.loads(report.read_text())
        except (OSError, ValueError) as e:
            print(f"== {case.label}: no report ({e}); smtpeer exited {r.returncode}:\n{r.stderr[-2000:]}")
            return 3
        got = {s["id"]: s for s in data["scenarios"]}
        print(f"== {case.label} ({case.policy}): smtpeer exited {r.returncode} "
              f"after {data.get('duration_ms', 0) / 1000:.1f} s")
        check_case(case.label, case, got, ids, problems, known)
        # smtpeer's exit status follows the verdicts it gave.
        verdicts = {s["verdict"] for s in data["scenarios"]}
        want_rc = 3 if "error" in verdicts else 1 if "fail" in verdicts else 0
        if r.returncode != want_rc:
            problems.append(f"{case.label}: smtpeer exited {r.returncode}, want {want_rc}")
        # No client outlives its scenario.
        left = subprocess.run(["pgrep", "-f", re.escape(str(files))], capture_output=True,
                              text=True).stdout.split()
        if left:
            problems.append(f"{case.label}: client processes left running: {left}")
    print()
    for k in known:
        print("KNOWN " + k)
    for p in problems:
        print("FAIL " + p)
    print(f"{args.client}: {len(client.cases)} configurations, {len(ids)} scenarios each, "
          + ("all as expected" if not problems else f"{len(problems)} problems")
          + (f" ({len(known)} known smtpeer mistakes to fix)" if known else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
