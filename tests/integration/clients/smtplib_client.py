#!/usr/bin/env python3
"""smtplib_client.py: the Python smtplib client used in FACTS.md.

smtplib has no TLS policy of its own; this script is the policy. --mode
required calls starttls() unconditionally (smtplib raises when STARTTLS is not
advertised or not answered 220); --mode opportunistic calls it only when
has_extn('starttls'). --ca FILE verifies with ssl.create_default_context(cafile=FILE)
(chain + host name "localhost"); --ca none uses ssl._create_unverified_context().
AUTH (user u, password p) is sent whenever the current EHLO list has AUTH.
--msg FILE sends that file as the message (default: a 3-line message).
Exit 0 when the mail was accepted, 1 on any exception (its type and text are
printed last on stderr).
"""
import argparse
import smtplib
import ssl
import sys

p = argparse.ArgumentParser()
p.add_argument("--host", default="localhost")
p.add_argument("--port", type=int, required=True)
p.add_argument("--mode", choices=["required", "opportunistic"], required=True)
p.add_argument("--ca", required=True, help="CA file, or 'none' for no verification")
p.add_argument("--msg", help="message file (default: a 3-line message)")
a = p.parse_args()

message = open(a.msg, "rb").read() if a.msg else b"Subject: t\r\n\r\nhello\r\n"
ctx = ssl._create_unverified_context() if a.ca == "none" else ssl.create_default_context(cafile=a.ca)
try:
    s = smtplib.SMTP(a.host, a.port)  # no timeout: smtplib's default (blocking)
    s.set_debuglevel(1)
    s.ehlo_or_helo_if_needed()
    if a.mode == "required" or s.has_extn("starttls"):
        s.starttls(context=ctx)
        s.ehlo_or_helo_if_needed()
    if s.has_extn("auth"):
        s.login("u", "p")
    s.sendmail("a@example.test", ["b@example.test"], message)
    s.quit()
except Exception as e:  # report, whatever it is
    print("EXCEPTION %s: %s" % (type(e).__name__, e), file=sys.stderr)
    sys.exit(1)
