#!/usr/bin/python3
"""run: `smtpeer probe` against raw_tls_server.py personalities.

For every personality below: write its JSON, start raw_tls_server.py on a
free 127.0.0.1 port, run `smtpeer probe --json`, stop the server by its PID,
and check the report against what the personality was built to show
(README.md): the protocols accepted, each version's suites (in the
server's order when it has one) and server_order, the SSLv2 cipher kinds,
DH sizes, groups, features, the certificate read from the raw flights, and
the exact set of findings with their verdicts.

  run.py --smtpeer PATH --work DIR [--only NAME ...] [--jobs N]

Exit 0 when every check passes, 1 when one fails (printed with what
differs), 3 when the test itself cannot run (openssl, the server, smtpeer
crashing or writing no JSON). The work directory keeps, per personality,
the config, the server log (one JSON line per connection: the hello seen
and the answer), the probe's JSON and text.
"""
import argparse
import base64
import concurrent.futures
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SERVER = HERE / "raw_tls_server.py"

VERSIONS = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
GROUP_NAMES = {23: "secp256r1", 24: "secp384r1", 25: "secp521r1", 29: "x25519"}

# SSLv2 cipher kinds (SSLv2 draft, appendix A).
SSL_CK_RC4_128_WITH_MD5 = 0x010080
SSL_CK_RC4_128_EXPORT40_WITH_MD5 = 0x020080
SSL_CK_DES_64_CBC_WITH_MD5 = 0x060040
SSL_CK_DES_192_EDE3_CBC_WITH_MD5 = 0x0700C0

# The tls12-strict profile's list, in its order (scenarios/profiles/tls12-strict.toml).
TLS12_STRICT = [0x009F, 0x009E, 0xC028, 0xC027, 0xC014, 0xC013, 0x0039, 0x0033]


class HarnessError(Exception):
    pass


# --- test material: certificates, key shares, DH groups --------------------

def openssl(*args, stdin=None):
    r = subprocess.run(["openssl", *args], input=stdin, capture_output=True, timeout=60)
    if r.returncode != 0:
        raise HarnessError("openssl %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    return r.stdout


def pem_der(pem_text, label):
    body = pem_text.split("-----BEGIN %s-----" % label, 1)[1].split("-----END", 1)[0]
    return base64.b64decode("".join(body.split()))


def der_integers(der, count):
    """der_integers: the first `count` INTEGERs inside the outer SEQUENCE."""
    def length(pos):
        n = der[pos]
        if n < 0x80:
            return n, pos + 1
        k = n & 0x7F
        return int.from_bytes(der[pos + 1:pos + 1 + k], "big"), pos + 1 + k
    assert der[0] == 0x30
    _, pos = length(1)
    out = []
    for _ in range(count):
        assert der[pos] == 0x02
        n, pos = length(pos + 1)
        out.append(int.from_bytes(der[pos:pos + n], "big"))
        pos += n
    return out


def make_material(d: Path):
    """make_material: a CA and its leaf, self-signed leaves, EC points, DH groups."""
    d.mkdir(parents=True, exist_ok=True)
    m = {}
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
            "-subj", "/CN=raw-tls test CA", "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"),
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=mx.raw.test",
            "-keyout", str(d / "leaf.key"), "-out", str(d / "leaf.csr"))
    (d / "leaf.ext").write_text("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,"
                                "keyEncipherment\nextendedKeyUsage=serverAuth\n"
                                "subjectAltName=DNS:mx.raw.test\n")
    openssl("x509", "-req", "-in", str(d / "leaf.csr"), "-CA", str(d / "ca.pem"),
            "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-days", "90", "-sha256",
            "-extfile", str(d / "leaf.ext"), "-out", str(d / "leaf.pem"))
    (d / "chain.pem").write_text((d / "leaf.pem").read_text() + (d / "ca.pem").read_text())
    m["ca"] = str(d / "ca.pem")
    m["chain"] = str(d / "chain.pem")
    m["leaf_sha256"] = hashlib.sha256(pem_der((d / "leaf.pem").read_text(),
                                              "CERTIFICATE")).hexdigest()
    for name, key, digest in (("legacy.raw.test", "rsa:2048", "-sha256"),
                              ("co.raw.test", "rsa:2048", "-sha256"),
                              ("ancient.raw.test", "rsa:1024", "-sha1")):
        cert = d / (name + ".pem")
        openssl("req", "-x509", "-newkey", key, "-nodes", digest, "-days", "90",
                "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name,
                "-keyout", str(d / (name + ".key")), "-out", str(cert))
        m[name] = str(cert)
        m[name + "_sha256"] = hashlib.sha256(pem_der(cert.read_text(), "CERTIFICATE")).hexdigest()
    # Real public values for the ServerKeyExchange and key_share (the last
    # bytes of the SubjectPublicKeyInfo).
    points = {}
    for group, args, size in ((23, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], 65),
                              (24, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], 97),
                              (29, ["-algorithm", "X25519"], 32)):
        key = openssl("genpkey", *args)
        spki = openssl("pkey", "-pubout", "-outform", "DER", stdin=key)
        points[str(group)] = spki[-size:].hex()
    m["ec_points"] = points
    # DH groups: RFC 7919's for 2048 and 3072, RFC 5114's 1024-bit MODP
    # group, and 512- and 768-bit primes of this run (old servers made their own).
    dh = {}
    for bits, group in ((1024, "dh_1024_160"), (2048, "ffdhe2048"), (3072, "ffdhe3072")):
        pem = openssl("genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:" + group)
        text = pem.decode()
        label = "X9.42 DH PARAMETERS" if "X9.42" in text else "DH PARAMETERS"
        p, g = der_integers(pem_der(text, label), 2)
        assert p.bit_length() == bits, (group, p.bit_length())
        dh[str(bits)] = {"p": "%x" % p, "g": "%x" % g}
    for bits in (512, 768):
        prime = int(openssl("prime", "-generate", "-bits", str(bits), "-hex").decode().strip(), 16)
        dh[str(bits)] = {"p": "%x" % prime, "g": "02"}
    m["dh_params"] = dh
    return m


# --- the personalities -------------------------------------------------------

def personalities(m):
    """personalities: name -> (server config, smtpeer flags, expectations)."""
    common = {"ec_points": m["ec_points"], "dh_params": m["dh_params"], "rsa_bits": 2048}
    out = {}

    # An old server: SSLv2, SSLv3 and TLS 1.0 with RC4, export (RSA and DHE)
    # and 3DES suites, its own order, nothing of RFC 5746 / 7507 / 6520.
    out["legacy"] = (
        dict(common, name="legacy.raw.test", cert_pem=m["legacy.raw.test"],
             sslv2={"accept": True, "ciphers": [SSL_CK_DES_192_EDE3_CBC_WITH_MD5,
                                                SSL_CK_RC4_128_EXPORT40_WITH_MD5,
                                                SSL_CK_RC4_128_WITH_MD5,
                                                SSL_CK_DES_64_CBC_WITH_MD5]},
             versions={"SSLv3": {"suites": [0x0004, 0x0003, 0x000A, 0x0016]},
                       "TLSv1.0": {"suites": [0x0016, 0x0064, 0x0014, 0x000A, 0x0009, 0x0004,
                                              0x002F, 0x0003]}},
             dh_bits=1024, fallback_scsv=False, renegotiation_info=False, heartbeat=False,
             deflate=False, records="one"),
        [],
        {
            "accepted": ["SSLv2", "SSLv3", "TLSv1.0"],
            "answers": {"TLSv1.1": "TLSv1.0", "TLSv1.2": "TLSv1.0",
                        "TLSv1.3": "handshake_failure"},
            "suites": {"SSLv3": [0x0004, 0x0003, 0x000A, 0x0016],
                       "TLSv1.0": [0x0016, 0x0064, 0x0014, 0x000A, 0x0009, 0x0004, 0x002F, 0x0003]},
            "server_order": {"SSLv3": True, "TLSv1.0": True},
            "sslv2": [SSL_CK_DES_192_EDE3_CBC_WITH_MD5, SSL_CK_RC4_128_EXPORT40_WITH_MD5,
                      SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_64_CBC_WITH_MD5],
            "dh_bits": {("SSLv3", 0x0016): 1024, ("TLSv1.0", 0x0016): 1024,
                        ("TLSv1.0", 0x0014): 512},
            "dh_range": (512, 1024),
            "groups": [],
            "features": {"compression": "no", "heartbeat": "no", "secure_renegotiation": "no",
                         "fallback_scsv": "no"},
            "leaf": m["legacy.raw.test_sha256"],
            "findings": {"T1": "fail", "T2": "pass", "T3": "fail", "T4": "pass", "T5": "pass",
                         "T7": "pass", "S20": "pass", "S21": "fail"},
            "warnings": {"T4", "T5", "T7"},
            "summary_has": {"T1": ["SSLv2", "SSLv3", "TLSv1.0", "no TLS handshake completes"],
                            "T3": ["export", "RC4"], "T4": ["512"]},
            "summary_lacks": {"T1": ["TLSv1.1", "TLSv1.2"]},
            "evidence_has": {"T3": ["SSLv2", "Sweet32"]},
        })

    # A hardened TLS 1.2-only server: exactly tls12-strict's suites in its
    # order, DHE 2048 (RFC 7919 ffdhe2048), RFC 5746 and RFC 7507 honoured,
    # a CA-issued RSA 2048 certificate; its records cut at 300 bytes.
    out["tls12-order"] = (
        dict(common, name="mx.raw.test", cert_pem=m["chain"],
             sslv2={"accept": False, "refusal": "alert"},
             versions={"TLSv1.2": {"suites": TLS12_STRICT}},
             groups=[23, 24], dh_bits=2048, fallback_scsv=True, renegotiation_info=True,
             heartbeat=False, deflate=False, records=300),
        ["--profile", "tls12-strict", "--ca-file", m["ca"], "--expect-name", "mx.raw.test"],
        {
            "accepted": ["TLSv1.2"],
            "answers": {"SSLv2": "protocol_version", "SSLv3": "protocol_version",
                        "TLSv1.0": "protocol_version", "TLSv1.1": "protocol_version",
                        "TLSv1.3": "handshake_failure"},
            "suites": {"TLSv1.2": TLS12_STRICT},
            "server_order": {"TLSv1.2": True},
            "sslv2": [],
            "dh_bits": {("TLSv1.2", s): 2048 for s in (0x009F, 0x009E, 0x0039, 0x0033)},
            "suite_groups": {("TLSv1.2", s): 23 for s in (0xC028, 0xC027, 0xC014, 0xC013)},
            "dh_range": (2048, 2048),
            "groups": ["secp256r1", "secp384r1"],
            "features": {"compression": "no", "heartbeat": "no", "secure_renegotiation": "yes",
                         "fallback_scsv": "yes"},
            "leaf": m["leaf_sha256"],
            "verified": True,
            "findings": {"T1": "fail", "T2": "pass", "T3": "pass", "T4": "pass", "T5": "pass",
                         "T7": "pass", "S20": "pass", "S21": "pass"},
            "warnings": set(),
            "summary_has": {"T1": ["no TLS handshake completes"]},
            "summary_lacks": {"T1": ["accepted", "refused"]},
        })

    # A permissive server that follows the client's order: TLS 1.0-1.2,
    # anonymous DH (1024-bit RFC 5114 group; DHE-RSA 2048), DEFLATE
    # accepted, heartbeat echoed; each handshake message in its own record.
    v10 = [0x0034, 0x002F, 0x0035, 0xC013]
    v12 = [0x0034, 0x002F, 0xC013, 0x009E, 0xC02F, 0x00A6]
    out["client-order"] = (
        dict(common, name="co.raw.test", cert_pem=m["co.raw.test"],
             sslv2={"accept": False, "refusal": "close"},
             versions={"TLSv1.0": {"suites": v10, "client_order": True},
                       "TLSv1.1": {"suites": v10, "client_order": True},
                       "TLSv1.2": {"suites": v12, "client_order": True}},
             groups=[29, 23], dh_bits=2048, dh_bits_by_suite={"0x0034": 1024, "0x00A6": 1024},
             fallback_scsv=True, renegotiation_info=True, heartbeat=True, deflate=True,
             records="each"),
        [],
        {
            "accepted": ["TLSv1.0", "TLSv1.1", "TLSv1.2"],
            "answers": {"SSLv2": "closed", "SSLv3": "protocol_version",
                        "TLSv1.3": "handshake_failure"},
            "suite_sets": {"TLSv1.0": v10, "TLSv1.1": v10, "TLSv1.2": v12},
            "server_order": {"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": False},
            "sslv2": [],
            "dh_bits": {("TLSv1.0", 0x0034): 1024, ("TLSv1.1", 0x0034): 1024,
                        ("TLSv1.2", 0x0034): 1024,
                        ("TLSv1.2", 0x00A6): 1024, ("TLSv1.2", 0x009E): 2048},
            "suite_groups": {("TLSv1.2", 0xC013): 29, ("TLSv1.2", 0xC02F): 29},
            "dh_range": (1024, 2048),
            "groups": ["x25519", "secp256r1"],
            "features": {"compression": "yes", "heartbeat": "yes", "secure_renegotiation": "yes",
                         "fallback_scsv": "yes"},
            "leaf": m["co.raw.test_sha256"],
            "findings": {"T1": "fail", "T2": "pass", "T3": "pass", "T4": "pass", "T5": "pass",
                         "T7": "pass", "S20": "pass", "S21": "pass"},
            "warnings": {"T3", "T4", "T5", "T7"},
            "summary_has": {"T1": ["TLSv1.0", "TLSv1.1", "no TLS handshake completes"],
                            "T3": ["anonymous"], "T4": ["1024"],
                            "T7": ["compression", "heartbeat"]},
            "summary_lacks": {"T1": ["TLSv1.2 accepted", "SSLv2", "SSLv3"],
                              "T7": ["no secure renegotiation"]},
        })

    # A modern server: TLS 1.2 and 1.3 in its own order; TLS 1.3 only with
    # secp384r1, so a hello carrying an x25519 share gets a
    # HelloRetryRequest; ECDHE P-384 then P-256, DHE 3072 (ffdhe3072).
    v12 = [0xC030, 0xC02F, 0xCCA8, 0x009F, 0x009E, 0xCCAA]
    v13 = [0x1302, 0x1303, 0x1301]
    out["tls13"] = (
        dict(common, name="mx.raw.test", cert_pem=m["chain"],
             sslv2={"accept": False, "refusal": "alert"},
             versions={"TLSv1.2": {"suites": v12}, "TLSv1.3": {"suites": v13, "groups": [24]}},
             groups=[24, 23], dh_bits=3072, fallback_scsv=True, renegotiation_info=True,
             heartbeat=False, deflate=False, records="one"),
        ["--profile", "mozilla-intermediate", "--ca-file", m["ca"], "--expect-name", "mx.raw.test"],
        {
            "accepted": ["TLSv1.2", "TLSv1.3"],
            "answers": {"SSLv2": "protocol_version", "SSLv3": "protocol_version",
                        "TLSv1.0": "protocol_version", "TLSv1.1": "protocol_version"},
            "suites": {"TLSv1.2": v12, "TLSv1.3": v13},
            "server_order": {"TLSv1.2": True, "TLSv1.3": True},
            "sslv2": [],
            "dh_bits": {("TLSv1.2", 0x009F): 3072, ("TLSv1.2", 0x009E): 3072,
                        ("TLSv1.2", 0xCCAA): 3072},
            "suite_groups": dict([(("TLSv1.2", s), 24) for s in (0xC030, 0xC02F, 0xCCA8)] +
                                 [(("TLSv1.3", s), 24) for s in v13]),
            "dh_range": (3072, 3072),
            "groups": ["secp384r1", "secp256r1"],
            "features": {"compression": "no", "heartbeat": "no", "secure_renegotiation": "yes",
                         "fallback_scsv": "yes"},
            "leaf": m["leaf_sha256"],
            "verified": True,
            "findings": {"T1": "fail", "T2": "pass", "T3": "pass", "T4": "pass", "T5": "pass",
                         "T7": "pass", "S20": "pass", "S21": "pass"},
            "warnings": set(),
            "summary_has": {"T1": ["no TLS handshake completes"]},
            "summary_lacks": {"T1": ["accepted", "refused"]},
        })
    # A server from before TLS: SSLv2 (all seven cipher kinds) and SSLv3
    # only, the client's order, RC4/export/DES/anonymous suites, DHE 768 and
    # export DH 512, a 1024-bit SHA-1 self-signed certificate (so export RSA
    # suites send a 512-bit temporary key), RFC 5746 in SSLv3 (an extension
    # block in an SSLv3 ServerHello), DEFLATE; records of 7 bytes, so every
    # handshake header is split across records.
    v3 = [0x0005, 0x000A, 0x0015, 0x0009, 0x0018, 0x0008, 0x0006, 0x0017, 0x0014]
    kinds = [SSL_CK_DES_192_EDE3_CBC_WITH_MD5, 0x050080, 0x030080, SSL_CK_RC4_128_WITH_MD5,
             SSL_CK_DES_64_CBC_WITH_MD5, 0x040080, SSL_CK_RC4_128_EXPORT40_WITH_MD5]
    out["ancient"] = (
        dict(common, name="ancient.raw.test", cert_pem=m["ancient.raw.test"], rsa_bits=1024,
             sslv2={"accept": True, "ciphers": kinds},
             versions={"SSLv3": {"suites": v3, "client_order": True}},
             dh_bits=768, fallback_scsv=False, renegotiation_info=True, heartbeat=False,
             deflate=True, records=7),
        [],
        {
            "accepted": ["SSLv2", "SSLv3"],
            "answers": {"TLSv1.0": "SSLv3", "TLSv1.1": "SSLv3", "TLSv1.2": "SSLv3",
                        "TLSv1.3": "handshake_failure"},
            "suite_sets": {"SSLv3": v3},
            "server_order": {"SSLv3": False},
            "sslv2": kinds,
            "dh_bits": {("SSLv3", 0x0015): 768, ("SSLv3", 0x0018): 768, ("SSLv3", 0x0017): 512,
                        ("SSLv3", 0x0014): 512},
            "dh_range": (512, 768),
            "groups": [],
            "features": {"compression": "yes", "heartbeat": "no", "secure_renegotiation": "yes",
                         "fallback_scsv": "unknown"},
            "leaf": m["ancient.raw.test_sha256"],
            "findings": {"T1": "fail", "T2": "pass", "T3": "fail", "T4": "pass", "T5": "pass",
                         "T7": "pass", "S20": "skip", "S21": "skip"},
            "warnings": {"T4", "T5", "T7"},
            "summary_has": {"T1": ["SSLv2", "SSLv3", "no TLS handshake completes"],
                            "T3": ["export", "RC4"], "T4": ["512"], "T5": ["1024"],
                            "T7": ["compression"]},
            "summary_lacks": {"T1": ["TLSv1"], "T7": ["no secure renegotiation", "heartbeat"]},
            "evidence_has": {"T3": ["SSLv2", "anonymous", "single DES"]},
        })
    return out


# Disagreements already reported to the lead: the check prints KNOWN instead
# of failing; once it passes it fails as FIXED until the entry is removed.
# Keys: (personality or "*", check label); "*" holds the hello checks, made
# from every hello any personality saw (the server's "issues").
KNOWN: dict = {}

# Breaks of a MUST that smtpeer commits on purpose: S20 sends a server_name
# with an empty HostName because the catalogue asks how servers take it.
DELIBERATE = {
    "server_name HostName of length 0 (RFC 6066 §3: opaque HostName<1..2^16-1>)",
}


# --- running -----------------------------------------------------------------

def start_server(d: Path, config):
    cfg = d / "config.json"
    cfg.write_text(json.dumps(config, indent=1))
    ready = d / "ready.json"
    if ready.exists():
        ready.unlink()
    proc = subprocess.Popen([sys.executable, str(SERVER), "--config", str(cfg), "--port", "0",
                             "--ready-file", str(ready), "--log", str(d / "server.log"),
                             "--lifetime", "150"],
                            stdout=subprocess.DEVNULL, stderr=open(d / "server.err", "w"))
    deadline = time.monotonic() + 30
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise HarnessError("the server did not start: " + (d / "server.err").read_text())
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())["port"]


def stop_server(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)


def probe(smtpeer, d: Path, name, config, flags):
    proc, port = start_server(d, config)
    try:
        js = d / "probe.json"
        cmd = [smtpeer, "probe", "--target", "127.0.0.1:%d" % port, "--json", str(js), "-q",
               "--no-color", "--scenarios", str(REPO / "scenarios"), "--timeout", "5", *flags]
        t0 = time.monotonic()
        r = subprocess.run(cmd, capture_output=True, timeout=150)
        took = time.monotonic() - t0
        (d / "probe.txt").write_bytes(r.stdout + b"\n--- stderr\n" + r.stderr)
        if not js.exists():
            raise HarnessError("%s: smtpeer exited %d without JSON: %s" %
                               (name, r.returncode, r.stderr.decode(errors="replace")[-500:]))
        return json.loads(js.read_text()), r.returncode, took
    finally:
        stop_server(proc)


# --- checking ----------------------------------------------------------------

def suite_ids(report, version):
    out = []
    for s in (report.get("suites") or {}).get(version, []):
        out.append(s["code"] if "code" in s else int(s["id"], 16))
    return out


def hexes(ids, width=4):
    return "[" + ", ".join("0x%0*X" % (width, i) for i in ids) + "]"


def check(name, report, rc, exp):
    """check: (label, "" or what differs) for every expectation."""
    res = []

    def ok(label, diff=""):
        res.append((label, diff))

    ok("no error", "" if not report.get("error") else "error: %s" % report["error"])
    ok("inventory complete", "" if not report.get("incomplete") else
       "incomplete: %s" % report["incomplete"])
    ok("exit code 1 (findings)", "" if rc == 1 else "smtpeer exited %d" % rc)
    hs = (report.get("handshake") or {}).get("completed")
    ok("full handshake not completed", "" if hs == "no" else "handshake.completed = %r" % hs)

    protos = report.get("protocols") or {}
    accepted = [v for v in VERSIONS if (protos.get(v) or {}).get("accepted")]
    ok("protocols accepted", "" if accepted == exp["accepted"] else
       "smtpeer says %s, the server accepts %s" % (accepted, exp["accepted"]))
    for v, want in exp.get("answers", {}).items():
        got = (protos.get(v) or {}).get("answer", "")
        ok("%s answer mentions %r" % (v, want), "" if want in got else "answer is %r" % got)

    for v, want in exp.get("suites", {}).items():
        got = suite_ids(report, v)
        ok("%s suites in server order" % v, "" if got == want else
           "smtpeer %s, server %s" % (hexes(got), hexes(want)))
    for v, want in exp.get("suite_sets", {}).items():
        got = suite_ids(report, v)
        missing = [s for s in want if s not in got]
        extra = [s for s in got if s not in want]
        ok("%s suites (as a set)" % v, "" if not missing and not extra and len(got) == len(want)
           else "missing %s, not accepted but listed %s (got %s)" % (hexes(missing), hexes(extra),
                                                                    hexes(got)))
    for v in VERSIONS:
        if v not in exp.get("suites", {}) and v not in exp.get("suite_sets", {}) and v != "SSLv2":
            got = suite_ids(report, v)
            ok("%s no suites" % v, "" if not got else "listed %s" % hexes(got))
    so = report.get("server_order") or {}
    for v, want in exp.get("server_order", {}).items():
        ok("%s server_order %s" % (v, want), "" if so.get(v) is want else
           "server_order = %r" % so.get(v))
    foreign = report.get("foreign_suites") or {}
    ok("no foreign suites", "" if not foreign else "foreign_suites = %r" % foreign)

    got2 = suite_ids(report, "SSLv2")
    ok("SSLv2 cipher kinds", "" if got2 == exp["sslv2"] else
       "smtpeer %s, server sent %s" % (hexes(got2, 6), hexes(exp["sslv2"], 6)))

    per_suite = {}
    for v in VERSIONS[1:]:
        for s in (report.get("suites") or {}).get(v, []):
            per_suite[(v, s.get("code"))] = s
    for (v, sid), bits in exp.get("dh_bits", {}).items():
        got = (per_suite.get((v, sid)) or {}).get("dh_bits")
        ok("%s 0x%04X dh_bits %d" % (v, sid, bits), "" if got == bits else "dh_bits = %r" % got)
    for (v, sid), s in per_suite.items():
        if (v, sid) not in exp.get("dh_bits", {}) and s.get("dh_bits"):
            ok("%s 0x%04X has no DH" % (v, sid), "dh_bits = %r" % s.get("dh_bits"))
    for (v, sid), g in exp.get("suite_groups", {}).items():
        got = (per_suite.get((v, sid)) or {}).get("group")
        ok("%s 0x%04X group %s" % (v, sid, GROUP_NAMES[g]),
           "" if got in (g, GROUP_NAMES[g]) else "group = %r" % got)
    kx = report.get("key_exchange") or {}
    lo, hi = exp["dh_range"]
    ok("dh_bits_min/max %d/%d" % (lo, hi), "" if (kx.get("dh_bits_min"), kx.get("dh_bits_max")) ==
       (lo, hi) else "dh_bits_min/max = %r/%r" % (kx.get("dh_bits_min"), kx.get("dh_bits_max")))
    ok("groups %s" % exp["groups"], "" if kx.get("groups") == exp["groups"] else
       "groups = %r" % kx.get("groups"))

    feats = report.get("features") or {}
    for k, want in exp["features"].items():
        ok("features.%s %s" % (k, want), "" if feats.get(k) == want else
           "%s = %r (%s)" % (k, feats.get(k), feats.get("fallback_detail", "")
                             if k == "fallback_scsv" else ""))

    cert = report.get("certificate") or {}
    chain = cert.get("chain") or []
    leaf = (chain[0].get("sha256", "") if chain else "").replace(":", "").lower()
    ok("certificate is the server's leaf", "" if leaf == exp["leaf"] else
       "certificate sha256 %r (source %r), server's %s" % (leaf, cert.get("source"), exp["leaf"]))
    if exp.get("verified"):
        ok("certificate verifies against the test CA", "" if cert.get("verified") is True else
           "verified = %r (%s)" % (cert.get("verified"), cert.get("verify_error")))

    findings = {f["check"]: f for f in report.get("findings") or []}
    got = {k: f["verdict"] for k, f in findings.items()}
    for k, want in exp["findings"].items():
        f = findings.get(k)
        ok("%s %s" % (k, want), "" if f and f["verdict"] == want else
           "%s is %s: %s" % (k, f["verdict"] if f else "missing", f["summary"] if f else ""))
    # A row added to smtpeer later may pass or skip here; it must not fail.
    extra = {k: v for k, v in got.items() if k not in exp["findings"] and v not in ("pass", "skip")}
    ok("no other finding fails", "" if not extra else "unexpected %s" % extra)
    for k, f in findings.items():
        if k not in exp["findings"] or f["verdict"] != "pass":
            continue
        want = k in exp["warnings"]
        ok("%s warning %s" % (k, want), "" if bool(f.get("warning")) == want else
           "warning = %r: %s" % (f.get("warning"), f["summary"]))
    for k, words in exp.get("summary_has", {}).items():
        summary = (findings.get(k) or {}).get("summary", "")
        for w in words:
            ok("%s summary mentions %r" % (k, w), "" if w in summary else "summary %r" % summary)
    for k, words in exp.get("summary_lacks", {}).items():
        summary = (findings.get(k) or {}).get("summary", "")
        for w in words:
            ok("%s summary does not mention %r" % (k, w), "" if w not in summary else
               "summary %r" % summary)
    for k, words in exp.get("evidence_has", {}).items():
        ev = " | ".join((findings.get(k) or {}).get("evidence", []))
        for w in words:
            ok("%s evidence mentions %r" % (k, w), "" if w in ev else "evidence %r" % ev)
    return res


def server_notes(d: Path):
    """server_notes: the server's one JSON line per connection."""
    notes = []
    for line in (d / "server.log").read_text().splitlines():
        if "{" in line:
            notes.append(json.loads(line[line.index("{"):]))
    return notes


def run_one(smtpeer, work, name, spec):
    config, flags, exp = spec
    d = work / name
    d.mkdir(parents=True, exist_ok=True)
    report, rc, took = probe(smtpeer, d, name, config, flags)
    results = check(name, report, rc, exp)
    notes = server_notes(d)
    errors = ["conn %s: %s" % (n["conn"], n["error"]) for n in notes if n.get("error")]
    results.append(("the server read every hello", "; ".join(errors[:3])))
    issues = {}
    for n in notes:
        for issue in n.get("issues", []):
            issues.setdefault(issue, []).append(n)
    return results, took, report.get("connections"), issues


def hello_example(n):
    h = n.get("hello", {})
    return "conn %s: version %s, supported_versions %s, extensions %s, server_names %s" % (
        n["conn"], h.get("client_version"), h.get("supported_versions"), h.get("extensions"),
        h.get("server_names"))


def verdict(key, diff):
    """verdict: "ok", "FAIL", "KNOWN" or "FIXED" for a check, with KNOWN applied."""
    if key in KNOWN:
        return "KNOWN" if diff else "FIXED"
    return "FAIL" if diff else "ok"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smtpeer", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    try:
        material = make_material(work / "pki")
    except (HarnessError, subprocess.SubprocessError, OSError) as e:
        print("cannot make the test material: %s" % e)
        return 3
    specs = personalities(material)
    names = [n for n in specs if not args.only or n in args.only]
    failed = 0
    all_issues = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {n: pool.submit(run_one, args.smtpeer, work, n, specs[n]) for n in names}
        for n in names:
            try:
                results, took, conns, issues = futures[n].result()
            except (HarnessError, subprocess.SubprocessError, OSError, ValueError) as e:
                print("ERROR %s: %s" % (n, e))
                return 3
            for issue, seen in issues.items():
                if issue not in DELIBERATE:
                    all_issues.setdefault(issue, []).extend((n, s) for s in seen)
            shown = [(verdict((n, label), diff), label, diff) for label, diff in results]
            shown = [x for x in shown if x[0] != "ok"]
            bad = [x for x in shown if x[0] in ("FAIL", "FIXED")]
            print("%s %s: %d checks, %d failed (%.1f s, %s connections)" %
                  ("ok  " if not bad else "FAIL", n, len(results), len(bad), took, conns))
            for v, label, diff in shown:
                print("    %s %s: %s" % (v, label, diff or "passes now: remove it from KNOWN"))
            failed += len(bad)
    # smtpeer's hellos, as the server read them: every MUST of the RFCs kept.
    hello_checks = [("hellos: " + issue, "%d hello(s), e.g. %s/%s" % (
        len(seen), seen[0][0], hello_example(seen[0][1]))) for issue, seen in all_issues.items()]
    for key in KNOWN:
        if key[0] == "*" and key[1].startswith("hellos: ") and \
                key[1][len("hellos: "):] not in all_issues:
            hello_checks.append((key[1], ""))
    for label, diff in hello_checks:
        v = verdict(("*", label), diff)
        print("%s %s: %s" % ("ok  " if v in ("ok", "KNOWN") else "FAIL", label,
                             v + " " + diff if diff else "passes now: remove it from KNOWN"))
        failed += v in ("FAIL", "FIXED")
    if not hello_checks:
        print("ok   hellos: every hello smtpeer sent keeps the RFCs' MUSTs the server checks")
    print("%d personalities, %s, %.1f s" % (len(names), "all checks pass" if not failed
                                            else "%d checks failed" % failed,
                                            time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
