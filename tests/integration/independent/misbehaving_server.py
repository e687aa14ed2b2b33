#!/usr/bin/python3
"""A small configurable ESMTP server (stdlib only) with STARTTLS (RFC 3207)
and a set of misbehaviour flags, written to test smtpeer from the outside:
an implementation independent of smtpeer's own built-in peers, so that a
blind spot shared by the engine and its reference peers still shows.

  python3 tests/integration/independent/misbehaving_server.py --port 2525 [--flag NAME[,NAME...]]... [--tls-required]
  python3 tests/integration/independent/misbehaving_server.py --list            # the flags, with the catalogue row each targets

By default it is a reasonably conformant ESMTP server. Listens on 127.0.0.1 only.
It exits by itself after --lifetime seconds (default 900) and on SIGTERM/SIGINT.
"""
import argparse
import base64
import ipaddress
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOST_NAME = "mx.test"

# name: (catalogue row(s) it should trip, description). Rows "-" are conformant
# variants that must NOT produce a finding.
FLAGS = {
    "tls-required":                  ("-",   "listener requires TLS: 530 to all but NOOP/EHLO/HELO/STARTTLS/QUIT before TLS (same as --tls-required)"),
    # S0
    "no-starttls":                   ("S0",  "STARTTLS not advertised, answered 502 (conformant for rfc3207; S0 under profiles expecting TLS)"),
    "starttls-refused-454":          ("S0",  "advertises STARTTLS but always answers 454"),
    "extra-after-220":               ("S0",  "the 220 to STARTTLS is written twice in the same write (bytes behind the 220)"),
    "handshake-garbage":             ("S0",  "after the 220 sends garbage bytes instead of a ServerHello, then closes"),
    "handshake-plaintext-454":       ("S0",  "after the 220 sends a plaintext 454 instead of a ServerHello, then closes"),
    "greeting-554":                  ("S0",  "greets with 554 (no service)"),
    "ehlo-500":                      ("S0",  "EHLO unknown (500), only HELO"),
    # S1-S6 injection
    "inject-same-recv":              ("S1-S4,S6", "complete lines received in the same recv() as STARTTLS are executed inside TLS"),
    "inject-complete-lines":         ("S1-S6", "before the 220 drains the socket (150 ms), keeps the complete lines and executes them inside TLS"),
    "inject-partial":                ("S1-S4,S6", "keeps the whole buffer, trailing partial line included, and executes it inside TLS"),
    "inject-partial-only":           ("S6(no-crlf)", "discards complete lines but keeps a trailing partial line, prefixed to the first command in TLS"),
    "inject-deferred":               ("S3,S4", "keeps complete buffered lines, but executes them only when the next bytes arrive inside TLS"),
    "inject-late-read":              ("S5",  "discards the buffer, but reads plaintext arriving within 200 ms after the 220 and executes it inside TLS"),
    "plaintext-pipelined-answered":  ("S1-S4,S6", "answers complete lines buffered behind STARTTLS in plaintext after the 220 (separate write), then TLS"),
    # S7
    "clienthello-as-smtp":           ("S7 (+S1-S4,S6)", "anything buffered behind STARTTLS (e.g. the ClientHello) is taken as one SMTP command: 500 in plaintext after the 220"),
    # S8
    "starttls-params-accept":        ("S8",  "220 to STARTTLS A=B"),
    "starttls-params-500":           ("-",   "500 instead of 501 to STARTTLS A=B (note only)"),
    # S9
    "starttls-unadvertised-accept":  ("S9 (+S0 if profile expects TLS)", "does not advertise STARTTLS but answers 220 and does TLS"),
    # S10
    "starttls-advertised-after-tls": ("S10", "advertises STARTTLS in the post-TLS EHLO (still refuses it 503)"),
    "second-starttls-accepted":      ("S10", "answers 220 to STARTTLS inside TLS (not advertised)"),
    "second-starttls-454":           ("-",   "454 to STARTTLS inside TLS (note only)"),
    # S11-S13
    "keep-ehlo-state":               ("S11", "after TLS, MAIL is accepted without a new EHLO"),
    "keep-transaction":              ("S12", "the MAIL transaction survives STARTTLS and the post-TLS EHLO"),
    "keep-ehlo-name":                ("S13", "the EHLO reply greeting line names the first (pre-TLS) EHLO name"),
    "starttls-in-transaction-503":   ("-",   "refuses STARTTLS inside a transaction with 503 (OpenSMTPD-like)"),
    # S14
    "auth-plain-before-tls":         ("S14", "advertises AUTH PLAIN LOGIN before TLS and accepts AUTH there (235)"),
    "auth-accepted-unadvertised":    ("S14", "no AUTH advertised before TLS, but AUTH PLAIN accepted there (235)"),
    "auth-334-before-tls":           ("S14", "answers 334 to AUTH PLAIN <ir> before TLS"),
    "auth-login-before-tls":         ("S14", "advertises AUTH LOGIN only before TLS (refuses AUTH PLAIN 538)"),
    "auth-eq-before-tls":            ("S14", "advertises legacy 'AUTH=PLAIN LOGIN' only before TLS (refuses AUTH 530/538)"),
    "auth-cram-before-tls":          ("-",   "advertises AUTH CRAM-MD5 before TLS, refuses PLAIN with 504 (conformant)"),
    # S15
    "tls-not-enforced":              ("S15", "configured tls-required, but executes MAIL/RCPT/DATA/HELP/VRFY before TLS"),
    "tls-required-partial":          ("S15", "tls-required: 530 only to MAIL/RCPT/DATA/AUTH; HELP and VRFY served before TLS"),
    "tls-required-noop-530":         ("S15", "tls-required: also 530 to NOOP"),
    "tls-required-554":              ("-",   "tls-required with 554 5.7.0 instead of 530 (note only)"),
    "mx-requires-tls":               ("S15 (opportunistic-mx)", "530 to MAIL before TLS on an MX"),
    # S16
    "break-pipelined-group":         ("S16", "when STARTTLS arrives in the same recv() as the previous command: 250, 220, then garbage instead of TLS"),
    "s16-refuse-group":              ("-",   "503 to a STARTTLS that arrived in the same recv() as the previous command (conformant)"),
    "read-bytewise":                 ("-",   "reads plaintext one byte per recv(): nothing is buffered at the switch, pipelined bytes reach the TLS library (not injectable)"),
    "no-helo-required":              ("-",   "MAIL accepted without HELO/EHLO (S11 must skip, not fail)"),
    "lowercase-ehlo-keywords":       ("-",   "EHLO keywords in lower case (starttls, pipelining...): keywords are case-insensitive, must not be a finding"),
    "starttls-advertised-after-tls-lc": ("S10", "advertises 'starttls' (lower case) in the post-TLS EHLO"),
    "auth-lowercase-before-tls":     ("S14", "advertises 'auth plain login' (lower case) before TLS"),
    "auth-order-before-tls":         ("S14", "advertises 'AUTH CRAM-MD5 LOGIN PLAIN' before TLS"),
    "s17-alert-no-close":            ("- (catalogue: alert/close)", "after the 220, non-TLS input gets a fatal TLS alert, but the socket stays open 60 s"),
    "bare-code-replies":             ("-",   "NOOP/RSET/MAIL/RCPT replies are a bare code ('250\\r\\n'), legal per RFC 5321 4.2"),
    "auth-required-after-tls":       ("-",   "submission-like: MAIL inside TLS needs AUTH first (530 5.7.0 Authentication required)"),
    "coalesce":                      ("-",   "replies to pipelined commands are batched into one write (RFC 2920 style)"),
    # S17
    "answer-plaintext-after-220":    ("S17,S5", "after the 220, plaintext (non-TLS) input is executed and answered in plaintext"),
    "s17-silent-hang":               ("S17", "after the 220, non-TLS input makes the server wait silently for 60 s before closing"),
    # S18
    "s18-421-on-timeout":            ("-",   "Exim-like: no ClientHello within the handshake timeout -> plaintext 421 and close"),
    "never-close-after-220":         ("S18", "no handshake timeout: waits (up to 400 s) for a ClientHello"),
    # S19
    "accept-empty-ehlo":             ("S19(empty)", "250 to EHLO without argument"),
    "hang-long-line":                ("S19(long)", "stops answering after a line longer than 512 octets"),
    "reset-on-nul":                  ("S19(nul)", "resets the connection (RST, no reply) on a NUL byte"),
    "reject-v4-literal":             ("S19(v4)", "501 to EHLO [192.0.2.1]"),
    "reject-v6-literal":             ("S19(v6)", "501 to EHLO [IPv6:::1]"),
    "close-on-bad-literal":          ("S19(bad)", "closes without reply on an invalid address literal"),
    "silent-non-ascii":              ("S19(non-ascii)", "never answers an EHLO with non-ASCII bytes"),
    "bare-lf-reset":                 ("S19(bare-lf)", "resets the connection without a reply on a bare LF"),
    "bare-lf-521":                   ("-",   "Postfix-like: 521 and close on a bare LF (conformant)"),
    "accept-bare-lf":                ("-",   "a bare LF ends a line (note only)"),
    "mixed-code-multiline":          ("?",   "EHLO reply has mixed codes (250-/251-/250 )"),
    "bytewise":                      ("-",   "every reply is sent one byte per write (must not be a finding)"),
    "multiline-220":                 ("-",   "the 220 to STARTTLS is a two-line reply"),
    "greeting-multiline":            ("-",   "multi-line 220 greeting"),
    "slow-greeting":                 ("-",   "greeting after 6 s (postscreen-like greet pause)"),
}

LOCK = threading.Lock()
LOG = None


def log(cid, msg):
    if LOG is None:
        return
    with LOCK:
        LOG.write("%.3f #%d %s\n" % (time.time(), cid, msg))
        LOG.flush()


class Closed(Exception):
    pass


HANDSHAKE_TIMEOUT_S = 4.0


class Timeout(Exception):
    pass


class Session:
    CMD_TIMEOUT = 120.0
    MAX_LINE = 4096

    def __init__(self, srv, sock, cid):
        self.srv = srv
        self.f = srv.flags
        self.sock = sock
        self.cid = cid
        self.tls = None
        self.buf = b""
        self.ehlo = None
        self.first_ehlo = None
        self.mail = None
        self.rcpts = []
        self.authed = False
        self.pending = []
        self.defer = False
        self.recv_count = 0
        self.line_recv = -1
        self.prev_line_recv = -2
        self.deadline = time.monotonic() + 420
        self.tls_required = "tls-required" in self.f

    def has(self, n):
        return n in self.f

    @property
    def chan(self):
        return self.tls or self.sock

    # ---------- output
    def write(self, data):
        log(self.cid, "S%s: %r" % ("[tls]" if self.tls else "", data[:300]))
        if self.has("bytewise"):
            for i in range(len(data)):
                self.chan.sendall(data[i:i + 1])
                time.sleep(0.001)
        else:
            self.chan.sendall(data)

    def flush(self):
        if self.pending:
            out = b"".join(self.pending)
            self.pending = []
            self.write(out)

    def reply(self, code, *lines, flush=False):
        if self.has("bare-code-replies") and len(lines) == 1 and code in (250,) and lines[0].startswith("2."):
            lines = ("",)
        out = b""
        for i, l in enumerate(lines):
            sep = "-" if i < len(lines) - 1 else " "
            if not l and sep == " ":
                sep = ""
            out += ("%d%s%s\r\n" % (code, sep, l)).encode("utf-8", "replace")
        self.pending.append(out)
        if flush or not (self.has("coalesce") and self.line_buffered()):
            self.flush()

    # ---------- input
    def eol_sep(self):
        return b"\n" if self.has("accept-bare-lf") else b"\r\n"

    def line_buffered(self):
        return self.eol_sep() in self.buf

    def recv_more(self, timeout=None):
        if time.monotonic() > self.deadline:
            raise Closed()
        self.chan.settimeout(timeout or self.CMD_TIMEOUT)
        try:
            data = self.chan.recv(1 if (self.has("read-bytewise") and not self.tls) else 65536)
        except socket.timeout:
            raise Timeout()
        except (OSError, ssl.SSLError):
            raise Closed()
        if not data:
            raise Closed()
        self.recv_count += 1
        log(self.cid, "C%s: %r" % ("[tls]" if self.tls else "", data[:300]))
        self.buf += data

    def read_line(self):
        if self.defer:
            self.defer = False
            self.recv_more()
        while True:
            if (self.has("bare-lf-reset") or self.has("bare-lf-521")) and not self.tls:
                i = self.buf.find(b"\n")
                if i != -1 and (i == 0 or self.buf[i - 1:i] != b"\r"):
                    if self.has("bare-lf-521"):
                        self.reply(521, "5.5.2 %s Error: bare <LF> received" % HOST_NAME, flush=True)
                        raise Closed()
                    self.rst_close()
            sep = self.eol_sep()
            i = self.buf.find(sep)
            if i != -1:
                line = self.buf[:i]
                self.buf = self.buf[i + len(sep):]
                if sep == b"\n" and line.endswith(b"\r"):
                    line = line[:-1]
                self.prev_line_recv, self.line_recv = self.line_recv, self.recv_count
                return line
            if self.has("hang-long-line") and len(self.buf) > 512:
                self.hang(60)
            if len(self.buf) > self.MAX_LINE:
                self.reply(500, "5.5.2 Line too long", flush=True)
                raise Closed()
            self.recv_more()

    def drain_nowait(self, wait):
        """Read whatever plaintext arrives within `wait` seconds."""
        got = b""
        end = time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not d:
                break
            got += d
        if got:
            log(self.cid, "C(drained): %r" % got[:300])
        return got

    def peek(self, timeout):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(16, socket.MSG_PEEK)
        except (socket.timeout, OSError):
            return b""

    def hang(self, secs):
        log(self.cid, "hanging silently for %ds" % secs)
        end = time.monotonic() + secs
        while time.monotonic() < end:
            self.chan.settimeout(max(0.1, end - time.monotonic()))
            try:
                if not self.chan.recv(65536):
                    break
            except socket.timeout:
                break
            except (OSError, ssl.SSLError):
                break
        raise Closed()

    def rst_close(self):
        log(self.cid, "RST close")
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raise Closed()

    # ---------- session
    def run(self):
        try:
            if self.has("slow-greeting"):
                time.sleep(6)
            if self.has("greeting-554"):
                self.reply(554, "5.3.2 %s no SMTP service here" % HOST_NAME)
            elif self.has("greeting-multiline"):
                self.reply(220, "%s ESMTP smtpeer-misbehave" % HOST_NAME, "second line of the greeting", "ready")
            else:
                self.reply(220, "%s ESMTP smtpeer-misbehave" % HOST_NAME)
            while True:
                try:
                    line = self.read_line()
                except Timeout:
                    self.reply(421, "4.4.2 %s Error: timeout exceeded" % HOST_NAME, flush=True)
                    break
                if not self.handle(line):
                    break
        except (Closed, OSError, ssl.SSLError):
            pass
        finally:
            try:
                self.flush()
            except Exception:
                pass
            try:
                self.chan.close()
            except Exception:
                pass
            try:
                self.sock.close()
            except Exception:
                pass
            log(self.cid, "closed")

    def reset_trx(self):
        self.mail = None
        self.rcpts = []

    def gated(self, verb):
        """TLS-required gate: True if the command was refused."""
        if self.tls:
            return False
        gate = set()
        if self.tls_required:
            gate = {"MAIL", "RCPT", "DATA", "HELP", "VRFY", "EXPN", "AUTH", "RSET", "ETRN", "BDAT"}
            if self.has("tls-not-enforced"):
                gate = set()
            elif self.has("tls-required-partial"):
                gate = {"MAIL", "RCPT", "DATA", "AUTH"}
            if self.has("tls-required-noop-530"):
                gate.add("NOOP")
        if self.has("mx-requires-tls"):
            gate |= {"MAIL", "RCPT", "DATA"}
        if verb == "AUTH" and any(self.has(x) for x in ("auth-plain-before-tls", "auth-accepted-unadvertised", "auth-334-before-tls")):
            gate.discard("AUTH")
        if verb in gate:
            if self.has("tls-required-554"):
                self.reply(554, "5.7.0 Must issue a STARTTLS command first")
            else:
                self.reply(530, "5.7.0 Must issue a STARTTLS command first")
            return True
        return False

    def starttls_advertised(self):
        return not (self.has("no-starttls") or self.has("starttls-unadvertised-accept"))

    def handle(self, raw):
        if b"\0" in raw and self.has("reset-on-nul"):
            self.rst_close()
        if len(raw) > 512 and self.has("hang-long-line"):
            self.hang(60)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("latin-1")
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        if self.has("greeting-554") and verb != "QUIT":
            self.reply(503, "5.5.1 Error: no SMTP service")
            return True
        if verb in ("EHLO", "HELO"):
            return self.cmd_ehlo(verb, arg, raw)
        if verb == "STARTTLS":
            return self.cmd_starttls(arg)
        if verb == "QUIT":
            self.reply(221, "2.0.0 Bye", flush=True)
            return False
        if verb == "NOOP":
            if self.gated(verb):
                return True
            self.reply(250, "2.0.0 Ok")
            return True
        if self.gated(verb):
            return True
        if verb == "MAIL":
            if not self.ehlo and not self.has("no-helo-required"):
                self.reply(503, "5.5.1 Error: send HELO/EHLO first")
            elif self.has("auth-required-after-tls") and not self.authed:
                self.reply(530, "5.7.0 Authentication required")
            elif self.mail is not None:
                self.reply(503, "5.5.1 Error: nested MAIL command")
            elif not arg.upper().startswith("FROM:"):
                self.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
            else:
                self.mail = arg[5:]
                self.reply(250, "2.1.0 Ok")
        elif verb == "RCPT":
            if self.mail is None:
                self.reply(503, "5.5.1 Error: need MAIL command")
            elif not arg.upper().startswith("TO:"):
                self.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
            else:
                self.rcpts.append(arg[3:])
                self.reply(250, "2.1.5 Ok")
        elif verb == "DATA":
            if arg.strip():
                self.reply(501, "5.5.4 Syntax: DATA")
            elif self.mail is None:
                self.reply(503, "5.5.1 Error: need MAIL command")
            elif not self.rcpts:
                self.reply(503, "5.5.1 Error: need RCPT command")
            else:
                self.reply(354, "End data with <CR><LF>.<CR><LF>", flush=True)
                self.read_data()
                self.reset_trx()
                self.reply(250, "2.0.0 Ok: queued")
        elif verb == "RSET":
            self.reset_trx()
            self.reply(250, "2.0.0 Ok")
        elif verb == "VRFY":
            if not arg.strip():
                self.reply(501, "5.5.4 Syntax: VRFY address")
            else:
                self.reply(252, "2.0.0 Cannot VRFY user, but will accept message")
        elif verb == "HELP":
            self.reply(214, "2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH")
        elif verb == "AUTH":
            self.cmd_auth(arg)
        elif verb == "":
            self.reply(500, "5.5.2 Error: bad syntax")
        else:
            self.reply(500, "5.5.2 Error: command not recognized")
        return True

    def read_data(self):
        total = 0
        while True:
            probe = b"\r\n" + self.buf
            i = probe.find(b"\r\n.\r\n")
            if i != -1:
                self.buf = probe[i + 5:]
                return
            total += len(self.buf)
            if total > 10 * 1024 * 1024:
                raise Closed()
            try:
                self.recv_more()
            except Timeout:
                raise Closed()

    # ---------- EHLO
    def valid_domain(self, d):
        if not d:
            return False
        if any(ord(c) < 33 or ord(c) > 126 for c in d):
            return False
        if d.startswith("["):
            if not d.endswith("]"):
                return False
            inner = d[1:-1]
            if inner.upper().startswith("IPV6:"):
                if self.has("reject-v6-literal"):
                    return False
                try:
                    ipaddress.IPv6Address(inner[5:])
                    return True
                except ValueError:
                    return False
            if ":" in inner:  # General-address-literal: tag:content
                return True
            parts = inner.split(".")
            if len(parts) != 4 or not all(p.isdigit() and 0 <= int(p) <= 255 for p in parts):
                return False
            return not self.has("reject-v4-literal")
        return True

    def cmd_ehlo(self, verb, arg, raw):
        if verb == "EHLO" and self.has("ehlo-500"):
            self.reply(500, "5.5.2 Error: command not recognized")
            return True
        dom = arg.strip(" ").split(" ")[0] if arg.strip(" ") else ""
        if not dom and not self.has("accept-empty-ehlo"):
            self.reply(501, "5.5.4 Syntax: %s hostname" % verb)
            return True
        if dom:
            if any(b > 127 for b in raw) and self.has("silent-non-ascii"):
                self.hang(60)
            if dom.startswith("[") and self.has("close-on-bad-literal"):
                inner = dom.strip("[]")
                bad = False
                if not inner.upper().startswith("IPV6:") and ":" not in inner:
                    parts = inner.split(".")
                    bad = len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 for p in parts)
                if bad:
                    raise Closed()
            if b"\0" in raw or not self.valid_domain(dom):
                self.reply(501, "5.5.2 <%s>: Helo command rejected: invalid hostname" % dom.replace("\0", "\\0"))
                return True
        if self.first_ehlo is None:
            self.first_ehlo = dom
        self.ehlo = dom or "(empty)"
        if not (self.has("keep-transaction") and self.tls):
            self.reset_trx()
        shown = self.first_ehlo if self.has("keep-ehlo-name") else dom
        if verb == "HELO":
            self.reply(250, "%s Hello %s" % (HOST_NAME, shown))
            return True
        caps = ["PIPELINING", "SIZE 10240000", "8BITMIME"]
        if not self.tls and self.starttls_advertised():
            caps.append("STARTTLS")
        if self.tls and self.has("starttls-advertised-after-tls"):
            caps.append("STARTTLS")
        if self.tls:
            caps.append("AUTH PLAIN LOGIN")
        else:
            if self.has("auth-plain-before-tls"):
                caps.append("AUTH PLAIN LOGIN")
            if self.has("auth-login-before-tls"):
                caps.append("AUTH LOGIN")
            if self.has("auth-eq-before-tls"):
                caps.append("AUTH=PLAIN LOGIN")
            if self.has("auth-cram-before-tls"):
                caps.append("AUTH CRAM-MD5")
        if self.tls and self.has("starttls-advertised-after-tls-lc"):
            caps.append("starttls")
        if not self.tls and self.has("auth-lowercase-before-tls"):
            caps.append("auth plain login")
        if not self.tls and self.has("auth-order-before-tls"):
            caps.append("AUTH CRAM-MD5 LOGIN PLAIN")
        caps.append("ENHANCEDSTATUSCODES")
        if self.has("lowercase-ehlo-keywords"):
            caps = [c.lower() for c in caps]
        lines = ["%s Hello %s" % (HOST_NAME, shown)] + caps
        if self.has("mixed-code-multiline"):
            out = b""
            for i, l in enumerate(lines):
                code = 251 if i == 1 else 250
                sep = "-" if i < len(lines) - 1 else " "
                out += ("%d%s%s\r\n" % (code, sep, l)).encode()
            self.pending.append(out)
            if not (self.has("coalesce") and self.line_buffered()):
                self.flush()
            return True
        self.reply(250, *lines)
        return True

    # ---------- AUTH
    def cmd_auth(self, arg):
        if not self.ehlo:
            self.reply(503, "5.5.1 Error: send HELO/EHLO first")
            return
        parts = arg.split()
        if not parts:
            self.reply(501, "5.5.4 Syntax: AUTH mechanism")
            return
        mech = parts[0].upper()
        if not self.tls:
            if self.has("auth-334-before-tls"):
                self.reply(334, "", flush=True)
                self.read_line()
                self.reply(535, "5.7.8 Error: authentication failed")
                return
            if not (self.has("auth-plain-before-tls") or self.has("auth-accepted-unadvertised")):
                if self.has("auth-cram-before-tls") and mech != "CRAM-MD5":
                    self.reply(504, "5.5.4 Unrecognized authentication type")
                elif self.has("auth-eq-before-tls"):
                    self.reply(530, "5.7.0 Must issue a STARTTLS command first")
                else:
                    self.reply(538, "5.7.11 Encryption required for requested authentication mechanism")
                return
        if self.authed:
            self.reply(503, "5.5.1 Error: already authenticated")
            return
        if mech == "PLAIN":
            if len(parts) > 1:
                ir = parts[1]
            else:
                self.reply(334, "", flush=True)
                ir = self.read_line().decode("latin-1")
            if ir == "*":
                self.reply(501, "5.7.0 Authentication aborted")
                return
            try:
                base64.b64decode(ir, validate=True)
            except Exception:
                self.reply(501, "5.5.2 Cannot decode response")
                return
            self.authed = True
            self.reply(235, "2.7.0 Authentication successful")
        elif mech == "LOGIN":
            self.reply(334, "VXNlcm5hbWU6", flush=True)
            self.read_line()
            self.reply(334, "UGFzc3dvcmQ6", flush=True)
            self.read_line()
            self.authed = True
            self.reply(235, "2.7.0 Authentication successful")
        else:
            self.reply(504, "5.5.4 Unrecognized authentication type")

    # ---------- STARTTLS
    def cmd_starttls(self, arg):
        if arg.strip(" "):
            if self.has("starttls-params-500"):
                self.reply(500, "5.5.2 Error: bad syntax")
                return True
            if not self.has("starttls-params-accept"):
                self.reply(501, "5.5.4 Syntax: STARTTLS (no parameters allowed)")
                return True
        if self.tls:
            if self.has("second-starttls-accepted"):
                self.reply(220, "2.0.0 Ready to start TLS", flush=True)
                return True
            if self.has("second-starttls-454"):
                self.reply(454, "4.7.0 TLS not available")
                return True
            self.reply(503, "5.5.1 Error: TLS already active")
            return True
        if self.has("no-starttls"):
            self.reply(502, "5.5.1 Error: command not implemented")
            return True
        if self.has("starttls-refused-454"):
            self.reply(454, "4.7.0 TLS not available due to local problem")
            return True
        if self.has("s16-refuse-group") and self.line_recv == self.prev_line_recv:
            self.reply(503, "5.5.0 Error: improper pipelining, STARTTLS must end a group")
            return True
        if self.has("starttls-in-transaction-503") and self.mail is not None:
            self.reply(503, "5.5.1 Error: STARTTLS not allowed in a transaction")
            return True
        return self.do_starttls()

    def complete_part(self, data):
        sep = self.eol_sep()
        i = data.rfind(sep)
        if i == -1:
            return b"", data
        return data[:i + len(sep)], data[i + len(sep):]

    def do_starttls(self):
        same_group = self.line_recv == self.prev_line_recv
        remainder = self.buf
        self.buf = b""
        if self.has("inject-complete-lines"):
            remainder += self.drain_nowait(0.15)
        msg = b"220 2.0.0 Ready to start TLS\r\n"
        if self.has("multiline-220"):
            msg = b"220-2.0.0 Ready to start TLS\r\n220 2.0.0 go ahead\r\n"
        if self.has("extra-after-220"):
            msg = msg + msg
        self.pending.append(msg)
        self.flush()
        if remainder:
            log(self.cid, "buffered behind STARTTLS: %r" % remainder[:300])
        if self.has("clienthello-as-smtp") and remainder:
            time.sleep(0.05)
            self.write(b"500 5.5.2 Error: command not recognized\r\n")
        if self.has("plaintext-pipelined-answered"):
            whole, _ = self.complete_part(remainder)
            out = b""
            for ln in whole.split(self.eol_sep())[:-1]:
                v = ln.split(b" ")[0].upper()
                out += b"250 2.0.0 Ok\r\n" if v in (b"RSET", b"NOOP", b"EHLO") else b"503 5.5.1 Error: bad sequence\r\n"
            if out:
                time.sleep(0.05)
                self.write(out)
        if self.has("break-pipelined-group") and same_group:
            self.write(b"\x00\x01garbage, not TLS\x00")
            raise Closed()
        if self.has("handshake-garbage"):
            self.peek(10.0)  # wait for the client's first flight, then answer garbage
            self.write(b"\x00\x01\x02garbage instead of a ServerHello\xff\xfe")
            time.sleep(0.2)
            raise Closed()
        if self.has("handshake-plaintext-454"):
            self.peek(10.0)
            self.write(b"454 4.7.0 TLS not available due to local problem\r\n")
            time.sleep(0.2)
            raise Closed()
        late = b""
        if self.has("inject-late-read"):
            # buggy: "one more look" for plaintext lines after the 220; reads only whole
            # plaintext lines (never a TLS record), keeps them for execution inside TLS
            time.sleep(0.2)
            for _ in range(10):
                self.sock.settimeout(0.01)
                try:
                    p = self.sock.recv(4096, socket.MSG_PEEK)
                except (socket.timeout, OSError):
                    break
                if not p or p[0] == 0x16 or b"\r\n" not in p:
                    break
                late += self.sock.recv(p.index(b"\r\n") + 2)
            if late:
                log(self.cid, "C(late read): %r" % late)
        # The handshake timeout: S7 and S18 wait it out in every run. smtpeer
        # sends its ClientHello within milliseconds (under ASan and a CPU load
        # too), so 4 s is generous, and it keeps the 79 runs short.
        hs_timeout = HANDSHAKE_TIMEOUT_S
        if self.has("answer-plaintext-after-220") or self.has("s17-silent-hang") or self.has("s17-alert-no-close"):
            p = self.peek(hs_timeout)
            if p and p[0] != 0x16:
                if self.has("s17-silent-hang"):
                    self.hang(60)
                if self.has("s17-alert-no-close"):
                    self.write(b"\x15\x03\x03\x00\x02\x02\x0a")  # fatal unexpected_message
                    self.hang(60)
                log(self.cid, "non-TLS after 220: continuing in plaintext")
                return True  # back to the plaintext command loop
        if self.has("s18-421-on-timeout") and not self.peek(hs_timeout):
            self.write(b"421 4.4.2 mx.test Error: timeout exceeded\r\n")
            raise Closed()
        if self.has("never-close-after-220"):
            hs_timeout = 400.0
        self.sock.settimeout(hs_timeout)
        try:
            tls = self.srv.ctx.wrap_socket(self.sock, server_side=True, do_handshake_on_connect=False)
            tls.do_handshake()
        except (ssl.SSLError, OSError, socket.timeout) as e:
            log(self.cid, "handshake failed: %r" % (e,))
            raise Closed()
        self.tls = tls
        log(self.cid, "TLS up: %s %s" % (tls.version(), tls.cipher()[0]))
        # RFC 3207 §4.2: back to the state after the greeting
        if not self.has("keep-ehlo-state"):
            self.ehlo = None
        if not self.has("keep-transaction"):
            self.reset_trx()
        self.authed = False
        kept = b""
        if self.has("inject-same-recv") or self.has("inject-complete-lines") or self.has("inject-deferred"):
            kept, _ = self.complete_part(remainder)
        if self.has("inject-partial"):
            kept = remainder
        if self.has("inject-partial-only"):
            _, kept = self.complete_part(remainder)
        if self.has("inject-late-read"):
            kept = late
        if kept:
            log(self.cid, "kept across TLS: %r" % kept[:300])
        self.buf = kept
        if self.has("inject-deferred") and kept:
            self.defer = True
        return True


class Server:
    def __init__(self, port, flags, lifetime, verbose, cert, key):
        self.flags = flags
        self.port = port
        self.lifetime = lifetime
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.stop = False

    def serve(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        ls.settimeout(0.5)
        end = time.monotonic() + self.lifetime
        cid = 0
        while not self.stop and time.monotonic() < end:
            try:
                s, _ = ls.accept()
            except socket.timeout:
                continue
            cid += 1
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            log(cid, "accepted")
            threading.Thread(target=Session(self, s, cid).run, daemon=True).start()
        ls.close()


def main():
    global LOG
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--flag", action="append", default=[], help="misbehaviour flag(s), repeatable or comma-separated")
    ap.add_argument("--tls-required", action="store_true")
    ap.add_argument("--lifetime", type=float, default=900, help="exit after this many seconds")
    ap.add_argument("--log", help="append a wire log here")
    ap.add_argument("--cert", default=os.path.join(HERE, "cert.pem"), help="server certificate (PEM)")
    ap.add_argument("--key", default=os.path.join(HERE, "key.pem"), help="its private key (PEM)")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list:
        for k, (row, d) in FLAGS.items():
            print("%-30s %-22s %s" % (k, row, d))
        return 0
    flags = set()
    for f in a.flag:
        for x in f.split(","):
            x = x.strip()
            if not x:
                continue
            if x not in FLAGS:
                print("unknown flag %r (see --list)" % x, file=sys.stderr)
                return 2
            flags.add(x)
    if a.tls_required:
        flags.add("tls-required")
    if a.log:
        LOG = open(a.log, "a")
    srv = Server(a.port, flags, a.lifetime, False, a.cert, a.key)

    def stop(*_):
        srv.stop = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
