#!/usr/bin/env python3
"""fake_server.py: a one-connection scripted SMTP server for hand-testing SMTP clients.

It plays the misbehaving server of rows C1-C4, C8, C10 and C11 of
/work/shared/SCENARIOS.md so that the reaction of real clients (curl, swaks,
msmtp, Python smtplib) can be recorded before smtpeer's engine exists. Only
the standard library is used; it listens on 127.0.0.1 only, serves one
connection (see --max-connections) and always exits within --timeout seconds.

With --max-connections N it serves up to N connections in turn, so that a
client that reconnects (a plaintext retry after a failed TLS) is logged too.

The log (--log) has one line per event, each prefixed with the seconds since
start and the layer the bytes travelled on ("plain" or "tls"):
    +0.012 plain C: EHLO localhost          a line the client sent
    +0.012 plain S: 250-fake.test           a line this server sent
    +0.030 -- tls ok TLSv1.3 ...            an event (connect, handshake, eof)
Client lines are escaped (\\r, \\n, \\xNN); a line that ended in a bare LF
gets " [bare LF]", one cut by EOF " [no EOL]".

Exit status: 0 after a session (whatever the client did), 2 on usage errors,
3 when no client connected before --timeout.
"""

import argparse
import base64
import os
import select
import socket
import ssl
import sys
import time
import warnings

# TLS 1.0/1.1 are deprecated in ssl; offering them is the point of --tls-max.
warnings.filterwarnings("ignore", category=DeprecationWarning)

TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}

# The C4 bytes: the 220 plus a forged EHLO reply, sent in one write so that a
# client that buffers past the 220 holds them when TLS starts.
INJECTED = b"220 Ready\r\n250-x\r\n250 AUTH LOGIN\r\n"

# A fatal handshake_failure alert (TLS 1.0 record header) for --alert-after-220.
FATAL_ALERT = b"\x15\x03\x01\x00\x02\x02\x28"


class Closed(Exception):
    """Closed: the client closed, the link timed out or TLS failed; ends the session."""


class Session:
    """Session: one client connection, with its log, layer and deadline."""

    def __init__(self, args, sock, log, t0):
        self.args = args
        self.sock = sock  # plain socket, later the SSLSocket
        self.log_file = log
        self.t0 = t0
        self.layer = "plain"
        self.buf = b""  # only used inside TLS; plaintext is read byte by byte
        self.deadline = t0 + args.timeout
        self.sni = None

    # -- logging -------------------------------------------------------------
    def log(self, text):
        self.log_file.write("+%.3f %s\n" % (time.monotonic() - self.t0, text))
        self.log_file.flush()

    def event(self, text):
        self.log("-- " + text)

    # -- I/O -----------------------------------------------------------------
    def _wait(self):
        left = min(self.deadline - time.monotonic(), self.args.idle)
        if left <= 0:
            raise Closed("overall timeout (%gs)" % self.args.timeout)
        self.sock.settimeout(left)

    def send(self, data, lines=True):
        """send: one write of DATA (one segment with TCP_NODELAY); logs each line."""
        if lines:
            for line in data.split(b"\r\n"):
                if line:
                    self.log("%s S: %s" % (self.layer, escape(line)))
        else:
            self.log("%s S: <%d raw bytes>" % (self.layer, len(data)))
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Closed("send failed: %s" % e)

    def reply(self, *lines):
        out = b""
        for i, line in enumerate(lines):
            code, text = line[:3], line[4:]
            sep = "-" if i < len(lines) - 1 else " "
            out += ("%s%s%s\r\n" % (code, sep, text)).encode()
        self.send(out)

    def _recv(self, n):
        self._wait()
        try:
            data = self.sock.recv(n)
        except socket.timeout:
            raise Closed("idle timeout (%gs) waiting for the client" % self.args.idle)
        except ssl.SSLError as e:
            raise Closed("tls read error: %s" % e)
        except OSError as e:
            raise Closed("read error: %s" % e)
        if not data:
            raise Closed("client closed the connection (EOF)")
        return data

    def readline(self):
        """readline: one client line, logged. Plaintext is read one byte at a time
        so that nothing the client sends after STARTTLS is swallowed here."""
        line = b""
        try:
            while not line.endswith(b"\n"):
                if self.layer == "plain":
                    line += self._recv(1)
                else:
                    if not self.buf:
                        self.buf = self._recv(4096)
                    i = self.buf.find(b"\n")
                    if i < 0:
                        line += self.buf
                        self.buf = b""
                    else:
                        line += self.buf[: i + 1]
                        self.buf = self.buf[i + 1 :]
                if len(line) > 100000:
                    break
        except Closed:
            if line:
                self.log("%s C: %s [no EOL]" % (self.layer, escape(line)))
            raise
        if line.endswith(b"\r\n"):
            body, mark = line[:-2], ""
        elif line.endswith(b"\n"):
            body, mark = line[:-1], " [bare LF]"
        else:
            body, mark = line, " [no EOL]"
        self.log("%s C: %s%s" % (self.layer, escape(body), mark))
        return body.decode("latin-1")

    def pending_plain(self):
        """pending_plain: bytes the client sent after STARTTLS without waiting for 220."""
        r, _, _ = select.select([self.sock], [], [], 0.2)
        if not r:
            return b""
        try:
            return self.sock.recv(65536, socket.MSG_PEEK)
        except OSError:
            return b""

    # -- TLS -----------------------------------------------------------------
    def context(self):
        a = self.args
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if a.tls_min or a.tls_max or a.seclevel0:
            # Old versions need OpenSSL security level 0 and the legacy suites.
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        if a.tls_min:
            ctx.minimum_version = TLS_VERSIONS[a.tls_min]
        if a.tls_max:
            ctx.maximum_version = TLS_VERSIONS[a.tls_max]
        if a.ciphers:
            ctx.set_ciphers(a.ciphers)
        ctx.load_cert_chain(a.cert, a.key)

        def on_sni(sslobj, name, c):
            self.sni = name

        ctx.sni_callback = on_sni
        return ctx

    def start_tls(self):
        if not self.args.cert:
            raise Closed("STARTTLS accepted but no --cert given")
        wait = max(0.1, min(self.deadline - time.monotonic(), self.args.idle))
        # Evidence for C4/C12: do the client's next bytes start a TLS record
        # (16 03 xx), or does it close (or write plaintext) instead?
        r, _, _ = select.select([self.sock], [], [], wait)
        try:
            first = self.sock.recv(16, socket.MSG_PEEK) if r else None
        except OSError:
            first = b""
        if first is None:
            self.event("client sent nothing within %gs after the 220" % wait)
        elif not first:
            self.event("client closed without sending a TLS byte")
        else:
            self.event("client's first bytes after the 220: %s%s" % (
                escape(first[:16]), " (a TLS handshake record)" if first[:1] == b"\x16" else ""))
        self.sock.settimeout(wait)
        tls = self.context().wrap_socket(self.sock, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError) as e:
            self.event("tls handshake failed: %s" % e)
            self.after_tls_failure(tls)
            return
        self.sock = tls
        self.layer = "tls"
        self.event("tls ok %s %s sni=%s" % (tls.version(), tls.cipher()[0], self.sni))

    def after_tls_failure(self, tls):
        """after_tls_failure: close, or (--linger-after-tls-failure) keep the TCP
        connection and go on as a plaintext server, to see whether the client
        continues in plaintext on the same connection."""
        if not self.args.linger_after_tls_failure:
            raise Closed("tls handshake failed")
        try:
            self.sock = socket.socket(fileno=os.dup(tls.fileno()))
        except OSError:
            raise Closed("tls handshake failed (socket gone)")
        tls.close()
        self.layer = "plain"
        self.event("lingering in plaintext after the failed handshake")

    def read_record(self):
        """read_record: one whole TLS record from the plaintext socket."""
        head = b""
        while len(head) < 5:
            head += self._recv(5 - len(head))
        body, n = b"", int.from_bytes(head[3:5], "big")
        while len(body) < n and head[:1] in (b"\x15", b"\x16", b"\x17"):
            body += self._recv(n - len(body))
        return head + body

    # -- SMTP ----------------------------------------------------------------
    def ehlo_lines(self):
        a = self.args
        lines = ["250 fake.test greets you"]
        if self.layer == "tls":
            lines += ["250 PIPELINING", "250 8BITMIME", "250 AUTH PLAIN LOGIN"]
            if a.starttls_after_tls:
                lines.append("250 STARTTLS")
        else:
            lines += ["250 PIPELINING", "250 8BITMIME"]
            if a.pre_tls_auth:
                lines.append("250 AUTH PLAIN LOGIN")
            if not a.strip_starttls:
                lines.append("250 STARTTLS")
        return lines

    def on_starttls(self):
        a = self.args
        if self.layer == "tls":
            self.reply("503 5.5.1 TLS already active")
            return
        if a.strip_starttls:
            self.reply("502 5.5.1 STARTTLS not supported")
            return
        early = self.pending_plain()
        if early:
            self.event("client sent %d bytes after STARTTLS before our reply: %s"
                       % (len(early), escape(early[:80])))
        if a.starttls_reply:
            self.send(a.starttls_reply.encode() + b"\r\n")
            return
        if a.inject_after_220:
            self.send(INJECTED)  # one write: one segment
            self.start_tls()
            self.event("silent mode: logging what the client sends, answering nothing")
            while True:
                self.readline()
        self.reply("220 2.0.0 Ready to start TLS")
        if a.close_after_220:
            self.event("closing right after the 220 (C11)")
            raise Closed("closed by us after 220")
        if a.half_close_after_220:
            # The client reads EOF, but whatever it still writes is logged.
            self.sock.shutdown(socket.SHUT_WR)
            self.event("half-closed (SHUT_WR) right after the 220; logging what follows")
            while True:
                rec = self.read_record()
                self.event("client sent %d bytes: %s" % (len(rec), escape(rec[:24])))
        if a.alert_after_220:
            hello = self.read_record()
            self.event("client sent %d bytes (%s...) after 220; answering a fatal alert"
                       % (len(hello), escape(hello[:5])))
            self.send(FATAL_ALERT, lines=False)
            if not a.linger_after_tls_failure:
                raise Closed("closed by us after the alert")
            self.event("lingering in plaintext after the alert")
            return
        self.start_tls()

    def on_auth(self, arg):
        parts = arg.split()
        mech = parts[0].upper() if parts else ""
        if mech == "PLAIN":
            if len(parts) < 2:
                self.reply("334 ")
                self.readline()
            self.reply("235 2.7.0 Authentication successful")
        elif mech == "LOGIN":
            if len(parts) < 2:
                self.reply("334 " + base64.b64encode(b"Username:").decode())
                self.readline()
            self.reply("334 " + base64.b64encode(b"Password:").decode())
            self.readline()
            self.reply("235 2.7.0 Authentication successful")
        else:
            self.reply("504 5.5.4 mechanism not supported")

    def on_data(self):
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        while self.readline() != ".":
            pass
        self.reply("250 2.0.0 Ok: queued")

    def run(self):
        a = self.args
        self.send(a.greeting.encode() + b"\r\n")
        while True:
            line = self.readline()
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "LHLO"):
                if a.ehlo_500:
                    self.reply("500 5.5.1 Command unrecognized")
                else:
                    self.reply(*self.ehlo_lines())
            elif verb == "HELO":
                self.reply("250 fake.test")
            elif verb == "STARTTLS":
                self.on_starttls()
            elif verb == "AUTH":
                self.on_auth(arg)
            elif verb == "DATA":
                self.on_data()
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                raise Closed("QUIT answered")
            else:
                self.reply("500 5.5.2 Command unrecognized")


def escape(data):
    out = []
    for b in data:
        if b == 0x0D:
            out.append("\\r")
        elif b == 0x0A:
            out.append("\\n")
        elif b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


def parse_args(argv):
    p = argparse.ArgumentParser(description="one-connection fake SMTP server for client hand tests")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--port-file", help="write the bound port here (atomically) once listening")
    p.add_argument("--log", default="-", help="session log file ('-' = stdout)")
    p.add_argument("--timeout", type=float, default=30.0, help="overall bound in seconds, accept included")
    p.add_argument("--idle", type=float, default=10.0, help="seconds to wait for each client read")
    p.add_argument("--max-connections", type=int, default=1,
                   help="serve up to N connections one after another (to see reconnects/retries)")
    p.add_argument("--greeting", default="220 fake.test ESMTP smtpeer-fake", help="first line sent")
    p.add_argument("--cert", help="PEM certificate for STARTTLS")
    p.add_argument("--key", help="PEM private key for STARTTLS")
    p.add_argument("--tls-min", choices=sorted(TLS_VERSIONS), help="lowest TLS version offered")
    p.add_argument("--tls-max", choices=sorted(TLS_VERSIONS), help="highest TLS version offered (C10)")
    p.add_argument("--ciphers", help="OpenSSL cipher string for TLS <= 1.2")
    p.add_argument("--seclevel0", action="store_true", help="OpenSSL security level 0 (weak keys)")
    p.add_argument("--pre-tls-auth", action=argparse.BooleanOptionalAction, default=True,
                   help="advertise AUTH PLAIN LOGIN before TLS (default on; off with --inject-after-220)")
    p.add_argument("--linger-after-tls-failure", action="store_true",
                   help="after a failed handshake or our alert, keep the connection and serve plaintext")
    p.add_argument("--starttls-after-tls", action="store_true", help="advertise STARTTLS again after TLS (C7)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--strip-starttls", action="store_true", help="C1: no STARTTLS in the EHLO reply (STARTTLS -> 502)")
    g.add_argument("--starttls-reply", metavar="LINE", help="C2: answer STARTTLS with LINE, stay in plaintext")
    g.add_argument("--ehlo-500", action="store_true", help="C3: answer EHLO with 500 (HELO gets 250)")
    g.add_argument("--inject-after-220", action="store_true",
                   help="C4: 220 + forged EHLO reply in one write, TLS, then answer nothing")
    g.add_argument("--close-after-220", action="store_true", help="C11: close right after the 220 to STARTTLS")
    g.add_argument("--half-close-after-220", action="store_true",
                   help="C11: shutdown(SHUT_WR) after the 220, then log what the client still sends")
    g.add_argument("--alert-after-220", action="store_true",
                   help="C11: answer the ClientHello with a fatal handshake_failure alert")
    a = p.parse_args(argv)
    if bool(a.cert) != bool(a.key):
        p.error("--cert and --key go together")
    if a.inject_after_220 and "--pre-tls-auth" not in argv:
        a.pre_tls_auth = False  # so that an AUTH LOGIN can only come from the injected line
    if a.inject_after_220 and not a.cert:
        p.error("--inject-after-220 needs --cert/--key")
    return a


def main(argv):
    args = parse_args(argv)
    t0 = time.monotonic()
    log = sys.stdout if args.log == "-" else open(args.log, "w", encoding="utf-8")
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(1)
    port = srv.getsockname()[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    s = Session(args, None, log, t0)
    s.event("listening on 127.0.0.1:%d pid %d" % (port, os.getpid()))
    served = 0
    try:
        while served < args.max_connections:
            left = t0 + args.timeout - time.monotonic()
            if left <= 0:
                break
            srv.settimeout(left)
            try:
                conn, peer = srv.accept()
            except socket.timeout:
                break
            served += 1
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s = Session(args, conn, log, t0)
            s.event("connect #%d from %s:%d" % (served, peer[0], peer[1]))
            try:
                s.run()
            except Closed as e:
                s.event("end: %s" % e)
            finally:
                try:
                    s.sock.close()
                except OSError:
                    pass
    finally:
        srv.close()
    if served == 0:
        s.event("no client within %gs" % args.timeout)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
