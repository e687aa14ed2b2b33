#!/usr/bin/python3
"""raw_tls_server: an SMTP server whose STARTTLS answers are hand-built.

A fake TLS server for testing `smtpeer probe` against what Debian's own
libraries can no longer do: SSLv2, SSLv3, export, RC4, DES and 3DES suites,
anonymous DH, DEFLATE compression, heartbeat, a TLS 1.3 server that asks for
another key share. It speaks SMTP up to the 220 to STARTTLS, reads one
ClientHello (TLS records or an SSLv2 CLIENT-HELLO), and answers with the
first flight a server of the configured personality would send:

  SSLv2:          SERVER-HELLO (certificate, cipher kinds)
  SSLv3..TLS 1.2: ServerHello [Certificate] [ServerKeyExchange] ServerHelloDone
  TLS 1.3:        ServerHello + ChangeCipherSpec + one opaque record, or a
                  HelloRetryRequest naming the group it wants
  refused:        a fatal alert (handshake_failure, protocol_version,
                  inappropriate_fallback) or, for SSLv2, an SSLv2 ERROR

There is no cryptography: key exchange values and signatures are random
bytes of the right shape (DH primes are real primes of the configured size,
EC points can be real ones passed in the config). So no handshake ever
completes; when the client sends its second flight the server answers
handshake_failure and closes, and otherwise it waits at most 10 s for the
client to close.

Written from the RFCs (RFC 6101 SSLv3, the SSLv2 draft, RFC 5246 §7.4,
RFC 8446 §4.1.3/§4.1.4/§4.2, RFC 4492 §5.4, RFC 5746 §3.6, RFC 6520 §2,
RFC 7507 §3), not from smtpeer's parsers. Python 3 standard library only.

  raw_tls_server.py --config P.json --port 0 --ready-file F --log F --lifetime S

The personality (JSON) keys:
  name               greeting/EHLO name
  cert_pem           PEM file: the certificate chain, leaf first
  rsa_bits           size of the certificate's RSA key (signature length,
                     whether export suites need a temporary RSA key)
  sslv2              {"accept": bool, "ciphers": [kind, ...] in the server's
                     order, "refusal": "close" | "alert"}
  versions           {"SSLv3" | "TLSv1.0" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3":
                     {"suites": [id, ...] in the server's preference,
                      "client_order": bool, "groups": [id, ...] (TLS 1.3)}}
  groups             ECDHE groups for TLS <= 1.2, server preference
  ec_points          {"<group id>": "hex public value"} (else random bytes)
  dh_bits            DHE/DH_anon prime size; dh_bits_by_suite {"0x0034": 1024}
                     overrides it (export DHE suites default to 512)
  dh_params          {"<bits>": {"p": hex, "g": hex}} the groups to send (else a
                     random prime of that size is made here, slowly, with g = 2)
  fallback_scsv      honour TLS_FALLBACK_SCSV (RFC 7507): bool
  renegotiation_info answer the extension / SCSV (RFC 5746): bool
  heartbeat          echo the heartbeat extension (RFC 6520): bool
  deflate            accept DEFLATE compression: bool
  records            "one" (every message in one record), "each" (a record
                     per message) or a number (fragment size)
Suite and cipher-kind ids are integers or hex strings ("0x00A6").
"""

import argparse
import base64
import hashlib
import json
import logging
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

SSL2, SSL3, TLS10, TLS11, TLS12, TLS13 = 0x0002, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304
VERSION_NAMES = {"SSLv3": SSL3, "TLSv1.0": TLS10, "TLSv1.1": TLS11, "TLSv1.2": TLS12,
                 "TLSv1.3": TLS13}

# Content types (RFC 5246 §6.2.1) and handshake types (§7.4).
CT_CCS, CT_ALERT, CT_HANDSHAKE, CT_APPDATA = 20, 21, 22, 23
HT_CLIENT_HELLO, HT_SERVER_HELLO, HT_CERTIFICATE = 1, 2, 11
HT_SERVER_KEY_EXCHANGE, HT_SERVER_HELLO_DONE = 12, 14

# Alerts (RFC 5246 §7.2, RFC 7507 §2).
A_HANDSHAKE_FAILURE, A_DECODE_ERROR, A_PROTOCOL_VERSION = 40, 50, 70
A_INAPPROPRIATE_FALLBACK = 86

# Extensions.
EXT_SERVER_NAME, EXT_SUPPORTED_GROUPS, EXT_EC_POINT_FORMATS = 0, 10, 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_HEARTBEAT, EXT_SUPPORTED_VERSIONS, EXT_KEY_SHARE, EXT_RENEGOTIATION_INFO = 15, 43, 51, 0xFF01

SCSV_RENEGOTIATION, SCSV_FALLBACK = 0x00FF, 0x5600

# RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello with this random.
HRR_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()
DOWNGRADE_TLS12 = b"DOWNGRD\x01"
DOWNGRADE_TLS11 = b"DOWNGRD\x00"

# The key exchange of each suite the server can be configured with (IANA
# TLS Cipher Suites registry): what follows the ServerHello depends on it.
#   rsa: Certificate; rsa_export / rsa_export1024: Certificate and, when
#   the certificate key is larger than 512 / 1024 bits, a ServerKeyExchange
#   with a temporary RSA key (RFC 2246 §7.4.3); dhe: Certificate +
#   signed DH params; dhe_export: the same with a 512-bit prime; dh_anon:
#   unsigned DH params, no Certificate; ecdhe: Certificate + signed named
#   curve and point (RFC 4492 §5.4); ecdh_anon: unsigned; tls13.
KX = {}
for _kx, _ids in {
    "rsa": [0x0001, 0x0002, 0x0004, 0x0005, 0x0007, 0x0009, 0x000A, 0x002F, 0x0035, 0x003B,
            0x003C, 0x003D, 0x0041, 0x0084, 0x0096, 0x009C, 0x009D],
    "rsa_export": [0x0003, 0x0006, 0x0008],
    "rsa_export1024": [0x0062, 0x0064],
    "dhe": [0x0015, 0x0016, 0x0033, 0x0039, 0x0045, 0x0067, 0x006B, 0x0088, 0x009E, 0x009F,
            0xCCAA],
    "dhe_export": [0x0014],
    "dh_anon": [0x0017, 0x0018, 0x0019, 0x001A, 0x001B, 0x0034, 0x003A, 0x006C, 0x006D, 0x00A6,
                0x00A7],
    "ecdhe": [0xC011, 0xC012, 0xC013, 0xC014, 0xC027, 0xC028, 0xC02F, 0xC030, 0xCCA8],
    "ecdh_anon": [0xC015, 0xC016, 0xC017, 0xC018, 0xC019],
    "tls13": [0x1301, 0x1302, 0x1303, 0x1304, 0x1305],
}.items():
    for _id in _ids:
        KX[_id] = _kx
# DH_anon export suites carry a 512-bit prime like DHE export.
EXPORT_DH = {0x0014, 0x0017, 0x0019}

# Public value sizes of named groups (RFC 8446 §4.2.8.2, RFC 7748).
GROUP_POINT_LEN = {23: 65, 24: 97, 25: 133, 29: 32, 30: 56}

SSL2_MT_ERROR, SSL2_MT_CLIENT_HELLO, SSL2_MT_SERVER_HELLO = 0, 1, 4
SSL2_PE_NO_CIPHER = 0x0001

log = logging.getLogger("raw_tls")


class Malformed(Exception):
    """Malformed: the client's bytes do not parse."""


def as_int(v):
    return int(v, 16) if isinstance(v, str) else int(v)


# --- primes for DH params and export RSA keys ------------------------------

SMALL_PRIMES = [p for p in range(3, 2000) if all(p % q for q in range(2, int(p ** 0.5) + 1))]


def probably_prime(n, rng):
    if n < 2:
        return False
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(24):
        a = rng.randrange(2, n - 1)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def make_prime(bits, rng, top_two=False):
    """make_prime: a prime of exactly `bits` bits (top two set: products keep their size)."""
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if top_two:
            n |= 1 << (bits - 2)
        if probably_prime(n, rng):
            return n


def to_bytes(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


# --- encoding helpers ------------------------------------------------------

def u8(n):
    return struct.pack("!B", n)


def u16(n):
    return struct.pack("!H", n)


def u24(n):
    return struct.pack("!I", n)[1:]


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def vec24(b):
    return u24(len(b)) + b


def handshake(msg_type, body):
    return u8(msg_type) + vec24(body)


def records(content_type, version, payload, size=16384):
    out = b""
    for i in range(0, max(len(payload), 1), size):
        frag = payload[i:i + size]
        out += u8(content_type) + u16(version) + vec16(frag)
    return out


def alert_record(version, description):
    return records(CT_ALERT, version, u8(2) + u8(description))


class Reader:
    """Reader: a cursor over bytes that raises Malformed when it runs out."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise Malformed("truncated at byte %d (want %d more)" % (self.pos, n))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("!H", self.take(2))[0]

    def u24(self):
        return struct.unpack("!I", b"\0" + self.take(3))[0]

    def vec8(self):
        return self.take(self.u8())

    def vec16(self):
        return self.take(self.u16())

    def left(self):
        return len(self.data) - self.pos


# --- the ClientHello -------------------------------------------------------

class Hello:
    """Hello: what a ClientHello offered."""

    def __init__(self):
        self.sslv2 = False          # arrived as an SSLv2 CLIENT-HELLO
        self.record_version = 0
        self.client_version = 0
        self.random = b""
        self.session_id = b""
        self.suites = []            # TLS suites (2-byte ids)
        self.sslv2_kinds = []       # SSLv2 cipher kinds (3-byte ids)
        self.compression = [0]
        self.extensions = {}        # type -> data, first occurrence
        self.ext_order = []
        self.supported_versions = None
        self.groups = None
        self.key_shares = None      # [(group, key_exchange)]
        self.sig_algs = None
        self.server_names = None    # [(name_type, name)]
        self.challenge_len = 0      # SSLv2

    def offered_max(self):
        return max(self.supported_versions) if self.supported_versions else self.client_version

    def issues(self):
        """issues: where this hello breaks a MUST of the RFCs (the server answers anyway)."""
        out = []
        if self.sslv2:
            if not 16 <= self.challenge_len <= 32:
                out.append("SSLv2 challenge of %d bytes (the SSLv2 draft: 16..32)"
                           % self.challenge_len)
            if len(self.session_id) not in (0, 16):
                out.append("SSLv2 session id of %d bytes (0 or 16)" % len(self.session_id))
            if not self.sslv2_kinds:
                out.append("SSLv2 CLIENT-HELLO without cipher specs")
            return out
        top = self.offered_max()
        if 0 not in self.compression:
            out.append("compression_methods without null (RFC 5246 §7.4.1.2)")
        if len(self.session_id) > 32:
            out.append("session_id longer than 32 bytes (RFC 5246 §7.4.1.2)")
        if not self.suites:
            out.append("no cipher suites")
        if EXT_SIGNATURE_ALGORITHMS in self.extensions and top < TLS12:
            out.append("signature_algorithms in a hello offering TLS 1.1 or lower only "
                       "(RFC 5246 §7.4.1.4.1: MUST NOT)")
        ri = self.extensions.get(EXT_RENEGOTIATION_INFO)
        if ri is not None and ri != b"\x00":
            out.append("renegotiation_info of an initial hello not empty (RFC 5746 §3.4)")
        hb = self.extensions.get(EXT_HEARTBEAT)
        if hb is not None and (len(hb) != 1 or hb[0] not in (1, 2)):
            out.append("heartbeat extension is not one mode byte 1 or 2 (RFC 6520 §2)")
        if self.server_names is not None:
            if not self.server_names:
                out.append("server_name with an empty list (RFC 6066 §3: <1..2^16-1>)")
            types = [t for t, _ in self.server_names]
            if len(types) != len(set(types)):
                out.append("server_name lists a name type twice (RFC 6066 §3)")
            for t, name in self.server_names:
                if t == 0 and not name:
                    out.append("server_name HostName of length 0 (RFC 6066 §3: "
                               "opaque HostName<1..2^16-1>)")
                elif t == 0 and name.endswith(b"."):
                    out.append("server_name HostName with a trailing dot (RFC 6066 §3)")
        if self.supported_versions is not None and TLS13 in self.supported_versions:
            if self.client_version != TLS12:
                out.append("TLS 1.3 hello with legacy_version 0x%04x (RFC 8446 §4.1.2: 0x0303)"
                           % self.client_version)
            if self.compression != [0]:
                out.append("TLS 1.3 hello with compression %s (RFC 8446 §4.1.2: exactly null)"
                           % self.compression)
            for ext, name in ((EXT_SIGNATURE_ALGORITHMS, "signature_algorithms"),
                              (EXT_SUPPORTED_GROUPS, "supported_groups"),
                              (EXT_KEY_SHARE, "key_share")):
                if ext not in self.extensions:
                    out.append("TLS 1.3 hello without %s (RFC 8446 §9.2)" % name)
            shares = [g for g, _ in self.key_shares or []]
            if len(shares) != len(set(shares)):
                out.append("key_share offers a group twice (RFC 8446 §4.2.8)")
            groups = self.groups or []
            if any(g not in groups for g in shares) or \
                    [g for g in groups if g in shares] != shares:
                out.append("key_share groups not in supported_groups order (RFC 8446 §4.2.8)")
            for g, key in self.key_shares or []:
                if g in GROUP_POINT_LEN and len(key) != GROUP_POINT_LEN[g]:
                    out.append("key_share for group %d of %d bytes" % (g, len(key)))
        return out

    def summary(self):
        return {
            "sslv2": self.sslv2, "record_version": "0x%04x" % self.record_version,
            "client_version": "0x%04x" % self.client_version,
            "supported_versions": ["0x%04x" % v for v in self.supported_versions or []],
            "suites": len(self.suites), "sslv2_kinds": ["0x%06x" % k for k in self.sslv2_kinds],
            "scsv": [n for n, s in (("fallback", SCSV_FALLBACK), ("reneg", SCSV_RENEGOTIATION))
                     if s in self.suites],
            "compression": self.compression, "extensions": self.ext_order,
            "groups": self.groups, "key_shares": [g for g, _ in self.key_shares or []],
            "server_names": None if self.server_names is None else
            [(t, n[:40].decode("latin-1") + ("..." if len(n) > 40 else ""))
             for t, n in self.server_names],
            "server_name_hex": self.extensions[EXT_SERVER_NAME][:24].hex()
            if EXT_SERVER_NAME in self.extensions else None,
        }


def parse_extensions(h, r):
    if r.left() == 0:
        return
    block = Reader(r.vec16())
    while block.left():
        t = block.u16()
        data = block.vec16()
        if t in h.extensions:
            raise Malformed("extension %d twice" % t)
        h.extensions[t] = data
        h.ext_order.append(t)
    if r.left():
        raise Malformed("%d bytes after the extensions" % r.left())
    if EXT_SUPPORTED_VERSIONS in h.extensions:
        v = Reader(h.extensions[EXT_SUPPORTED_VERSIONS])
        lst = Reader(v.vec8())
        h.supported_versions = [lst.u16() for _ in range(lst.left() // 2)]
    if EXT_SUPPORTED_GROUPS in h.extensions:
        v = Reader(h.extensions[EXT_SUPPORTED_GROUPS])
        lst = Reader(v.vec16())
        h.groups = [lst.u16() for _ in range(lst.left() // 2)]
    if EXT_KEY_SHARE in h.extensions:
        v = Reader(h.extensions[EXT_KEY_SHARE])
        lst = Reader(v.vec16())
        h.key_shares = []
        while lst.left():
            g = lst.u16()
            h.key_shares.append((g, lst.vec16()))
    if EXT_SIGNATURE_ALGORITHMS in h.extensions:
        v = Reader(h.extensions[EXT_SIGNATURE_ALGORITHMS])
        lst = Reader(v.vec16())
        h.sig_algs = [lst.u16() for _ in range(lst.left() // 2)]
    if EXT_SERVER_NAME in h.extensions:
        v = Reader(h.extensions[EXT_SERVER_NAME])
        lst = Reader(v.vec16())
        h.server_names = []
        while lst.left():
            name_type = lst.u8()
            h.server_names.append((name_type, lst.vec16()))


def parse_client_hello(body, record_version):
    """parse_client_hello: RFC 5246 §7.4.1.2 (SSLv3's is the same without extensions)."""
    h = Hello()
    h.record_version = record_version
    r = Reader(body)
    h.client_version = r.u16()
    h.random = r.take(32)
    h.session_id = r.vec8()
    raw = r.vec16()
    if len(raw) % 2:
        raise Malformed("odd cipher_suites length")
    h.suites = [struct.unpack("!H", raw[i:i + 2])[0] for i in range(0, len(raw), 2)]
    h.compression = list(r.vec8())
    parse_extensions(h, r)
    return h


def parse_sslv2_hello(msg):
    """parse_sslv2_hello: the SSLv2 CLIENT-HELLO (draft-hickman-netscape-ssl-00)."""
    r = Reader(msg)
    if r.u8() != SSL2_MT_CLIENT_HELLO:
        raise Malformed("SSLv2 message is not CLIENT-HELLO")
    h = Hello()
    h.sslv2 = True
    h.client_version = r.u16()
    specs_len, sid_len, chal_len = r.u16(), r.u16(), r.u16()
    if specs_len % 3:
        raise Malformed("SSLv2 cipher specs length %d" % specs_len)
    specs = r.take(specs_len)
    h.session_id = r.take(sid_len)
    challenge = r.take(chal_len)
    for i in range(0, specs_len, 3):
        kind = int.from_bytes(specs[i:i + 3], "big")
        h.sslv2_kinds.append(kind)
        if kind >> 16 == 0:  # a TLS suite in a version 2 compatible hello (RFC 5246 §E.2)
            h.suites.append(kind & 0xFFFF)
    h.challenge_len = len(challenge)
    h.random = challenge.rjust(32, b"\0")[-32:]
    return h


class Conn:
    """Conn: the socket plus what has been read but not used."""

    def __init__(self, sock, pending=b""):
        self.sock, self.buf = sock, pending

    def need(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timeout")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the client")
            self.buf += chunk

    def take(self, n, deadline):
        self.need(n, deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def read_client_hello(conn, deadline):
    conn.need(1, deadline)
    first = conn.buf[0]
    if first == CT_HANDSHAKE:
        hs = b""
        record_version = None
        while True:
            hdr = conn.take(5, deadline)
            ct, ver, ln = hdr[0], struct.unpack("!H", hdr[1:3])[0], struct.unpack("!H", hdr[3:5])[0]
            if ct != CT_HANDSHAKE:
                raise Malformed("record type %d before the ClientHello was complete" % ct)
            if ln == 0 or ln > 16384 + 2048:
                raise Malformed("record length %d" % ln)
            if record_version is None:
                record_version = ver
            hs += conn.take(ln, deadline)
            if len(hs) >= 4:
                if hs[0] != HT_CLIENT_HELLO:
                    raise Malformed("handshake type %d, not ClientHello" % hs[0])
                want = 4 + struct.unpack("!I", b"\0" + hs[1:4])[0]
                if len(hs) >= want:
                    if len(hs) > want:
                        raise Malformed("%d bytes after the ClientHello" % (len(hs) - want))
                    return parse_client_hello(hs[4:], record_version)
    if first & 0x80:
        hdr = conn.take(2, deadline)
        ln = ((hdr[0] & 0x7F) << 8) | hdr[1]
        return parse_sslv2_hello(conn.take(ln, deadline))
    if first < 0x40:  # SSLv2 three-byte header (with padding)
        hdr = conn.take(3, deadline)
        ln = ((hdr[0] & 0x3F) << 8) | hdr[1]
        msg = conn.take(ln, deadline)
        return parse_sslv2_hello(msg[:len(msg) - hdr[2]])
    raise Malformed("first byte 0x%02x is neither a TLS handshake record nor SSLv2" % first)


# --- the personality -------------------------------------------------------

class Personality:
    def __init__(self, cfg):
        self.cfg = cfg
        self.name = cfg.get("name", "raw.test")
        self.chain = load_pem_chain(cfg["cert_pem"]) if cfg.get("cert_pem") else []
        self.rsa_bits = int(cfg.get("rsa_bits", 2048))
        s2 = cfg.get("sslv2", {})
        self.sslv2 = bool(s2.get("accept", False))
        self.sslv2_kinds = [as_int(k) for k in s2.get("ciphers", [])]
        self.sslv2_refusal = s2.get("refusal", "close")
        self.versions = {}
        for name, v in cfg.get("versions", {}).items():
            if name not in VERSION_NAMES:
                raise ValueError("unknown version " + name)
            suites = [as_int(s) for s in v.get("suites", [])]
            for s in suites:
                if s not in KX:
                    raise ValueError("suite 0x%04x: key exchange unknown to this server" % s)
            self.versions[VERSION_NAMES[name]] = {
                "suites": suites, "client_order": bool(v.get("client_order", False)),
                "groups": [as_int(g) for g in v.get("groups", [])]}
        self.groups = [as_int(g) for g in cfg.get("groups", [])]
        self.ec_points = {as_int(k): bytes.fromhex(v) for k, v in cfg.get("ec_points", {}).items()}
        self.dh_default = int(cfg.get("dh_bits", 2048))
        self.dh_by_suite = {as_int(k): int(v) for k, v in cfg.get("dh_bits_by_suite", {}).items()}
        self.fallback_scsv = bool(cfg.get("fallback_scsv", False))
        self.renegotiation_info = bool(cfg.get("renegotiation_info", False))
        self.heartbeat = bool(cfg.get("heartbeat", False))
        self.deflate = bool(cfg.get("deflate", False))
        self.record_mode = cfg.get("records", "one")
        self.max_version = max(self.versions) if self.versions else 0
        # The fixed values of this run: DH primes per size, export RSA keys.
        rng = random.Random(1)
        self.dh_params = {}  # bits -> (p, g)
        for bits, v in cfg.get("dh_params", {}).items():
            prime = int(v["p"], 16)
            if prime.bit_length() != int(bits):
                raise ValueError("dh_params %s: the prime has %d bits" % (bits, prime.bit_length()))
            self.dh_params[int(bits)] = (prime, int(v.get("g", "02"), 16))
        for suite in {s for v in self.versions.values() for s in v["suites"]}:
            if KX[suite] in ("dhe", "dhe_export", "dh_anon"):
                bits = self.dh_bits(suite)
                if bits not in self.dh_params:  # slow beyond 2048 bits: pass dh_params
                    self.dh_params[bits] = (make_prime(bits, random.Random(bits)), 2)
        self.export_rsa = {}
        for bits in (512, 1024):
            p = make_prime(bits // 2, rng, top_two=True)
            q = make_prime(bits // 2, rng, top_two=True)
            self.export_rsa[bits] = p * q

    def dh_bits(self, suite):
        if suite in self.dh_by_suite:
            return self.dh_by_suite[suite]
        return 512 if suite in EXPORT_DH else self.dh_default


def load_pem_chain(path):
    out, cur = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line == "-----BEGIN CERTIFICATE-----":
                cur = []
            elif line == "-----END CERTIFICATE-----":
                out.append(base64.b64decode("".join(cur)))
                cur = None
            elif cur is not None:
                cur.append(line)
    if not out:
        raise ValueError("no certificate in " + path)
    return out


# --- answering -------------------------------------------------------------

class Refuse(Exception):
    def __init__(self, alert, why):
        super().__init__(why)
        self.alert, self.why = alert, why


def choose_version(p, h):
    """choose_version: RFC 8446 §4.2.1 for a TLS 1.3 server, else RFC 5246 §E.1."""
    if TLS13 in p.versions and h.supported_versions is not None:
        common = [v for v in h.supported_versions if v in p.versions]
        if not common:
            raise Refuse(A_PROTOCOL_VERSION, "no common version in supported_versions")
        return max(common)
    ceiling = min(h.client_version, TLS12)
    below = [v for v in p.versions if v <= ceiling and v != TLS13]
    if not below:
        raise Refuse(A_PROTOCOL_VERSION,
                     "client version 0x%04x below all accepted" % h.client_version)
    return max(below)


def client_max_version(p, h):
    if TLS13 in p.versions and h.supported_versions:
        return max(h.supported_versions)
    return h.client_version


def pick(server_list, client_list, client_order):
    if client_order:
        return [c for c in client_list if c in server_list]
    return [s for s in server_list if s in client_list]


def choose_suite(p, h, version):
    conf = p.versions[version]
    for suite in pick(conf["suites"], h.suites, conf["client_order"]):
        kx = KX[suite]
        if kx in ("ecdhe", "ecdh_anon"):
            group = choose_group12(p, h)
            if group is None:
                continue
            return suite, group
        return suite, None
    raise Refuse(A_HANDSHAKE_FAILURE, "no common suite")


def choose_group12(p, h):
    # RFC 4492 §4: without supported_groups the client takes any curve.
    offered = h.groups if h.groups is not None else p.groups
    for g in p.groups:
        if g in offered:
            return g
    return None


def signature(p, h, version):
    sig = os.urandom(p.rsa_bits // 8)
    if version < TLS12:
        return vec16(sig)  # RFC 5246 §7.4.3 (TLS 1.0/1.1, SSLv3): no algorithm field
    algs = h.sig_algs or [0x0401]
    scheme = next((a for a in (0x0401, 0x0804, 0x0501, 0x0601, 0x0201) if a in algs), 0x0401)
    return u16(scheme) + vec16(sig)


def ec_point(p, group):
    if group in p.ec_points:
        return p.ec_points[group]
    n = GROUP_POINT_LEN.get(group, 65)
    return (b"\x04" + os.urandom(n - 1)) if group in (23, 24, 25) else os.urandom(n)


def server_key_exchange(p, h, version, suite, group):
    kx = KX[suite]
    if kx in ("dhe", "dhe_export", "dh_anon"):
        prime, g = p.dh_params[p.dh_bits(suite)]
        ys = random.getrandbits(prime.bit_length() - 1) | 1
        params = vec16(to_bytes(prime)) + vec16(to_bytes(g)) + vec16(to_bytes(ys))
        return params if kx == "dh_anon" else params + signature(p, h, version)
    if kx in ("ecdhe", "ecdh_anon"):
        params = u8(3) + u16(group) + vec8(ec_point(p, group))  # named_curve
        return params if kx == "ecdh_anon" else params + signature(p, h, version)
    limit = {"rsa_export": 512, "rsa_export1024": 1024}.get(kx)
    if limit and p.rsa_bits > limit:
        # RFC 2246 §7.4.3: a temporary RSA key when the certificate's is too large.
        params = vec16(to_bytes(p.export_rsa[limit])) + vec16(to_bytes(65537))
        return params + signature(p, h, version)
    return None


def server_random(p, version):
    r = os.urandom(32)
    if TLS13 in p.versions and version == TLS12:
        r = r[:24] + DOWNGRADE_TLS12
    elif TLS13 in p.versions and version < TLS12:
        r = r[:24] + DOWNGRADE_TLS11
    return r


def split_records(p, version, messages):
    mode = p.record_mode
    if mode == "each":
        return b"".join(records(CT_HANDSHAKE, version, m) for m in messages)
    size = 16384 if mode == "one" else int(mode)
    return records(CT_HANDSHAKE, version, b"".join(messages), size)


def answer_tls12(p, h, version, note):
    suite, group = choose_suite(p, h, version)
    if not h.sslv2 and 0 not in h.compression and not (p.deflate and 1 in h.compression):
        raise Refuse(A_HANDSHAKE_FAILURE, "no common compression method")
    compression = 1 if p.deflate and 1 in h.compression else 0
    exts = b""
    wants_reneg = SCSV_RENEGOTIATION in h.suites or EXT_RENEGOTIATION_INFO in h.extensions
    if p.renegotiation_info and wants_reneg:
        exts += u16(EXT_RENEGOTIATION_INFO) + vec16(b"\x00")  # RFC 5746 §3.6: empty
    if KX[suite] in ("ecdhe", "ecdh_anon") and EXT_EC_POINT_FORMATS in h.extensions:
        exts += u16(EXT_EC_POINT_FORMATS) + vec16(vec8(b"\x00"))  # uncompressed
    if p.heartbeat and version >= TLS10 and EXT_HEARTBEAT in h.extensions:
        exts += u16(EXT_HEARTBEAT) + vec16(u8(1))  # peer_allowed_to_send
    body = (u16(version) + server_random(p, version) + vec8(os.urandom(32)) + u16(suite) +
            u8(compression))
    if exts:
        body += vec16(exts)
    msgs = [handshake(HT_SERVER_HELLO, body)]
    anon = KX[suite] in ("dh_anon", "ecdh_anon")
    if not anon:
        msgs.append(handshake(HT_CERTIFICATE, vec24(b"".join(vec24(c) for c in p.chain))))
    ske = server_key_exchange(p, h, version, suite, group)
    if ske is not None:
        msgs.append(handshake(HT_SERVER_KEY_EXCHANGE, ske))
    msgs.append(handshake(HT_SERVER_HELLO_DONE, b""))
    note.update(answer="ServerHello", version="0x%04x" % version, suite="0x%04x" % suite,
                group=group, compression=compression, extensions=exts.hex(),
                dh_bits=p.dh_bits(suite) if KX[suite] in ("dhe", "dhe_export", "dh_anon") else None,
                messages=[m[0] for m in msgs])
    return split_records(p, version, msgs)


def answer_tls13(p, h, note):
    conf = p.versions[TLS13]
    suites = pick(conf["suites"], h.suites, conf["client_order"])
    if not suites:
        raise Refuse(A_HANDSHAKE_FAILURE, "no common TLS 1.3 suite")
    suite = suites[0]
    offered = h.groups or []
    common = [g for g in conf["groups"] if g in offered]
    if not common:
        raise Refuse(A_HANDSHAKE_FAILURE, "no common TLS 1.3 group")
    shares = dict(h.key_shares or [])
    # A share the client already sent is taken in the server's preference;
    # otherwise the HelloRetryRequest names the server's first common group.
    with_share = [g for g in common if g in shares]
    hrr = not with_share
    group = common[0] if hrr else with_share[0]
    exts = u16(EXT_SUPPORTED_VERSIONS) + vec16(u16(TLS13))
    if hrr:
        exts += u16(EXT_KEY_SHARE) + vec16(u16(group))
        rnd = HRR_RANDOM
    else:
        exts += u16(EXT_KEY_SHARE) + vec16(u16(group) + vec16(ec_point(p, group)))
        rnd = os.urandom(32)
    body = u16(TLS12) + rnd + vec8(h.session_id) + u16(suite) + u8(0) + vec16(exts)
    out = records(CT_HANDSHAKE, TLS12, handshake(HT_SERVER_HELLO, body))
    if h.session_id:  # middlebox compatibility mode (RFC 8446 §D.4)
        out += records(CT_CCS, TLS12, b"\x01")
    if not hrr:
        # EncryptedExtensions, Certificate, ... would follow, encrypted.
        out += records(CT_APPDATA, TLS12, os.urandom(900))
    note.update(answer="HelloRetryRequest" if hrr else "ServerHello", version="0x0304",
                suite="0x%04x" % suite, group=group)
    return out


def answer_sslv2(p, h, note):
    common = [k for k in p.sslv2_kinds if k in h.sslv2_kinds]
    if not common:
        note.update(answer="SSLv2 ERROR no-cipher")
        return sslv2_record(u8(SSL2_MT_ERROR) + u16(SSL2_PE_NO_CIPHER))
    cert = p.chain[0]
    specs = b"".join(k.to_bytes(3, "big") for k in common)
    conn_id = os.urandom(16)
    msg = (u8(SSL2_MT_SERVER_HELLO) + u8(0) + u8(1) + u16(SSL2) + u16(len(cert)) +
           u16(len(specs)) + u16(len(conn_id)) + cert + specs + conn_id)
    note.update(answer="SSLv2 SERVER-HELLO", kinds=["0x%06x" % k for k in common])
    return sslv2_record(msg)


def sslv2_record(msg):
    return u16(0x8000 | len(msg)) + msg


def answer(p, h, note):
    """answer: the bytes to send for hello `h` (a flight or a refusal)."""
    if h.sslv2 and h.client_version == SSL2:
        if not p.sslv2:
            note.update(answer="SSLv2 refused (%s)" % p.sslv2_refusal)
            return alert_record(SSL3, A_PROTOCOL_VERSION) if p.sslv2_refusal == "alert" else b""
        return answer_sslv2(p, h, note)
    alert_version = max(SSL3, min(h.record_version or h.client_version, TLS12))
    try:
        # RFC 7507 §3: checked before anything else, whatever the hello asks.
        if (p.fallback_scsv and SCSV_FALLBACK in h.suites and
                client_max_version(p, h) < p.max_version):
            raise Refuse(A_INAPPROPRIATE_FALLBACK, "TLS_FALLBACK_SCSV below 0x%04x" % p.max_version)
        version = choose_version(p, h)
        if version == TLS13:
            return answer_tls13(p, h, note)
        return answer_tls12(p, h, version, note)
    except Refuse as r:
        note.update(answer="alert %d" % r.alert, why=r.why)
        return alert_record(alert_version, r.alert)


# --- SMTP and the connection -----------------------------------------------

class Server:
    def __init__(self, personality, lifetime, max_conns):
        self.p = personality
        self.deadline = time.monotonic() + lifetime
        self.slots = threading.BoundedSemaphore(max_conns)
        self.counter = 0
        self.lock = threading.Lock()

    def serve(self, listener):
        listener.settimeout(0.5)
        while time.monotonic() < self.deadline:
            try:
                sock, _ = listener.accept()
            except socket.timeout:
                continue
            if not self.slots.acquire(timeout=5):
                log.warning("too many connections; dropping one")
                sock.close()
                continue
            with self.lock:
                self.counter += 1
                cid = self.counter
            threading.Thread(target=self.handle, args=(sock, cid), daemon=True).start()
        log.info("lifetime over after %d connections", self.counter)

    def handle(self, sock, cid):
        note = {"conn": cid}
        try:
            pending = self.smtp(sock, note)
            if pending is None:
                return
            conn = Conn(sock, pending)
            try:
                h = read_client_hello(conn, time.monotonic() + 15)
            except Malformed as e:
                note.update(error="malformed hello: %s" % e)
                sock.sendall(alert_record(TLS10, A_DECODE_ERROR))
                return
            note["hello"] = h.summary()
            issues = h.issues()
            if issues:
                note["issues"] = issues
            out = answer(self.p, h, note)
            if out:
                sock.sendall(out)
            flight = ("ServerHello", "HelloRetryRequest", "SSLv2 SERVER")
            if note.get("answer", "").startswith(flight):
                self.linger(conn, note)
            else:
                note["end"] = "closed after refusing"
        except (OSError, TimeoutError, ConnectionError) as e:
            note.setdefault("error", str(e) or type(e).__name__)
        finally:
            try:
                sock.close()
            finally:
                self.slots.release()
                log.info("%s", json.dumps(note, sort_keys=True))

    def linger(self, conn, note):
        """linger: wait (10 s at most) for the client to close; its next flight ends it."""
        deadline = time.monotonic() + 10
        try:
            conn.need(len(conn.buf) + 1, deadline)
        except (TimeoutError, socket.timeout):
            note["end"] = "timeout waiting for the client"
            return
        except (ConnectionError, OSError):
            note["end"] = "client closed"
            return
        note["end"] = "client sent more (%d bytes, type 0x%02x)" % (len(conn.buf), conn.buf[0])
        if conn.buf[0] != CT_ALERT:
            note["end"] += "; answered handshake_failure"
            try:
                conn.sock.sendall(alert_record(TLS12, A_HANDSHAKE_FAILURE))
            except OSError:
                pass

    def smtp(self, sock, note):
        """smtp: greeting, EHLO, STARTTLS; returns the bytes after STARTTLS, or None."""
        name = self.p.name
        sock.settimeout(30)
        sock.sendall(("220 %s ESMTP raw-tls\r\n" % name).encode())
        buf = b""
        while True:
            while b"\n" not in buf:
                chunk = sock.recv(4096)
                if not chunk:
                    note["end"] = "closed in SMTP"
                    return None
                buf += chunk
                if len(buf) > 4096:
                    return None
            line, buf = buf.split(b"\n", 1)
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb == b"EHLO":
                sock.sendall(("250-%s\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 STARTTLS\r\n"
                              % name).encode())
            elif verb == b"HELO":
                sock.sendall(("250 %s\r\n" % name).encode())
            elif verb == b"STARTTLS":
                sock.sendall(b"220 Ready to start TLS\r\n")
                return buf
            elif verb == b"QUIT":
                sock.sendall(b"221 Bye\r\n")
                note["end"] = "QUIT"
                return None
            elif verb in (b"NOOP", b"RSET"):
                sock.sendall(b"250 OK\r\n")
            else:
                sock.sendall(b"530 5.7.0 Must issue a STARTTLS command first\r\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ready-file", help="written ({port, pid}) once listening")
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("--max-connections", type=int, default=64)
    args = ap.parse_args()
    logging.basicConfig(filename=args.log, filemode="w", level=logging.INFO,
                        format="%(asctime)s %(threadName)s %(message)s")
    with open(args.config) as f:
        personality = Personality(json.load(f))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(128)
    port = listener.getsockname()[1]
    log.info("listening on 127.0.0.1:%d, personality %s", port, personality.name)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"port": port, "pid": os.getpid()}, f)
        os.rename(tmp, args.ready_file)
    Server(personality, args.lifetime, args.max_connections).serve(listener)


if __name__ == "__main__":
    main()
