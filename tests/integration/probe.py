#!/usr/bin/env python3
"""probe.py: record by hand what a real server does around STARTTLS.

The facts in tests/integration/README.md were measured with this script; it
is kept so they can be measured again (e.g. after a Debian point release):

  python3 tests/integration/probe.py --port P --ca DIR/pki/ca.pem [PROBE ...]

Each probe opens a connection, writes bytes exactly as listed (one list item
= one send() on a TCP_NODELAY socket), and prints what came back: "S:" lines
in plaintext, "S~" lines inside TLS, raw bytes in hex when they are not text.
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import struct
import sys
import threading
import time

HOST = "127.0.0.1"
SNI = "mx.smtpeer.test"


class Session:
    """Session: one SMTP connection that can switch to TLS on demand."""

    def __init__(self, port: int, ca: str | None) -> None:
        self.raw = socket.create_connection((HOST, port), timeout=10)
        self.raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock: socket.socket = self.raw
        self.tls = False
        self.ctx = ssl.create_default_context(cafile=ca) if ca else ssl._create_unverified_context()
        self.ctx.check_hostname = bool(ca)
        self.closed = False
        self.buf = b""

    def send(self, data: bytes) -> None:
        shown = data if len(data) <= 80 else data[:40] + b"...(%d bytes)..." % len(data) + data[-8:]
        print(f"C{'~' if self.tls else ':'} {shown!r}")
        try:
            self.sock.sendall(data)
        except OSError as e:
            print(f"   send failed: {e}")

    def _recv(self, timeout: float) -> bytes | None:
        """_recv: one recv(); b"" on EOF/error (marks closed), None on timeout."""
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return None
        except ssl.SSLError as e:
            print(f"   TLS error while reading: {e}")
            chunk = b""
        except OSError as e:
            print(f"   read error: {e}")
            chunk = b""
        if not chunk:
            self.closed = True
        return chunk

    def read(self, idle: float = 1.0, total: float = 10.0) -> bytes:
        """read: everything that arrives until `idle` s pass without data (or EOF)."""
        got, self.buf = self.buf, b""
        deadline = time.monotonic() + total
        while not self.closed and time.monotonic() < deadline:
            chunk = self._recv(min(idle, max(0.01, deadline - time.monotonic())))
            if chunk is None:
                break
            got += chunk
        self.show(got)
        if self.closed:
            print("   (connection closed by server)")
        return got

    def reply(self, total: float = 15.0) -> bytes:
        """reply: one complete (multi-line) reply; later bytes stay buffered."""
        deadline = time.monotonic() + total
        while True:
            end = reply_end(self.buf)
            if end:
                got, self.buf = self.buf[:end], self.buf[end:]
                self.show(got)
                return got
            if self.closed or time.monotonic() >= deadline:
                got, self.buf = self.buf, b""
                self.show(got)
                if self.closed:
                    print("   (connection closed by server)")
                else:
                    print("   (timed out waiting for a reply)")
                return got
            chunk = self._recv(max(0.01, deadline - time.monotonic()))
            if chunk:
                self.buf += chunk

    def show(self, got: bytes) -> None:
        if not got:
            print(f"S{'~' if self.tls else ':'} (nothing)")
            return
        try:
            text = got.decode("ascii")
            printable = all(c.isprintable() or c in "\r\n" for c in text)
        except UnicodeDecodeError:
            printable = False
        if printable:
            for line in text.split("\r\n"):
                if line:
                    print(f"S{'~' if self.tls else ':'} {line}")
            if not text.endswith("\r\n"):
                print("   (last line without CRLF)")
        else:
            print(f"S{'~' if self.tls else ':'} hex {got.hex(' ')}" + describe_tls(got))

    def peek(self, wait: float = 0.7) -> bytes:
        """peek: plaintext bytes already queued behind a reply, without consuming them."""
        time.sleep(wait)
        # A socket with a timeout polls before recv(); peek must not wait.
        self.raw.setblocking(False)
        try:
            return self.raw.recv(65536, socket.MSG_PEEK)
        except BlockingIOError:
            return b""
        finally:
            self.raw.settimeout(10)

    def starttls(self) -> bool:
        behind = self.buf + self.peek()
        if behind:
            print(f"   bytes queued behind the 220 before the handshake: {behind!r}")
        if self.buf:
            print("   (those bytes were already read: the handshake will see only what follows)")
            self.buf = b""
        try:
            self.sock = self.ctx.wrap_socket(self.raw, server_hostname=SNI)
        except (ssl.SSLError, OSError) as e:
            print(f"   handshake failed: {e}")
            self.closed = True
            return False
        self.tls = True
        print(f"   TLS up: {self.sock.version()} {self.sock.cipher()[0]}")
        return True

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class Sniffer:
    """Sniffer: TCP segments from the server to one client port, off the wire.

    When a server resets the connection, the kernel may drop received bytes
    before recv() sees them (e.g. a TLS alert followed by RST), so the exact
    bytes are taken from the loopback interface with an AF_PACKET socket.
    Needs root.
    """

    def __init__(self, server_port: int) -> None:
        self.server_port = server_port
        self.client_port = 0
        self.segments: list[tuple[float, str, bytes]] = []
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                frame, addr = self.sock.recvfrom(65600)
            except (socket.timeout, TimeoutError):
                continue
            if addr[2] != socket.PACKET_HOST or len(frame) < 14 + 20 + 20:
                continue
            ip = frame[14:]
            if ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            ihl = (ip[0] & 0x0F) * 4
            total = struct.unpack("!H", ip[2:4])[0]
            tcp = ip[ihl:total]
            sport, dport = struct.unpack("!HH", tcp[:4])
            if sport != self.server_port or dport != self.client_port:
                continue
            off = (tcp[12] >> 4) * 4
            flags = "".join(n for b, n in ((0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"), (0x10, ".")) if tcp[13] & b)
            self.segments.append((time.monotonic() - self.t0, flags, bytes(tcp[off:])))

    def report(self) -> None:
        time.sleep(0.3)
        self.stop.set()
        self.thread.join()
        self.sock.close()
        print(f"   wire, server -> client port {self.client_port}:")
        for t, flags, payload in self.segments:
            if payload or "F" in flags or "R" in flags:
                text = payload.hex(" ") if payload and not payload.isascii() or payload.startswith(b"\x15") else repr(payload)
                print(f"     +{t:6.3f}s [{flags}] {text}{describe_tls(payload)}")


def reply_end(buf: bytes) -> int:
    """reply_end: length of the first complete reply in buf, 0 if none yet."""
    pos = 0
    while True:
        nl = buf.find(b"\n", pos)
        if nl < 0:
            return 0
        line = buf[pos:nl]
        if len(line) < 4 or line[3:4] != b"-":
            return nl + 1
        pos = nl + 1


ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 47: "illegal_parameter", 50: "decode_error", 70: "protocol_version",
          80: "internal_error", 86: "inappropriate_fallback", 112: "unrecognized_name"}


def describe_tls(b: bytes) -> str:
    if len(b) >= 7 and b[0] == 0x15:
        return f"  (TLS alert record, version {b[1]:02x}{b[2]:02x}, level {b[5]}, {ALERTS.get(b[6], b[6])})"
    if len(b) >= 5 and b[0] == 0x16:
        return "  (TLS handshake record)"
    return ""


# --- probes --------------------------------------------------------------------


def ehlo(s: Session, name: str = "smtpeer.invalid") -> bytes:
    s.reply()  # greeting
    s.send(f"EHLO {name}\r\n".encode())
    return s.reply()


def probe_a(s: Session) -> None:
    """(a) STARTTLS and RSET in one write."""
    ehlo(s)
    s.send(b"STARTTLS\r\nRSET\r\n")
    s.reply()
    if s.starttls():
        print("   waiting 1.5 s for unprompted replies inside TLS")
        s.read(idle=1.5, total=1.5)
        s.send(b"NOOP\r\n")
        s.reply()


def probe_a2(s: Session) -> None:
    """(a2) STARTTLS then RSET as a second write before reading the 220."""
    ehlo(s)
    s.send(b"STARTTLS\r\n")
    s.send(b"RSET\r\n")
    s.reply()
    if s.starttls():
        s.read(idle=1.5, total=1.5)
        s.send(b"NOOP\r\n")
        s.reply()


def probe_b(s: Session) -> None:
    """(b) STARTTLS with a parameter."""
    ehlo(s)
    s.send(b"STARTTLS A=B\r\n")
    s.reply()
    s.send(b"NOOP\r\n")
    s.reply()


def probe_c(s: Session) -> None:
    """(c) EHLO and STARTTLS again inside TLS."""
    ehlo(s)
    s.send(b"STARTTLS\r\n")
    s.reply()
    if s.starttls():
        s.send(b"EHLO smtpeer.invalid\r\n")
        s.reply()
        s.send(b"STARTTLS\r\n")
        s.reply()
        s.send(b"NOOP\r\n")
        s.reply()


def probe_d(s: Session) -> None:
    """(d) MAIL without EHLO on a fresh connection."""
    s.reply()
    s.send(b"MAIL FROM:<smtpeer@example.org>\r\n")
    s.reply()


def probe_d2(s: Session) -> None:
    """(d2) MAIL inside TLS without a new EHLO; then EHLO and MAIL."""
    ehlo(s)
    s.send(b"STARTTLS\r\n")
    s.reply()
    if s.starttls():
        s.send(b"MAIL FROM:<smtpeer@example.org>\r\n")
        s.reply()
        s.send(b"EHLO smtpeer.invalid\r\n")
        s.reply()
        s.send(b"MAIL FROM:<smtpeer@example.org>\r\n")
        s.reply()


def probe_d3(s: Session) -> None:
    """(d3) MAIL before TLS, then after TLS+EHLO: RCPT (transaction reset?)."""
    ehlo(s)
    s.send(b"MAIL FROM:<smtpeer@example.org>\r\n")
    s.reply()
    s.send(b"STARTTLS\r\n")
    s.reply()
    if s.starttls():
        s.send(b"EHLO post.invalid\r\n")
        s.reply()
        s.send(b"RCPT TO:<postmaster>\r\n")
        s.reply()


def probe_e(s: Session) -> None:
    """(e) odd EHLO arguments, one connection each is not needed: RSET between."""
    s.reply()
    for arg in (b"EHLO\r\n", b"EHLO " + b"a" * 600 + b"\r\n", b"EHLO [192.0.2.1]\r\n",
                b"EHLO [IPv6:::1]\r\n", b"EHLO [999.1.1.1]\r\n", b"EHLO  \x00 x\r\n",
                "EHLO üñí.example\r\n".encode(), b"EHLO smtpeer.invalid\n"):
        if s.closed:
            return
        s.send(arg)
        s.read(idle=1.5, total=6)
        if not s.closed:
            s.send(b"NOOP\r\n")
            s.reply()


def probe_f(s: Session) -> None:
    """(f) plaintext RSET right after the 220 to STARTTLS."""
    ehlo(s)
    s.send(b"STARTTLS\r\n")
    s.reply()
    s.send(b"RSET\r\n")
    t0 = time.monotonic()
    s.read(idle=30, total=30)
    print(f"   after {time.monotonic() - t0:.1f} s")


def probe_f2(s: Session) -> None:
    """(f2) silence after the 220 to STARTTLS: when does the server close?"""
    ehlo(s)
    s.send(b"STARTTLS\r\n")
    s.reply()
    t0 = time.monotonic()
    s.read(idle=400, total=400)
    print(f"   after {time.monotonic() - t0:.1f} s")


def probe_g(s: Session) -> None:
    """(g) does the EHLO reply echo the argument? (pre/post TLS names)"""
    ehlo(s, "pre.invalid")
    s.send(b"STARTTLS\r\n")
    s.reply()
    if s.starttls():
        s.send(b"EHLO post.invalid\r\n")
        s.reply()


def probe_h(s: Session) -> None:
    """(h) commands before TLS (what a TLS-required listener answers)."""
    ehlo(s)
    for cmd in (b"MAIL FROM:<smtpeer@example.org>", b"RCPT TO:<postmaster>", b"DATA", b"HELP",
                b"VRFY postmaster", b"NOOP", b"AUTH PLAIN AHNtdHBlZXIAc210cGVlcg==", b"RSET"):
        if s.closed:
            return
        s.send(cmd + b"\r\n")
        s.reply()


def probe_i(s: Session) -> None:
    """(i) legal pipelining EHLO+STARTTLS, and the post-TLS EHLO (AUTH?)."""
    s.reply()
    s.send(b"EHLO smtpeer.invalid\r\nSTARTTLS\r\n")
    s.reply()
    s.reply()
    if s.starttls():
        s.send(b"EHLO smtpeer.invalid\r\n")
        s.reply()


def probe_j(s: Session) -> None:
    """(j) STARTTLS + first TLS bytes in one write is not possible with ssl; NUL/no-CRLF variants."""
    ehlo(s)
    s.send(b"STARTTLS\r\nRSET")
    s.reply()
    if s.starttls():
        s.read(idle=1.5, total=1.5)
        s.send(b"NOOP\r\n")
        s.reply()


def probe_k(s: Session) -> None:
    """(k) STARTTLS where not advertised: after TLS (not advertised) is (c); here before EHLO."""
    s.reply()
    s.send(b"STARTTLS\r\n")
    s.reply()


PROBES = {n[len("probe_"):]: f for n, f in globals().items() if n.startswith("probe_")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", help="CA file: verify the certificate and the name " + SNI)
    ap.add_argument("--sniff", action="store_true", help="also show the server's TCP segments (AF_PACKET on lo)")
    ap.add_argument("probes", nargs="*", help=f"probes to run (default all but f2): {' '.join(PROBES)}")
    a = ap.parse_args()
    names = a.probes or [n for n in PROBES if n != "f2"]
    for n in names:
        print(f"=== {n}: {PROBES[n].__doc__}")
        sniffer = Sniffer(a.port) if a.sniff else None
        s = Session(a.port, a.ca)
        if sniffer:
            sniffer.client_port = s.raw.getsockname()[1]
        try:
            PROBES[n](s)
            if not s.closed:
                s.send(b"QUIT\r\n")
                s.read(idle=1.0, total=3.0)
        finally:
            s.close()
            if sniffer:
                sniffer.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
