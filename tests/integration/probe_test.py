#!/usr/bin/env python3
"""probe_test.py: `smtpeer probe` against real mail servers, checked against what they accept.

For each instance: start it (sut.py), run `smtpeer probe --json` with the
test CA and the expected name, stop it (always, by PID), and compare the
report with what the server was measured to accept by hand (openssl
s_client, tests/integration/README.md "TLS facts"): protocol versions, the
suites of every version as sets (and the order when the server imposes
one), anonymous suites, DH sizes, groups, the certificate, TLS_FALLBACK_SCSV,
the connection count and duration, and the profile's findings.

While the server runs, openssl s_client re-checks the facts live: one call
per protocol version (accepted or refused as smtpeer says), one for a DHE
suite's DH size, one for anonymous suites, one for TLS_FALLBACK_SCSV. So the
test fails when either smtpeer or the server changes.

  /usr/bin/python3 tests/integration/probe_test.py --smtpeer build/X/harness/smtpeer --work DIR [--only NAME]

Exit status: 0 every check passed; 1 a check failed; 2 usage; 3 a server or
smtpeer could not be run (the message says what to install). Python 3
standard library only (3.11: tomllib); run as root, like sut.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import sut  # noqa: E402  (sibling module)

PROBE_TIMEOUT_S = 240  # wall clock for one `smtpeer probe`
OPENSSL_TIMEOUT_S = 40  # one s_client call (OpenSMTPD may delay its greeting 5 s)
OPENSSL_RETRIES = 10  # s_client calls that did not reach TLS (a 421 from Exim's per-host cap)
VERSIONS = ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
S_CLIENT_FLAG = {"TLSv1.0": "-tls1", "TLSv1.1": "-tls1_1", "TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}
BELOW = {"TLSv1.3": "TLSv1.2", "TLSv1.2": "TLSv1.1", "TLSv1.1": "TLSv1.0"}
STRICT_PROFILE = sut.REPO / "scenarios" / "profiles" / "tls12-strict.toml"

# --- what the servers accept, measured by hand (README.md "TLS facts") --------
#
# Suites by OpenSSL name. Postfix 3.7 with Debian's OpenSSL 3.0 and the
# default "medium" grade; its SMTP server adds the anonymous suites unless
# told otherwise (or unless it asks for client certificates).
POSTFIX_LEGACY_AUTH = frozenset({
    "ECDHE-RSA-AES256-SHA", "DHE-RSA-AES256-SHA", "DHE-RSA-CAMELLIA256-SHA",
    "ECDHE-RSA-AES128-SHA", "DHE-RSA-AES128-SHA", "DHE-RSA-CAMELLIA128-SHA",
    "AES256-SHA", "CAMELLIA256-SHA", "AES128-SHA", "CAMELLIA128-SHA",
})
POSTFIX_LEGACY_ANON = frozenset({
    "AECDH-AES256-SHA", "ADH-AES256-SHA", "ADH-CAMELLIA256-SHA",
    "AECDH-AES128-SHA", "ADH-AES128-SHA", "ADH-CAMELLIA128-SHA",
})
POSTFIX_TLS12_AUTH = POSTFIX_LEGACY_AUTH | {
    "ECDHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-CHACHA20-POLY1305", "DHE-RSA-AES256-CCM8", "DHE-RSA-AES256-CCM",
    "ECDHE-ARIA256-GCM-SHA384", "DHE-RSA-ARIA256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-CCM8", "DHE-RSA-AES128-CCM",
    "ECDHE-ARIA128-GCM-SHA256", "DHE-RSA-ARIA128-GCM-SHA256", "ECDHE-RSA-AES256-SHA384",
    "DHE-RSA-AES256-SHA256", "ECDHE-RSA-CAMELLIA256-SHA384", "DHE-RSA-CAMELLIA256-SHA256",
    "ECDHE-RSA-AES128-SHA256", "DHE-RSA-AES128-SHA256", "ECDHE-RSA-CAMELLIA128-SHA256",
    "DHE-RSA-CAMELLIA128-SHA256", "AES256-GCM-SHA384", "AES256-CCM8", "AES256-CCM",
    "ARIA256-GCM-SHA384", "AES128-GCM-SHA256", "AES128-CCM8", "AES128-CCM", "ARIA128-GCM-SHA256",
    "AES256-SHA256", "CAMELLIA256-SHA256", "AES128-SHA256", "CAMELLIA128-SHA256",
}
POSTFIX_TLS12_ANON = POSTFIX_LEGACY_ANON | {
    "ADH-AES256-GCM-SHA384", "ADH-AES128-GCM-SHA256", "ADH-AES256-SHA256",
    "ADH-CAMELLIA256-SHA256", "ADH-AES128-SHA256", "ADH-CAMELLIA128-SHA256",
}
OPENSSL_TLS13 = ("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256")
# Exim 4.96 with GnuTLS 3.7 (its NORMAL priority): AES-CCM, no CAMELLIA/ARIA.
EXIM_LEGACY = frozenset({
    "ECDHE-RSA-AES256-SHA", "DHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA", "DHE-RSA-AES128-SHA",
    "AES256-SHA", "AES128-SHA",
})
EXIM_TLS12 = EXIM_LEGACY | {
    "ECDHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-CHACHA20-POLY1305", "DHE-RSA-AES256-CCM", "ECDHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-CCM", "AES256-GCM-SHA384", "AES256-CCM",
    "AES128-GCM-SHA256", "AES128-CCM",
}
# OpenSMTPD 6.8 with OpenSSL 3.0: OpenSSL's default list without DHE (no DH
# parameters), in the server's order. Found from the ServerHello alone: the
# handshake never completes (README.md, OpenSMTPD).
OPENSMTPD_TLS12_ORDER = (
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ARIA256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ARIA128-GCM-SHA256", "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-CAMELLIA256-SHA384", "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-CAMELLIA128-SHA256",
    "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA", "AES256-GCM-SHA384", "AES256-CCM8",
    "AES256-CCM", "ARIA256-GCM-SHA384", "AES128-GCM-SHA256", "AES128-CCM8", "AES128-CCM",
    "ARIA128-GCM-SHA256", "AES256-SHA256", "CAMELLIA256-SHA256", "AES128-SHA256",
    "CAMELLIA128-SHA256", "AES256-SHA", "CAMELLIA256-SHA", "AES128-SHA", "CAMELLIA128-SHA",
)

EC_GROUPS = frozenset({"x25519", "secp256r1", "secp384r1", "secp521r1", "x448"})
FFDHE_GROUPS = frozenset({"ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"})

# DH prime size by (authentication, cipher bits). OpenSSL sizes the group of
# a certificate-authenticated DHE suite by the RSA-2048 key (2048) and that of
# an anonymous one by the cipher's strength (1024 for 128-bit, 3072 for
# 256-bit); GnuTLS uses 2048 for all.
DH_OPENSSL = {("RSA", 128): 2048, ("RSA", 256): 2048, ("anon", 128): 1024, ("anon", 256): 3072}
DH_RSA_2048 = {("RSA", 128): 2048, ("RSA", 256): 2048}


def strict_profile_order() -> tuple[str, ...]:
    """strict_profile_order: the suites of tls12-strict.toml, in its order."""
    with open(STRICT_PROFILE, "rb") as f:
        return tuple(tomllib.load(f)["tls"]["suites"])


@dataclasses.dataclass(frozen=True)
class Probe:
    """Probe: one `smtpeer probe` run on the instance and what its verdict must be."""

    label: str
    profile: str | None  # None: smtpeer's default (rfc3207)
    exit_code: int | None  # None: not asserted (see the instance's note)
    fails: frozenset[str] = frozenset()  # the checks that must fail; no other may
    client_cert: str | None = None  # a file of the instance's PKI (smtpeer certs), e.g. "client-good"
    client_pki: bool = False  # pass the instance's PKI directory as --client-pki (T6)
    fail_text: tuple[tuple[str, str], ...] = ()  # (check, text its summary must contain)


@dataclasses.dataclass(frozen=True)
class Expect:
    """Expect: what one instance accepts, measured by hand."""

    name: str
    probes: tuple[Probe, ...]  # the first one's report is the inventory checked
    protocols: frozenset[str]  # versions answered with a ServerHello of that version
    handshake: bool  # a full handshake completes (False: ServerHello, then a fatal alert)
    suites: dict[str, frozenset[str]]  # version -> accepted suites
    order: dict[str, tuple[str, ...] | bool]  # version -> the server's order, or False: client order
    anon: bool
    dh: dict[tuple[str, int], int]  # (auth, cipher bits) -> DH prime bits; no entry: no such DHE suite
    dh_range: tuple[int, int]  # key_exchange dh_bits_min, dh_bits_max (0, 0: no DHE)
    groups: frozenset[str]
    fallback_scsv: str  # "yes" | "no" | "unknown"
    chain_len: int  # certificates the server sends
    ip_sans: tuple[str, ...]
    client_cert_requested: str
    min_rate_limited: int = 0  # the server refuses bursts with 421 (Exim: 2 per host)
    timeout: int | None = None  # --timeout for smtpeer probe
    note: str = ""


EXPECT: dict[str, Expect] = {e.name: e for e in (
    Expect(
        name="postfix",
        # tls12-strict: TLS 1.0, 1.1 and 1.3 and most suites are outside it (T1,
        # T2), anonymous suites are forbidden (T3), ADH's 1024-bit DH is below
        # 2048 (T4).
        probes=(Probe("tls12-strict", "tls12-strict", 1, frozenset({"T1", "T2", "T3", "T4"}),
                      fail_text=(("T1", "TLSv1.3 accepted"), ("T2", "outside the profile's list"))),),
        protocols=frozenset({"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}),
        handshake=True,
        suites={"TLSv1.0": POSTFIX_LEGACY_AUTH | POSTFIX_LEGACY_ANON,
                "TLSv1.1": POSTFIX_LEGACY_AUTH | POSTFIX_LEGACY_ANON,
                "TLSv1.2": POSTFIX_TLS12_AUTH | POSTFIX_TLS12_ANON,
                "TLSv1.3": frozenset(OPENSSL_TLS13)},
        order={"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": False, "TLSv1.3": False},
        anon=True, dh=DH_OPENSSL, dh_range=(1024, 3072), groups=EC_GROUPS, fallback_scsv="yes",
        chain_len=2, ip_sans=(), client_cert_requested="no",
    ),
    Expect(
        name="postfix-required",
        # Default profile: TLS >= 1.2 passes T1; the anonymous suites are a warning.
        probes=(Probe("default", None, 0),),
        protocols=frozenset({"TLSv1.2", "TLSv1.3"}),
        handshake=True,
        suites={"TLSv1.0": frozenset(), "TLSv1.1": frozenset(),
                "TLSv1.2": POSTFIX_TLS12_AUTH | POSTFIX_TLS12_ANON, "TLSv1.3": frozenset(OPENSSL_TLS13)},
        order={"TLSv1.2": False, "TLSv1.3": False},
        anon=True, dh=DH_OPENSSL, dh_range=(1024, 3072), groups=EC_GROUPS, fallback_scsv="yes",
        chain_len=2, ip_sans=(), client_cert_requested="no",
    ),
    Expect(
        name="postfix-strict",
        # Configured to satisfy tls12-strict: no finding may fail. The TLS 1.1
        # fallback hello gets protocol_version (70), not inappropriate_fallback:
        # S21 cannot be judged (skip).
        probes=(Probe("tls12-strict", "tls12-strict", 0),),
        protocols=frozenset({"TLSv1.2"}),
        handshake=True,
        suites={"TLSv1.0": frozenset(), "TLSv1.1": frozenset(),
                "TLSv1.2": frozenset(strict_profile_order()), "TLSv1.3": frozenset()},
        order={"TLSv1.2": strict_profile_order()},
        anon=False, dh=DH_RSA_2048, dh_range=(2048, 2048), groups=EC_GROUPS, fallback_scsv="unknown",
        chain_len=2, ip_sans=(), client_cert_requested="no",
    ),
    Expect(
        name="postfix-clientcert",
        # Asking for client certificates turns Postfix's anonymous suites off.
        # The CertificateRequest comes whether or not the client has one.
        probes=(Probe("client-good", None, 0, client_cert="client-good"),
                Probe("no client certificate", None, 0),
                # T6 under mandatory-tls: none, wrong CN, expired and untrusted are
                # refused (421 after the handshake, 554 at RCPT); only the good one
                # gets through, and nothing else in the profile fails.
                Probe("mandatory-tls --client-pki", "mandatory-tls", 0, client_pki=True,
                      fail_text=(("T6", "only the good client certificate gets through"),))),
        protocols=frozenset({"TLSv1.2", "TLSv1.3"}),
        handshake=True,
        suites={"TLSv1.0": frozenset(), "TLSv1.1": frozenset(),
                "TLSv1.2": POSTFIX_TLS12_AUTH, "TLSv1.3": frozenset(OPENSSL_TLS13)},
        order={"TLSv1.2": False, "TLSv1.3": False},
        anon=False, dh=DH_RSA_2048, dh_range=(2048, 2048), groups=EC_GROUPS, fallback_scsv="yes",
        chain_len=2, ip_sans=("127.0.0.1",), client_cert_requested="yes",
    ),
    Expect(
        name="exim",
        # Default profile: TLS 1.0 and 1.1 accepted fail T1.
        probes=(Probe("default", None, 1, frozenset({"T1"})),),
        protocols=frozenset({"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}),
        handshake=True,
        suites={"TLSv1.0": EXIM_LEGACY, "TLSv1.1": EXIM_LEGACY, "TLSv1.2": EXIM_TLS12,
                "TLSv1.3": frozenset(OPENSSL_TLS13) | {"TLS_AES_128_CCM_SHA256"}},
        order={"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": False, "TLSv1.3": False},
        # GnuTLS also takes the RFC 7919 groups in TLS 1.3 key shares.
        anon=False, dh=DH_RSA_2048, dh_range=(2048, 2048), groups=EC_GROUPS | FFDHE_GROUPS,
        fallback_scsv="yes", chain_len=1, ip_sans=(), client_cert_requested="no",
        min_rate_limited=1,
    ),
    Expect(
        name="opensmtpd",
        # Every handshake dies after the ServerHello (internal_error): TLS
        # is offered but broken, which T1 reports (RFC 3207 §4).
        probes=(Probe("default", None, 1, frozenset({"T1"}),
                      fail_text=(("T1", "no TLS handshake completes"),)),),
        protocols=frozenset({"TLSv1.2", "TLSv1.3"}),
        handshake=False,
        suites={"TLSv1.0": frozenset(), "TLSv1.1": frozenset(),
                "TLSv1.2": frozenset(OPENSMTPD_TLS12_ORDER), "TLSv1.3": frozenset(OPENSSL_TLS13)},
        order={"TLSv1.2": OPENSMTPD_TLS12_ORDER, "TLSv1.3": OPENSSL_TLS13},
        # Groups from TLS 1.3 ServerHello key shares (TLS 1.2 never gets to the
        # ServerKeyExchange).
        anon=False, dh={}, dh_range=(0, 0), groups=EC_GROUPS | FFDHE_GROUPS, fallback_scsv="yes",
        chain_len=1, ip_sans=(), client_cert_requested="unknown",
        # Its greeting sometimes comes 5 s late (a resolver timeout on the
        # client's address): a short read timeout would cut enumerations short.
        timeout=30,
    ),
)}

# Known disagreements between smtpeer and the hand measurements, reported to
# the lead: (instance, check) -> why. Such a check fails softly (KNOWN); once
# it passes, the entry must go (the check then fails as FIXED).
KNOWN: dict[tuple[str, str], str] = {}


# --- checking ------------------------------------------------------------------


class Checker:
    """Checker: records and prints one line per check of one instance."""

    def __init__(self, instance: str) -> None:
        self.instance = instance
        self.failures: list[str] = []
        self.known: list[str] = []
        self.passed = 0

    def check(self, what: str, ok: bool, detail: str = "", key: str | None = None) -> bool:
        known = KNOWN.get((self.instance, key)) if key else None
        if ok and known:
            self.failures.append(f"{what}: FIXED, remove KNOWN[{(self.instance, key)!r}]")
            print(f"  FIXED {what} (drop the KNOWN entry: {known})")
        elif ok:
            self.passed += 1
            print(f"  ok    {what}")
        elif known:
            self.known.append(what)
            print(f"  KNOWN {what}: {detail} [{known}]")
        else:
            self.failures.append(f"{what}: {detail}")
            print(f"  FAIL  {what}: {detail}")
        return ok

    def equal(self, what: str, got, want, key: str | None = None) -> bool:
        return self.check(what, got == want, f"got {show(got)}, want {show(want)}", key)


def show(v) -> str:
    if isinstance(v, (set, frozenset)):
        return "{" + ", ".join(sorted(map(str, v))) + "}"
    return repr(v)


def set_diff(got: set[str], want: set[str]) -> str:
    return f"missing {show(want - got)}, unexpected {show(got - want)}"


def suite_name(s: dict) -> str:
    return s.get("openssl") or s["name"]


# --- openssl s_client cross-checks -------------------------------------------------


@dataclasses.dataclass
class Handshake:
    """Handshake: what one s_client call saw."""

    state: str  # "complete" | "hello" (ServerHello, then failure) | "refused" | "no-tls"
    version: str = ""  # of the ServerHello
    suite: str = ""  # IANA name from the ServerHello
    temp_key: str = ""  # "DH, 2048 bits"
    alert: str = ""  # as -trace names it, with the code: "protocol version(70)"


TRACE_VERSIONS = {"0x301": "TLSv1.0", "0x302": "TLSv1.1", "0x303": "TLSv1.2", "0x304": "TLSv1.3"}


def s_client(port: int, args: list[str], log: Path) -> Handshake:
    """s_client: one `openssl s_client -starttls smtp -trace` call, retried while it cannot reach TLS."""
    cmd = ["openssl", "s_client", "-starttls", "smtp", "-connect", f"127.0.0.1:{port}",
           "-servername", sut.HOSTNAME, "-trace", *args]
    h = Handshake("no-tls")
    for _ in range(OPENSSL_RETRIES):
        try:
            p = subprocess.run(cmd, input="QUIT\r\n", capture_output=True, text=True,
                               errors="replace", timeout=OPENSSL_TIMEOUT_S)
            out = p.stdout + p.stderr
        except subprocess.TimeoutExpired as e:
            out = f"timed out after {OPENSSL_TIMEOUT_S}s\n{e.stdout or ''}"
        h = parse_trace(out)
        with open(log, "a") as f:
            f.write(f"$ {' '.join(cmd)}\n=> {h.state} {h.version} {h.suite} {h.temp_key} {h.alert}\n")
        if h.state != "no-tls":
            return h
        time.sleep(1.0)  # Exim's 421 (2 connections per host) while the probe's children end
    return h


def parse_trace(out: str) -> Handshake:
    """parse_trace: the ServerHello, the server's alert, the temp key and whether the server's Finished came."""
    h = Handshake("no-tls")
    received = [r for r in re.split(r"\n(?=(?:Sent|Received) Record\n)", out) if r.startswith("Received Record")]
    hello = next((r for r in received if "ServerHello, Length=" in r), None)
    if hello:
        v = re.search(r"server_version=(0x30[0-4])", hello)
        h.version = TRACE_VERSIONS.get(v.group(1), "") if v else ""
        if re.search(r"supported_versions\(43\), length=2\n\s+TLS 1\.3 \(772\)", hello):
            h.version = "TLSv1.3"
        s = re.search(r"cipher_suite \{0x[0-9A-F]{2}, 0x[0-9A-F]{2}\} (\S+)", hello)
        h.suite = s.group(1) if s else ""
    for r in received:
        # A plaintext alert, or (TLS 1.3) one inside an encrypted record.
        a = re.search(r"(?:Content Type|Inner Content Type) = Alert \(21\)\n(?:\s+Length = \d+\n)?"
                      r"\s+Level=\w+\(\d\), description=([a-z ]+\(\d+\))", r)
        if a:
            h.alert = a.group(1).strip()
            break
    t = re.search(r"^Server Temp Key: (.*)$", out, re.M)
    h.temp_key = t.group(1) if t else ""
    if hello and any("Finished, Length=" in r for r in received):
        h.state = "complete"
    elif hello:
        h.state = "hello"
    elif h.alert:
        h.state = "refused"
    return h


def cross_check(c: Checker, e: Expect, r: dict, s: sut.Sut, logdir: Path) -> None:
    log = logdir / "openssl.log"
    log.unlink(missing_ok=True)
    accepted = {v for v, p in r["protocols"].items() if p["accepted"]}
    for v in VERSIONS:
        h = s_client(s.port, [S_CLIENT_FLAG[v], "-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"], log)
        if v in accepted:
            want = "complete" if e.handshake else "hello"
            c.check(f"s_client {S_CLIENT_FLAG[v]}: {want} as smtpeer's {v} accepted",
                    h.state == want and h.version == v,
                    f"s_client: {h.state} {h.version} alert={h.alert!r}")
            names = {x["name"] for x in r["suites"].get(v, [])}
            c.check(f"s_client {S_CLIENT_FLAG[v]}: its suite is in smtpeer's {v} list", h.suite in names,
                    f"{h.suite} not in the {len(names)} suites")
        else:
            c.check(f"s_client {S_CLIENT_FLAG[v]}: refused as smtpeer's {v} refused",
                    h.state == "refused", f"s_client: {h.state} {h.version} alert={h.alert!r}")
    # One DHE suite's prime, as OpenSSL reports it, against smtpeer's.
    dhe = [x for x in r["suites"].get("TLSv1.2", []) if x["kx"] == "DHE"]
    if dhe and e.handshake:
        x = dhe[0]
        h = s_client(s.port, ["-tls1_2", "-cipher", x["openssl"] + ":@SECLEVEL=0"], log)
        c.equal(f"s_client {x['openssl']}: Server Temp Key", h.temp_key, f"DH, {x['dh_bits']} bits")
    # Anonymous suites, offered alone: chosen iff smtpeer listed any.
    if "TLSv1.2" in accepted:
        h = s_client(s.port, ["-tls1_2", "-cipher", "aNULL:@SECLEVEL=0"], log)
        listed = any(x["auth"] == "anon" for v in r["suites"].values() for x in v)
        c.check(f"s_client aNULL: {'accepted' if listed else 'refused'} as smtpeer's list says",
                (h.state in ("complete", "hello")) == listed, f"s_client: {h.state} {h.suite} alert={h.alert!r}")
    # TLS_FALLBACK_SCSV one version below the best: alert 86 iff smtpeer says yes.
    best = max((v for v in accepted if v in VERSIONS), key=VERSIONS.index, default=None)
    if best in BELOW:
        h = s_client(s.port, [S_CLIENT_FLAG[BELOW[best]], "-fallback_scsv", "-cipher", "ALL:@SECLEVEL=0"], log)
        got_86 = h.alert.endswith("(86)")  # inappropriate_fallback
        c.check(f"s_client {S_CLIENT_FLAG[BELOW[best]]} -fallback_scsv: "
                f"{'inappropriate_fallback' if r['features']['fallback_scsv'] == 'yes' else 'no alert 86'}"
                " as smtpeer says", got_86 == (r["features"]["fallback_scsv"] == "yes"),
                f"s_client: {h.state} alert={h.alert!r}")


# --- the report against the expectations ----------------------------------------


def check_inventory(c: Checker, e: Expect, r: dict, s: sut.Sut, wall_s: float) -> None:
    c.equal("error", r["error"], None)
    c.equal("interrupted", r["interrupted"], False)
    c.check("starttls_offered", r["starttls_offered"] is True)
    accepted = {v for v, p in r["protocols"].items() if p["accepted"]}
    c.equal("accepted protocols", accepted, set(e.protocols))
    for v in ("SSLv2", "SSLv3"):
        # This OpenSSL cannot send SSLv2/SSLv3 hellos; the servers' libraries
        # (OpenSSL 3, GnuTLS 3.7) are built without them.
        c.check(f"{v} refused", not r["protocols"][v]["accepted"], r["protocols"][v]["answer"])
    for v in VERSIONS:
        got = [suite_name(x) for x in r["suites"].get(v, [])]
        want = e.suites.get(v, frozenset())
        c.check(f"{v} suites ({len(want)})", set(got) == want and len(got) == len(set(got)),
                set_diff(set(got), set(want)))
        order = e.order.get(v)
        if isinstance(order, tuple):
            c.equal(f"{v} server_order", r["server_order"].get(v), True)
            c.equal(f"{v} suite order", tuple(got), order)
        elif order is False:
            c.equal(f"{v} server_order (client order)", r["server_order"].get(v), False)
    c.equal("foreign_suites", r["foreign_suites"], {})
    all_suites = [x for v in r["suites"].values() for x in v]
    anon = sorted({suite_name(x) for x in all_suites if x["auth"] == "anon"})
    c.check(f"anonymous suites {'present' if e.anon else 'absent'}", bool(anon) == e.anon, f"{anon}")
    wrong_dh = [f"{suite_name(x)}={x['dh_bits']} (want {e.dh.get((x['auth'], x['bits']))})"
                for x in all_suites
                if x["kx"] == "DHE" and x["dh_bits"] != e.dh.get((x["auth"], x["bits"]))]
    c.check("DH prime of every DHE suite", not wrong_dh, ", ".join(wrong_dh))
    kx = r["key_exchange"]
    c.equal("dh_bits_min..max", (kx["dh_bits_min"], kx["dh_bits_max"]), e.dh_range)
    c.equal("groups", set(kx["groups"]), set(e.groups), key="groups")
    c.equal("fallback_scsv", r["features"]["fallback_scsv"], e.fallback_scsv)
    c.equal("compression", r["features"]["compression"], "no")
    c.equal("secure_renegotiation", r["features"]["secure_renegotiation"], "yes")
    check_certificate(c, e, r, s)
    # Each accepted suite took one hello, plus the certificate handshake.
    n_suites = sum(len(v) for v in r["suites"].values())
    c.check(f"connections ({r['connections']}) > accepted suites ({n_suites})", r["connections"] > n_suites)
    c.check(f"duration_ms ({r['duration_ms']}) within the run ({wall_s:.1f} s)",
            0 < r["duration_ms"] <= wall_s * 1000 + 500)
    c.check(f"rate_limited ({r['rate_limited']}) >= {e.min_rate_limited}", r["rate_limited"] >= e.min_rate_limited)
    c.check("started_at is ISO 8601 UTC",
            re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["started_at"] or "") is not None, r["started_at"])


def check_certificate(c: Checker, e: Expect, r: dict, s: sut.Sut) -> None:
    cert = r["certificate"]
    if not c.check("certificate present", cert is not None and bool(cert["chain"])):
        return
    leaf = cert["chain"][0]
    c.equal("certificate subject", leaf["subject"], f"CN={sut.HOSTNAME},O=smtpeer test")
    c.equal("certificate issuer", leaf["issuer"], "CN=smtpeer test CA,O=smtpeer test")
    c.equal("certificate SAN DNS", leaf["dns_names"], [sut.HOSTNAME])
    c.equal("certificate SAN IP", tuple(leaf["ip_addresses"]), e.ip_sans)
    c.equal("certificate key", (leaf["key_type"], leaf["key_bits"]), ("RSA", 2048))
    c.equal("certificate signature", leaf["signature_algorithm"], "sha256WithRSAEncryption")
    c.equal("certificate self_signed", leaf["self_signed"], False)
    c.equal("certificate verified", (cert["verified"], cert["verify_error"]), (True, ""))
    c.equal("certificate matches the expected name", cert["matches_expected"], "yes")
    c.equal("certificate matches the banner name", cert["matches_banner"], "yes")
    c.equal("chain length", len(cert["chain"]), e.chain_len)
    c.equal("other_certificates", r["other_certificates"], [])
    # The leaf is the file the server was given.
    fp = sut.run(["openssl", "x509", "-in", s.cert, "-noout", "-fingerprint", "-sha256"]).stdout
    c.equal("leaf sha256 = the server's certificate file", leaf["sha256"],
            fp.strip().split("=", 1)[1].replace(":", "").lower())


def check_verdict(c: Checker, p: Probe, r: dict, code: int) -> None:
    if p.exit_code is not None:
        c.equal(f"[{p.label}] exit code", code, p.exit_code)
    else:
        c.check(f"[{p.label}] exit code 0 or 1", code in (0, 1), f"got {code}")
    failed = {f["check"] for f in r["findings"] if f["verdict"] == "fail"}
    if p.exit_code is not None:
        c.equal(f"[{p.label}] failed findings", failed, set(p.fails))
    for check, text in p.fail_text:
        summary = next((f["summary"] for f in r["findings"] if f["check"] == check), "")
        c.check(f"[{p.label}] {check} says {text!r}", text in summary, f"summary {summary!r}")
    c.equal(f"[{p.label}] totals.fail", r["totals"]["fail"], sum(1 for f in r["findings"] if f["verdict"] == "fail"))


# --- running -----------------------------------------------------------------------


def run_probe(smtpeer: str, s: sut.Sut, e: Expect, p: Probe, out: Path) -> tuple[dict | None, int, float, str]:
    cmd = [smtpeer, "probe", "--target", f"127.0.0.1:{s.port}", "--ca-file", s.ca,
           "--expect-name", sut.HOSTNAME, "--json", str(out), "-q", "--no-color"]
    if p.profile:
        cmd += ["--profile", p.profile]
    if p.client_pki:
        cmd += ["--client-pki", str(Path(s.dir) / "pki")]
    if p.client_cert:
        pki = Path(s.dir) / "pki"
        cmd += ["--client-cert", str(pki / f"{p.client_cert}.pem"), "--client-key", str(pki / f"{p.client_cert}.key")]
    if e.timeout:
        cmd += ["--timeout", str(e.timeout)]
    out.unlink(missing_ok=True)
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, -1, time.monotonic() - t0, f"timed out after {PROBE_TIMEOUT_S}s: {' '.join(cmd)}"
    wall = time.monotonic() - t0
    (out.parent / (out.stem + ".txt")).write_text(f"$ {' '.join(cmd)}\nexit {proc.returncode}\n"
                                                  f"{proc.stdout}{proc.stderr}")
    try:
        return json.loads(out.read_text()), proc.returncode, wall, ""
    except (OSError, ValueError) as err:
        return None, proc.returncode, wall, f"no JSON report ({err}): {proc.stderr.strip()}"


def run_instance(smtpeer: str, e: Expect, work: Path) -> Checker:
    c = Checker(e.name)
    out = work / e.name
    out.mkdir(parents=True, exist_ok=True)
    run_dir = out / "sut"
    if (run_dir / sut.STATE_FILE).exists():
        sut.stop(run_dir)  # left running by an interrupted earlier run
    t0 = time.monotonic()
    s = sut.start(e.name, run_dir, smtpeer=smtpeer)
    print(f"{e.name}: started pid {s.pid} on 127.0.0.1:{s.port}")
    try:
        first: dict | None = None
        for i, p in enumerate(e.probes):
            r, code, wall, err = run_probe(smtpeer, s, e, p, out / f"probe-{i}.json")
            print(f" probe [{p.label}]: exit {code}, {wall:.1f} s")
            if not c.check(f"[{p.label}] JSON report", r is not None, err):
                continue
            check_verdict(c, p, r, code)
            c.equal(f"[{p.label}] client_certificate_requested", r["client_certificate_requested"],
                    e.client_cert_requested)
            if first is None:
                first = r
                check_inventory(c, e, r, s, wall)
        if first is not None:
            cross_check(c, e, first, s, out)
    finally:
        sut.stop(run_dir)
    print(f"{e.name}: {c.passed} ok, {len(c.known)} known, {len(c.failures)} failed "
          f"({time.monotonic() - t0:.0f} s; reports in {out})")
    return c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Check `smtpeer probe` against real mail servers.")
    ap.add_argument("--smtpeer", required=True, help="the smtpeer binary")
    ap.add_argument("--work", required=True, help="directory for run directories and reports")
    ap.add_argument("--only", action="append", choices=sorted(EXPECT), help="one instance (repeatable)")
    a = ap.parse_args(argv)
    smtpeer = str(Path(a.smtpeer).resolve())
    if not Path(smtpeer).is_file():
        print(f"probe_test.py: no smtpeer binary at {smtpeer}", file=sys.stderr)
        return 2
    names = a.only or list(EXPECT)
    reasons = [f"{n}: {why}" for n in names if (why := sut.missing(n))]
    if reasons:
        print("probe_test.py: cannot run:\n  " + "\n  ".join(reasons), file=sys.stderr)
        return 3
    work = Path(a.work).resolve()
    failures: list[str] = []
    for n in names:
        try:
            c = run_instance(smtpeer, EXPECT[n], work)
        except sut.SutError as err:
            print(f"probe_test.py: {n}: {err}", file=sys.stderr)
            return 3
        failures += [f"{n}: {f}" for f in c.failures]
    if failures:
        print(f"\n{len(failures)} check(s) failed:\n  " + "\n  ".join(failures))
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
