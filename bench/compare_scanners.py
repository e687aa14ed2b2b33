#!/usr/bin/python3
"""compare_scanners.py: smtpeer side by side with testssl.sh and sslscan.

One Postfix (tests/integration/sut.py) on 127.0.0.1 is scanned, round after
round, by four runs, the order reversed every other round so no tool always
meets a cold (or warm) server:

  smtpeer-probe  smtpeer probe: TLS inventory after STARTTLS, judged
  smtpeer-run    smtpeer run: the whole STARTTLS scenario suite
  testssl        testssl.sh --starttls smtp, its full default run
  sslscan        sslscan --starttls-smtp

For every run: wall time, CPU time of the tool and all the children it
waited for (os.wait4), CPU time Postfix spent serving it (from /proc), and
the TCP connections Postfix logged ("connect from" lines in its maillog), the
same counter for every tool; smtpeer's own count is shown next to it. Then
the TLS findings of the three scanners are put side by side and the rows
where they disagree are marked.

Python 3 standard library only; must run as root (Postfix starts as root).
Usage: compare_scanners.py --smtpeer PATH [--rounds N] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
SUT_PY = REPO / "tests" / "integration" / "sut.py"
PYTHON = "/usr/bin/python3"
EXPECT_NAME = "mx.smtpeer.test"  # the name sut.py's test PKI issues the leaf for
TOOLS = ("smtpeer-probe", "smtpeer-run", "testssl", "sslscan")
LABEL = {
    "smtpeer-probe": "smtpeer probe",
    "smtpeer-run": "smtpeer run (suite)",
    "testssl": "testssl.sh",
    "sslscan": "sslscan",
}
SCANNERS = ("smtpeer-probe", "testssl", "sslscan")  # the ones with a TLS inventory
VERSIONS = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
# Postfix logs one "connect from" per accepted TCP connection and one
# "disconnect from" when its session ends; the colon keeps "disconnect" out.
CONNECT_RE = re.compile(r"\]: connect from ")
DISCONNECT_RE = re.compile(r"\]: disconnect from ")
SETTLE_QUIET_S = 0.5  # the log must be still this long before a count is taken
SETTLE_LIMIT_S = 45.0  # Postfix's smtpd_timeout in the fixture is 20 s
KILL_GRACE_S = 5.0


class BenchError(Exception):
    """BenchError: the benchmark cannot go on (setup, a tool missing, ...)."""


# --- processes -------------------------------------------------------------------


def group_members(pgid: int) -> list[int]:
    """group_members: processes (zombies included) whose process group is pgid."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            out.append(int(entry.name))
    return out


def proc_cpu_s(pid: int, with_children: bool) -> float:
    """proc_cpu_s: utime+stime of pid (plus cutime+cstime), 0 when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    f = stat[stat.rindex(")") + 2 :].split()
    # After the "(comm)": state is f[0], so utime..cstime (fields 14..17) are f[11..14].
    ticks = int(f[11]) + int(f[12])
    if with_children:
        ticks += int(f[13]) + int(f[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu_s(master: int, pgid: int) -> float:
    """server_cpu_s: CPU Postfix has used so far, its live and its ended processes.

    Live processes of the group count by their own times; ended ones were
    reaped by the master, whose cutime/cstime hold them. A process that ends
    between two samples moves from one sum to the other, so deltas stay right.
    """
    total = proc_cpu_s(master, with_children=True)
    for pid in group_members(pgid):
        if pid != master:
            total += proc_cpu_s(pid, with_children=False)
    return total


@dataclasses.dataclass
class Exit:
    """Exit: how one tool run ended."""

    status: int | None  # exit code, or -signal; None if it never ended
    wall_s: float
    cpu_s: float  # user+sys of the tool and every child it waited for
    timed_out: bool


# The tool run now in progress, so an interrupt can end its whole group.
_current: subprocess.Popen | None = None


def kill_group(pgid: int) -> None:
    """kill_group: SIGTERM, then SIGKILL, the process group we started (bounded)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not group_members(pgid):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + KILL_GRACE_S
        while time.monotonic() < deadline and group_members(pgid):
            time.sleep(0.05)


def run_tool(argv: list[str], out: Path, timeout_s: float, cwd: Path) -> Exit:
    """run_tool: run argv (stdout+stderr to out) in its own process group.

    os.wait4 returns the rusage of the child including every descendant it
    waited for (testssl.sh's openssl processes), which is the CPU we want.
    It blocks, so it runs in a thread and the main thread bounds the wait.
    """
    global _current
    result: dict[str, Any] = {}
    with open(out, "wb") as sink:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                             cwd=cwd, start_new_session=True, close_fds=True)
    _current = p

    def reap() -> None:
        _, status, usage = os.wait4(p.pid, 0)
        result["wall"] = time.perf_counter() - t0
        result["status"] = os.waitstatus_to_exitcode(status)
        result["cpu"] = usage.ru_utime + usage.ru_stime

    waiter = threading.Thread(target=reap, daemon=True)
    waiter.start()
    waiter.join(timeout_s)
    timed_out = waiter.is_alive()
    if timed_out:
        kill_group(p.pid)
        waiter.join(KILL_GRACE_S)
    # Anything the tool left running in its group (background helpers) goes too.
    kill_group(p.pid)
    p.returncode = result.get("status", -9)  # wait4 reaped it; Popen must not try
    _current = None
    return Exit(result.get("status"), result.get("wall", time.perf_counter() - t0),
                result.get("cpu", 0.0), timed_out)


# --- Postfix ------------------------------------------------------------------------


@dataclasses.dataclass
class Postfix:
    """Postfix: the server under test, as sut.py started it."""

    port: int
    ca: str
    log: Path
    dir: Path
    master: int
    pgid: int
    version: str


def start_postfix(run_dir: Path) -> Postfix:
    p = subprocess.run([PYTHON, str(SUT_PY), "start", "postfix", "--dir", str(run_dir)],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise BenchError(f"sut.py start postfix failed:\n{p.stdout}{p.stderr}")
    info = json.loads(p.stdout.strip().splitlines()[-1])
    state = json.loads((run_dir / "sut.json").read_text())
    version = subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True,
                             text=True, timeout=30).stdout.strip()
    return Postfix(port=int(info["port"]), ca=info["ca"], log=Path(info["log"]), dir=run_dir,
                   master=int(state["pid"]), pgid=int(state["pgid"]), version=version)


def stop_postfix(run_dir: Path) -> None:
    if not (run_dir / "sut.json").exists():
        return
    p = subprocess.run([PYTHON, str(SUT_PY), "stop", "--dir", str(run_dir)],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        print(f"compare_scanners: sut.py stop failed:\n{p.stdout}{p.stderr}", file=sys.stderr)


@dataclasses.dataclass
class LogSlice:
    connects: int
    settled: bool  # every connection had ended (and the log was quiet) when counted
    end: int  # byte offset the next slice starts at
    still_open: int  # sessions not yet ended when counted (carried to the next slice)


def settle(log: Path, start: int, carried: int = 0) -> LogSlice:
    """settle: wait until every session logged after `start` has ended, then count.

    Postfix writes through postlogd, a little after the fact, and a tool may
    leave a session that Postfix closes only at its timeout; counting once
    connects == disconnects and the file has been still for a moment keeps
    each connection with the run that opened it. `carried`: sessions an
    earlier slice left open, whose disconnects may land in this one.
    """
    begin = time.monotonic()
    last_size, still_since = -1, begin
    while True:
        size = log.stat().st_size
        now = time.monotonic()
        if size != last_size:
            last_size, still_since = size, now
        with open(log, "rb") as f:
            f.seek(start)
            text = f.read(size - start).decode("latin-1")
        # Only whole lines: postlogd may be in the middle of one.
        cut = text.rfind("\n") + 1
        text = text[:cut]
        c, d = len(CONNECT_RE.findall(text)), len(DISCONNECT_RE.findall(text))
        still_open = carried + c - d
        quiet = now - still_since >= SETTLE_QUIET_S
        if (still_open <= 0 and quiet) or now - begin > SETTLE_LIMIT_S:
            return LogSlice(connects=c, settled=(still_open <= 0 and quiet),
                            end=start + len(text.encode("latin-1")), still_open=max(0, still_open))
        time.sleep(0.1)


# --- the tools ----------------------------------------------------------------------


@dataclasses.dataclass
class Context:
    smtpeer: str
    testssl: str
    sslscan: str
    postfix: Postfix
    work: Path
    use_ca: bool
    profile: str | None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.postfix.port}"


def smtpeer_common(ctx: Context) -> list[str]:
    args = ["--target", ctx.target, "-q", "--no-color"]
    if ctx.profile:
        args += ["--profile", ctx.profile]
    if ctx.use_ca:
        args += ["--ca-file", ctx.postfix.ca, "--expect-name", EXPECT_NAME]
    return args


def argv_for(tool: str, ctx: Context, stem: Path) -> tuple[list[str], Path]:
    """argv_for: the command line of one run and the file it writes its result to."""
    if tool == "smtpeer-probe":
        out = stem.with_suffix(".json")
        return [ctx.smtpeer, "probe", *smtpeer_common(ctx), "--json", str(out)], out
    if tool == "smtpeer-run":
        out = stem.with_suffix(".json")
        return [ctx.smtpeer, "run", *smtpeer_common(ctx), "--json", str(out),
                "--out", str(stem) + "-transcripts"], out
    if tool == "testssl":
        out = stem.with_suffix(".json")
        # --nodns none: no PTR/CAA look-ups, which would leave this machine.
        # With the CA, testssl.sh is also told the name (connecting to
        # 127.0.0.1 all the same), as smtpeer is with --expect-name; given an
        # IP it checks the certificate against the IP.
        where = (["--add-ca", ctx.postfix.ca, "--ip", "127.0.0.1", f"{EXPECT_NAME}:{ctx.postfix.port}"]
                 if ctx.use_ca else [ctx.target])
        return [ctx.testssl, "--starttls", "smtp", "--quiet", "--warnings", "off", "--color", "0",
                "--nodns", "none", "--jsonfile-pretty", str(out), *where], out
    if tool == "sslscan":
        out = stem.with_suffix(".xml")
        return [ctx.sslscan, "--starttls-smtp", "--no-colour", f"--xml={out}", ctx.target], out
    raise BenchError(f"unknown tool {tool}")


# --- findings: one normalised record per scanner -------------------------------------
#
# Values: True/False, a number or a short string; None = the tool did not
# report it (or cannot test it). Rows are compared only where tools report.

ROWS: tuple[tuple[str, str], ...] = (
    *((f"proto:{v}", f"{v} accepted") for v in VERSIONS),
    ("tls12_suites", "TLS 1.2 suites accepted"),
    ("tls13_suites", "TLS 1.3 suites accepted"),
    ("anon", "anonymous suites (aNULL)"),
    ("anon_count", "anonymous suites, distinct"),
    ("3des", "3DES suites"),
    ("rc4", "RC4 suites"),
    ("export", "export suites"),
    ("null", "NULL-encryption suites"),
    ("dh_bits", "DHE sizes (bits)"),
    ("groups", "ECDHE groups"),
    ("server_order", "server cipher order"),
    ("fallback_scsv", "TLS_FALLBACK_SCSV honoured"),
    ("secure_renego", "secure renegotiation"),
    ("compression", "TLS compression"),
    ("heartbeat", "heartbeat extension"),
    ("heartbleed", "Heartbleed vulnerable"),
    ("cert_trusted", "chain trusted (test CA)"),
    ("cert_name", "name matches"),
    ("cert_expired", "certificate expired"),
    ("cert_key", "leaf key"),
    ("chain_len", "certificates sent"),
)
Findings = dict[str, Any]

GROUP_ALIASES = {"prime256v1": "secp256r1", "p-256": "secp256r1", "p-384": "secp384r1", "p-521": "secp521r1"}


def norm_group(name: str) -> str:
    n = name.split("(")[0].strip().lower()
    return GROUP_ALIASES.get(n, n)


def suite_flags(iana: str) -> dict[str, bool]:
    """suite_flags: weak-suite classes of one suite, from its IANA name."""
    n = iana.upper()
    return {
        "anon": "_ANON_" in n,
        "3des": "3DES" in n,
        "rc4": "_RC4_" in n,
        "export": "EXPORT" in n,
        "null": "_WITH_NULL_" in n,
    }


def dh_range(bits: list[int]) -> str | None:
    return f"{min(bits)}-{max(bits)}" if bits else None


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def parse_probe(path: Path, _stdout: str) -> Findings:
    d = json.loads(path.read_text())
    f: Findings = {}
    for v in VERSIONS:
        f[f"proto:{v}"] = bool(d["protocols"].get(v, {}).get("accepted"))
    suites = d.get("suites", {})
    f["tls12_suites"] = len(suites.get("TLSv1.2", []))
    f["tls13_suites"] = len(suites.get("TLSv1.3", []))
    every = [s for v in VERSIONS for s in suites.get(v, [])]
    names = {s["name"] for s in every}
    for key in ("anon", "3des", "rc4", "export", "null"):
        f[key] = any(suite_flags(n)[key] for n in names)
    f["anon_count"] = sum(1 for n in names if suite_flags(n)["anon"])
    kx = d.get("key_exchange", {})
    lo, hi = kx.get("dh_bits_min"), kx.get("dh_bits_max")
    f["dh_bits"] = f"{lo}-{hi}" if lo and hi else None
    f["groups"] = " ".join(sorted(norm_group(g) for g in kx.get("groups", []))) or None
    orders = [o for o in d.get("server_order", {}).values() if o is not None]
    f["server_order"] = any(orders) if orders else None
    feat = d.get("features", {})
    f["fallback_scsv"] = yes_no(feat.get("fallback_scsv"))
    f["secure_renego"] = yes_no(feat.get("secure_renegotiation"))
    f["compression"] = yes_no(feat.get("compression"))
    f["heartbeat"] = yes_no(feat.get("heartbeat"))
    # No heartbeat extension: nothing to bleed through. smtpeer does not send
    # a malformed heartbeat, so with the extension on it cannot say.
    f["heartbleed"] = False if f["heartbeat"] is False else None
    cert = d.get("certificate") or {}
    chain = cert.get("chain") or []
    f["cert_trusted"] = cert.get("verified") if cert.get("ca_file") else None
    f["cert_name"] = yes_no(cert.get("matches_expected"))
    f["cert_expired"] = chain[0].get("expired") if chain else None
    f["cert_key"] = f"{chain[0]['key_type']} {chain[0]['key_bits']}" if chain else None
    f["chain_len"] = len(chain) if chain else None
    return f


TESTSSL_PROTO = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1",
                 "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
TESTSSL_CIPHERLIST = {"cipherlist_aNULL": "anon", "cipherlist_3DES_IDEA": "3des",
                      "cipherlist_EXPORT": "export", "cipherlist_NULL": "null"}
# A cipher line of a default run: hexcode, OpenSSL name, key exchange ("DH 2048",
# "ECDH 253", "RSA"), encryption, bits, IANA name.
TESTSSL_CIPHER_RE = re.compile(r"^x([0-9a-f]+)\s+(\S+)\s+(DH|ECDH|RSA|\S+)\s*(\d+)?\s+\S+\s+\d+\s+(\S+)",
                               re.IGNORECASE)


def offered(finding: str) -> bool | None:
    """offered: testssl.sh's "offered ..." / "not offered ..." as a bool."""
    s = finding.strip().lower()
    if s.startswith("not offered"):
        return False
    if s.startswith("offered"):
        return True
    return None


def parse_testssl(path: Path, _stdout: str) -> Findings:
    d = json.loads(path.read_text())
    scans = d.get("scanResult") or []
    if not scans:
        raise BenchError("testssl.sh JSON has no scanResult")
    items: dict[str, str] = {}
    ciphers: list[tuple[int, str, str, int | None]] = []  # code, IANA, kx, kx bits
    for section, entries in scans[0].items():
        if not isinstance(entries, list):
            continue
        for e in entries:
            if not isinstance(e, dict) or "id" not in e:
                continue
            items.setdefault(e["id"], str(e.get("finding", "")))
            if section == "cipherTests" and e["id"].startswith("cipher_x"):
                m = TESTSSL_CIPHER_RE.match(str(e.get("finding", "")))
                if m:
                    ciphers.append((int(m.group(1), 16), m.group(5), m.group(3),
                                    int(m.group(4)) if m.group(4) else None))
    f: Findings = {}
    for tid, v in TESTSSL_PROTO.items():
        f[f"proto:{v}"] = offered(items[tid]) if tid in items else None
    # A default run lists the suites once over all protocols, not per version:
    # suites 0x13xx are TLS 1.3, the rest are counted as TLS 1.2 (a superset of
    # what 1.0/1.1 accept on any ordinary server).
    f["tls13_suites"] = sum(1 for c in ciphers if c[0] >> 8 == 0x13) if ciphers else None
    f["tls12_suites"] = sum(1 for c in ciphers if c[0] >> 8 != 0x13) if ciphers else None
    for tid, key in TESTSSL_CIPHERLIST.items():
        f[key] = offered(items[tid]) if tid in items else None
    rc4 = items.get("RC4", "").lower()
    f["rc4"] = None if not rc4 else ("not vulnerable" not in rc4)
    f["anon_count"] = sum(1 for c in ciphers if suite_flags(c[1])["anon"]) if ciphers else None
    f["dh_bits"] = dh_range([c[3] for c in ciphers if c[2].upper() == "DH" and c[3]])
    curves = items.get("PFS_ECDHE_curves") or items.get("FS_ECDHE_curves")
    f["groups"] = " ".join(sorted(norm_group(g) for g in curves.split())) if curves else None
    order = items.get("cipher_order", "").lower()
    f["server_order"] = None if not order else (False if order.startswith("not") else "server" in order)
    fb = items.get("fallback_SCSV", "").lower()
    f["fallback_scsv"] = None if not fb else (
        False if "not supported" in fb else True if fb.startswith("supported") or "prevention supported" in fb
        else None)
    ren = items.get("secure_renego", "").lower()
    f["secure_renego"] = None if not ren else (False if "not" in ren or "vulnerable" in ren else True)
    crime = items.get("CRIME_TLS", "").lower()
    f["compression"] = None if not crime else ("not vulnerable" not in crime)
    hb = items.get("heartbleed", "").lower()
    f["heartbeat"] = None if not hb else (False if "no heartbeat extension" in hb else True)
    f["heartbleed"] = None if not hb else ("not vulnerable" not in hb)
    trust = items.get("cert_chain_of_trust", "").lower()
    f["cert_trusted"] = None if not trust else trust.startswith("passed")
    name = items.get("cert_trust", "").lower()
    f["cert_name"] = None if not name else ("ok via" in name or name.startswith("ok"))
    exp = items.get("cert_expirationStatus", "").lower()
    f["cert_expired"] = None if not exp else ("expired" in exp)
    key = re.match(r"(\w+) (\d+) bits", items.get("cert_keySize", ""))
    f["cert_key"] = f"{key.group(1)} {key.group(2)}" if key else None
    count = items.get("certs_countServer", "")
    f["chain_len"] = int(count) if count.isdigit() else None
    return f


SSLSCAN_PROTO = {("ssl", "2"): "SSLv2", ("ssl", "3"): "SSLv3", ("tls", "1.0"): "TLSv1.0",
                 ("tls", "1.1"): "TLSv1.1", ("tls", "1.2"): "TLSv1.2", ("tls", "1.3"): "TLSv1.3"}


def sslscan_flags(name: str, bits: int) -> dict[str, bool]:
    """sslscan_flags: weak-suite classes of an OpenSSL-named suite."""
    n = name.upper()
    return {
        "anon": n.startswith(("ADH-", "AECDH-")) or "-ANON-" in n,
        "3des": "DES-CBC3" in n or "3DES" in n,
        "rc4": "RC4" in n,
        "export": n.startswith("EXP") or "-EXP" in n,
        "null": bits == 0 or n.startswith("NULL-") or "-NULL-" in n,
    }


def parse_sslscan(path: Path, stdout: str) -> Findings:
    root = ET.parse(path).getroot()
    test = root.find("ssltest")
    if test is None:
        raise BenchError("sslscan XML has no ssltest")
    f: Findings = {}
    for p in test.findall("protocol"):
        v = SSLSCAN_PROTO.get((p.get("type", ""), p.get("version", "")))
        if v:
            f[f"proto:{v}"] = p.get("enabled") == "1"
    ciphers = [(c.get("sslversion", ""), c.get("cipher", ""), int(c.get("bits", "0") or 0), c)
               for c in test.findall("cipher")]
    f["tls12_suites"] = sum(1 for c in ciphers if c[0] == "TLSv1.2")
    f["tls13_suites"] = sum(1 for c in ciphers if c[0] == "TLSv1.3")
    for key in ("anon", "3des", "rc4", "export", "null"):
        f[key] = any(sslscan_flags(c[1], c[2])[key] for c in ciphers)
    f["anon_count"] = len({c[1] for c in ciphers if sslscan_flags(c[1], c[2])["anon"]})
    f["dh_bits"] = dh_range([int(c[3].get("dhebits")) for c in ciphers if c[3].get("dhebits")])
    groups = {norm_group(g.get("name", "")) for g in test.findall("group")}
    f["groups"] = " ".join(sorted(groups)) or None
    # sslscan marks the suite a full-list hello gets as "preferred" but does
    # not test whether the server or the client decides.
    f["server_order"] = None
    # Fallback SCSV and compression are in its text output only.
    f["fallback_scsv"] = (True if "Server supports TLS Fallback SCSV" in stdout
                          else False if "Server does not support TLS Fallback SCSV" in stdout else None)
    reneg = test.find("renegotiation")
    f["secure_renego"] = None if reneg is None else reneg.get("secure") == "1"
    comp = test.find("compression")
    f["compression"] = None if comp is None else comp.get("supported") == "1"
    f["heartbeat"] = None  # it tests Heartbleed, not whether the extension is there
    bleeds = [h.get("vulnerable") == "1" for h in test.findall("heartbleed")]
    f["heartbleed"] = any(bleeds) if bleeds else None
    f["cert_trusted"] = None  # sslscan does not verify the chain
    f["cert_name"] = None
    cert = test.find("certificates/certificate")
    expired = cert.findtext("expired") if cert is not None else None
    f["cert_expired"] = None if expired is None else expired.strip() == "true"
    pk = cert.find("pk") if cert is not None else None
    f["cert_key"] = f"{pk.get('type')} {pk.get('bits')}" if pk is not None else None
    f["chain_len"] = None  # only the leaf is shown
    return f


def parse_run(path: Path, _stdout: str) -> Findings:
    d = json.loads(path.read_text())
    scenarios = d.get("scenarios", [])
    return {"totals": d.get("totals", {}), "scenarios": len(scenarios),
            "failed": [s["id"] for s in scenarios if s.get("verdict") in ("fail", "error")]}


PARSERS: dict[str, Callable[[Path, str], Findings]] = {
    "smtpeer-probe": parse_probe,
    "smtpeer-run": parse_run,
    "testssl": parse_testssl,
    "sslscan": parse_sslscan,
}


def self_reported_connections(tool: str, path: Path) -> int | None:
    if not tool.startswith("smtpeer") or not path.exists():
        return None
    with contextlib.suppress(ValueError, OSError):
        return int(json.loads(path.read_text()).get("connections"))
    return None


# --- one run, the rounds --------------------------------------------------------------


@dataclasses.dataclass
class Run:
    tool: str
    round: int
    position: int  # 0-based place in its round
    status: int | None
    timed_out: bool
    wall_s: float
    cpu_s: float
    server_cpu_s: float
    connections: int  # "connect from" lines in Postfix's log
    log_settled: bool
    self_connections: int | None
    result_file: str
    error: str | None
    findings: Findings | None


def one_run(tool: str, rnd: int, pos: int, ctx: Context, log_at: LogSlice,
            timeout_s: float) -> tuple[Run, LogSlice]:
    stem = ctx.work / f"r{rnd}-{tool}"
    argv, result = argv_for(tool, ctx, stem)
    cpu0 = server_cpu_s(ctx.postfix.master, ctx.postfix.pgid)
    ex = run_tool(argv, stem.with_suffix(".out"), timeout_s, ctx.work)
    sl = settle(ctx.postfix.log, log_at.end, log_at.still_open)
    srv = server_cpu_s(ctx.postfix.master, ctx.postfix.pgid) - cpu0
    stdout = stem.with_suffix(".out").read_text(errors="replace")
    findings, error = None, None
    if ex.timed_out:
        error = f"timed out after {timeout_s:.0f} s"
    try:
        findings = PARSERS[tool](result, stdout)
    except (OSError, ValueError, KeyError, ET.ParseError, BenchError) as e:
        error = (error + "; " if error else "") + f"no result from {result.name}: {e}"
    run = Run(tool=tool, round=rnd, position=pos, status=ex.status, timed_out=ex.timed_out,
              wall_s=ex.wall_s, cpu_s=ex.cpu_s, server_cpu_s=max(0.0, srv), connections=sl.connects,
              log_settled=sl.settled, self_connections=self_reported_connections(tool, result),
              result_file=str(result), error=error, findings=findings)
    return run, sl


# --- report ------------------------------------------------------------------------------


def spread(values: list[float], fmt: str) -> str:
    if not values:
        return "—"
    med = statistics.median(values)
    if len(values) == 1:
        return format(med, fmt)
    return f"{format(med, fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def show(v: Any) -> str:
    if v is None:
        return "—"
    if v is True:
        return "yes"
    if v is False:
        return "no"
    return str(v)


def table(header: list[str], rows: list[list[str]]) -> str:
    """table: a Markdown table, padded so it also reads well in a terminal."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def summarise(runs: list[Run]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tool in TOOLS:
        rs = [r for r in runs if r.tool == tool]
        if not rs:
            continue

        def stats(vals: list[float]) -> dict[str, float] | None:
            return {"median": statistics.median(vals), "min": min(vals), "max": max(vals)} if vals else None

        out[tool] = {
            "wall_s": stats([r.wall_s for r in rs]),
            "cpu_s": stats([r.cpu_s for r in rs]),
            "server_cpu_s": stats([r.server_cpu_s for r in rs]),
            "connections": stats([float(r.connections) for r in rs]),
            "self_reported_connections": stats([float(r.self_connections) for r in rs
                                                if r.self_connections is not None]),
        }
    return out


def findings_rows(
    runs: list[Run],
) -> tuple[list[list[str]], list[str], dict[str, dict[str, Any]], list[str], list[str]]:
    """findings_rows: the comparison table from each scanner's last good run."""
    latest: dict[str, Findings] = {}
    unstable: list[str] = []
    scanners = [t for t in SCANNERS if any(r.tool == t for r in runs)]
    for tool in scanners:
        good = [r.findings for r in runs if r.tool == tool and r.findings is not None]
        if good:
            latest[tool] = good[-1]
            if any(g != good[0] for g in good[1:]):
                diff = sorted(k for g in good[1:] for k in g if g.get(k) != good[0].get(k))
                unstable.append(f"{LABEL[tool]} findings changed between rounds: {', '.join(sorted(set(diff)))}")
    rows, disagree = [], []
    as_json: dict[str, dict[str, Any]] = {}
    for key, label in ROWS:
        vals = {t: latest[t].get(key) if t in latest else None for t in scanners}
        known = {json.dumps(v) for v in vals.values() if v is not None}
        mark = "DIFFER" if len(known) > 1 else ""
        if mark:
            disagree.append(key)
        rows.append([label, *(show(vals[t]) for t in scanners), mark])
        as_json[key] = vals
    return rows, disagree, as_json, unstable, scanners


def report(runs: list[Run], ctx: Context, rounds: int) -> tuple[str, dict[str, Any]]:
    summary = summarise(runs)
    lines = [
        f"Postfix {ctx.postfix.version} on {ctx.target} (STARTTLS, opportunistic), {rounds} round(s), "
        f"order reversed every other round; {os.cpu_count()} CPUs.",
        "Times in seconds: median (min–max). Connections: \"connect from\" lines in Postfix's log.",
        "",
    ]
    rows = []
    for tool, s in summary.items():
        selfc = s["self_reported_connections"]
        rows.append([
            LABEL[tool],
            spread([r.wall_s for r in runs if r.tool == tool], ".2f"),
            spread([r.cpu_s for r in runs if r.tool == tool], ".2f"),
            spread([r.server_cpu_s for r in runs if r.tool == tool], ".2f"),
            spread([float(r.connections) for r in runs if r.tool == tool], ".0f"),
            "—" if selfc is None else spread([float(r.self_connections) for r in runs
                                               if r.tool == tool and r.self_connections is not None], ".0f"),
        ])
    lines.append(table(["tool", "wall s", "CPU s (tool)", "CPU s (Postfix)", "connections (Postfix log)",
                        "connections (self-reported)"], rows))
    notes = []
    for r in runs:
        if r.error:
            notes.append(f"round {r.round + 1} {LABEL[r.tool]}: {r.error}")
        if not r.log_settled:
            notes.append(f"round {r.round + 1} {LABEL[r.tool]}: Postfix sessions still open after "
                         f"{SETTLE_LIMIT_S:.0f} s; its count may be short")
        if r.self_connections is not None and r.self_connections != r.connections:
            notes.append(f"round {r.round + 1} {LABEL[r.tool]}: reports {r.self_connections} connections, "
                         f"Postfix logged {r.connections}")
        if r.tool.startswith("smtpeer") and r.status not in (0, 1):
            notes.append(f"round {r.round + 1} {LABEL[r.tool]}: exit status {r.status}")
    frows, disagree, fjson, unstable, scanners = findings_rows(runs)
    lines += ["", "Findings (last round of each scanner; — = not reported / not tested by that tool):", ""]
    lines.append(table(["check", *(LABEL[t] for t in scanners), "agree?"], frows))
    suite_runs = [r for r in runs if r.tool == "smtpeer-run" and r.findings]
    if suite_runs:
        t = suite_runs[-1].findings
        tot = t["totals"]
        lines += ["", f"smtpeer run: {t['scenarios']} scenarios: {tot.get('pass', 0)} pass, "
                      f"{tot.get('fail', 0)} fail, {tot.get('skip', 0)} skip, {tot.get('error', 0)} error"
                      + (f" (not passed: {', '.join(t['failed'])})" if t["failed"] else "") + "."]
    if disagree:
        lines += ["", "Disagreements: " + ", ".join(disagree)]
    if unstable or notes:
        lines += ["", "Notes:", *(f"  {n}" for n in unstable + notes)]
    data = {
        "postfix": {"version": ctx.postfix.version, "target": ctx.target},
        "rounds": rounds,
        "cpus": os.cpu_count(),
        "summary": summary,
        "findings": fjson,
        "disagreements": disagree,
        "suite_totals": suite_runs[-1].findings if suite_runs else None,
        "notes": unstable + notes,
        "runs": [{k: v for k, v in dataclasses.asdict(r).items() if k != "findings"} for r in runs],
    }
    return "\n".join(lines), data


# --- main ----------------------------------------------------------------------------------


def find_tool(explicit: str | None, names: tuple[str, ...], package: str) -> str:
    for n in ([explicit] if explicit else list(names)):
        path = shutil.which(n)
        if path:
            return path
    raise BenchError(f"{' or '.join(names) if not explicit else explicit} not found: "
                     f"install Debian package {package} (ci/install-deps.sh)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Compare smtpeer with testssl.sh and sslscan on one local Postfix.")
    ap.add_argument("--smtpeer", required=True, help="the smtpeer binary to measure")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of all four runs (default 3)")
    ap.add_argument("--json", help="also write the summary as JSON to this file")
    ap.add_argument("--testssl", help="testssl.sh binary (default: testssl or testssl.sh on PATH)")
    ap.add_argument("--sslscan", help="sslscan binary (default: sslscan on PATH)")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    ap.add_argument("--profile", help="smtpeer profile (default: smtpeer's default)")
    ap.add_argument("--no-ca", action="store_true",
                    help="give no tool the test CA (default: smtpeer --ca-file/--expect-name, testssl --add-ca)")
    ap.add_argument("--timeout", type=float, default=1200.0, help="seconds one tool run may take (default 1200)")
    ap.add_argument("--workdir", help="keep Postfix and the tools' outputs here (default: a new /tmp dir)")
    a = ap.parse_args(argv)
    if not 1 <= a.rounds <= 50:
        ap.error("--rounds must be 1..50")
    tools = tuple(t for t in a.tools.split(",") if t)
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        ap.error(f"unknown tool(s) {', '.join(unknown)}; known: {', '.join(TOOLS)}")
    if os.geteuid() != 0:
        print("compare_scanners: must run as root (sut.py starts Postfix as root)", file=sys.stderr)
        return 2
    try:
        smtpeer = str(Path(a.smtpeer).resolve())
        if not os.access(smtpeer, os.X_OK):
            raise BenchError(f"{a.smtpeer}: not an executable (build it: ninja -C BUILD smtpeer)")
        testssl = find_tool(a.testssl, ("testssl", "testssl.sh"), "testssl.sh") if "testssl" in tools else ""
        sslscan = find_tool(a.sslscan, ("sslscan",), "sslscan") if "sslscan" in tools else ""
    except BenchError as e:
        print(f"compare_scanners: {e}", file=sys.stderr)
        return 2
    work = Path(a.workdir or tempfile.mkdtemp(prefix="smtpeer-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    sut_dir = work / "postfix"
    runs: list[Run] = []

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        postfix = start_postfix(sut_dir)
        ctx = Context(smtpeer=smtpeer, testssl=testssl, sslscan=sslscan, postfix=postfix, work=work,
                      use_ca=not a.no_ca, profile=a.profile)
        # sut.py's own readiness check is a connection too: let it end first.
        log_at = settle(postfix.log, 0)
        for rnd in range(a.rounds):
            order = tools if rnd % 2 == 0 else tuple(reversed(tools))
            for pos, tool in enumerate(order):
                print(f"round {rnd + 1}/{a.rounds}: {LABEL[tool]} ...", file=sys.stderr, flush=True)
                run, log_at = one_run(tool, rnd, pos, ctx, log_at, a.timeout)
                runs.append(run)
                print(f"  {run.wall_s:.2f} s, CPU {run.cpu_s:.2f} s, {run.connections} connections"
                      + (f" ({run.error})" if run.error else ""), file=sys.stderr, flush=True)
        text, data = report(runs, ctx, a.rounds)
    except KeyboardInterrupt:
        print("compare_scanners: interrupted", file=sys.stderr)
        return 130
    except BenchError as e:
        print(f"compare_scanners: {e}", file=sys.stderr)
        return 1
    finally:
        if _current is not None:
            kill_group(_current.pid)
        stop_postfix(sut_dir)
    data["workdir"] = str(work)
    if a.json:
        Path(a.json).write_text(json.dumps(data, indent=1) + "\n")
    print(text)
    print(f"\n(outputs kept in {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
