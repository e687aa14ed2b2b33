#!/usr/bin/env python3
"""run_matrix.py: run every (client config, fake behaviour) pair of FACTS.md.

    /usr/bin/python3 tests/integration/clients/run_matrix.py --certs DIR --work DIR \
        [--only-client SUBSTR] [--only-behaviour SUBSTR]

DIR for --certs comes from `smtpeer certs --out DIR --name localhost`. For each
pair it starts fake_server.py (up to 3 connections, so reconnects show), runs
the client under `timeout 20`, stops the server by its PID, and writes
WORK/<behaviour>/<client>/{cmd.txt,stdout,stderr,server.log} plus
WORK/results.json and a markdown table on stdout. It only observes: the
verdicts in FACTS.md were written by reading these files.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
TO, FROM = "b@example.test", "a@example.test"

BEHAVIOURS = {  # name -> fake_server.py flags; {c} = certs dir
    "baseline": ["--cert", "{c}/good.pem", "--key", "{c}/good.key"],
    "C1-strip": ["--strip-starttls"],
    "C2-454": ["--starttls-reply", "454 4.7.0 TLS not available"],
    "C3-ehlo500": ["--ehlo-500", "--cert", "{c}/good.pem", "--key", "{c}/good.key"],
    "C4-inject": ["--inject-after-220", "--cert", "{c}/good.pem", "--key", "{c}/good.key"],
    "C8-wrongname": ["--cert", "{c}/wrong-name.pem", "--key", "{c}/wrong-name.key"],
    "C8-expired": ["--cert", "{c}/expired.pem", "--key", "{c}/expired.key"],
    "C8-notyet": ["--cert", "{c}/not-yet-valid.pem", "--key", "{c}/not-yet-valid.key"],
    "C8-selfsigned": ["--cert", "{c}/self-signed.pem", "--key", "{c}/self-signed.key"],
    "C11-close": ["--close-after-220", "--cert", "{c}/good.pem", "--key", "{c}/good.key"],
    "C11-halfclose": ["--half-close-after-220", "--cert", "{c}/good.pem", "--key", "{c}/good.key"],
    "C11-alert": ["--alert-after-220", "--cert", "{c}/good.pem", "--key", "{c}/good.key"],
}

SWAKS = ["swaks", "--server", "localhost", "--port", "{p}", "--from", FROM, "--to", TO,
         "--auth-optional", "--auth-user", "u", "--auth-password", "p", "--body", "hello"]
CURL = ["curl", "-v", "smtp://localhost:{p}", "--mail-from", FROM, "--mail-rcpt", TO,
        "-T", "{w}/msg.txt", "--user", "u:p"]
# With --host msmtp reads no configuration file, so every setting is an option.
MSMTP = ["msmtp", "--host=localhost", "--port={p}", "--from=" + FROM, "--auth=on", "--user=u",
         "--passwordeval=echo p", "-d"]
PYC = [PY, HERE + "/smtplib_client.py", "--port", "{p}"]

CLIENTS = {  # name -> (argv, stdin file or None)
    "curl --ssl-reqd --cacert CA": (CURL + ["--ssl-reqd", "--cacert", "{c}/ca.pem"], None),
    "curl --ssl-reqd (system CAs)": (CURL + ["--ssl-reqd"], None),
    "curl --ssl --cacert CA": (CURL + ["--ssl", "--cacert", "{c}/ca.pem"], None),
    "curl --ssl -k": (CURL + ["--ssl", "-k"], None),
    "swaks --tls": (SWAKS + ["--tls"], None),
    "swaks --tls --tls-verify --tls-ca-path CA": (SWAKS + ["--tls", "--tls-verify", "--tls-ca-path", "{c}/ca.pem"], None),
    "swaks --tls-optional": (SWAKS + ["--tls-optional"], None),
    "swaks --tls-optional-strict": (SWAKS + ["--tls-optional-strict"], None),
    "swaks --tls-optional --tls-verify --tls-ca-path CA": (
        SWAKS + ["--tls-optional", "--tls-verify", "--tls-ca-path", "{c}/ca.pem"], None),
    # msmtp has no "STARTTLS if offered": TLS is on (required) or off.
    "msmtp tls on, trust_file CA": (
        MSMTP + ["--tls=on", "--tls-starttls=on", "--tls-trust-file={c}/ca.pem", TO], "{w}/msg.txt"),
    "msmtp tls on, certcheck off": (
        MSMTP + ["--tls=on", "--tls-starttls=on", "--tls-certcheck=off", TO], "{w}/msg.txt"),
    "msmtp tls off": (MSMTP + ["--tls=off", TO], "{w}/msg.txt"),
    "msmtp tls off, auth off": (MSMTP + ["--tls=off", "--auth=off", TO], "{w}/msg.txt"),
    "smtplib required, verify CA": (PYC + ["--mode", "required", "--ca", "{c}/ca.pem"], None),
    "smtplib required, unverified": (PYC + ["--mode", "required", "--ca", "none"], None),
    "smtplib opportunistic, verify CA": (PYC + ["--mode", "opportunistic", "--ca", "{c}/ca.pem"], None),
    "smtplib opportunistic, unverified": (PYC + ["--mode", "opportunistic", "--ca", "none"], None),
}

def slug(name):
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")


def analyse(log):
    """analyse: facts from a fake_server.py log."""
    f = {"conns": 0, "plain": [], "tls": [], "tls_ok": False, "tls_fail": "", "early": "", "ends": []}
    in_data = in_auth = False
    for line in log.splitlines():
        m = re.match(r"\+\S+ (plain|tls) ([CS]): ?(.*)$", line)
        if m:
            layer, who, text = m.groups()
            if who == "S":
                in_data = in_data or text.startswith("354")
                in_auth = text.startswith("334")
            if who == "C":
                if in_auth:
                    in_auth = False
                    continue  # an AUTH continuation (base64), not a command
                if in_data:
                    if text == ".":
                        in_data = False
                        f[layer].append("<data>")
                    continue
                f[layer].append(text)
            continue
        ev = line.split("-- ", 1)[-1]
        if ev.startswith("connect #"):
            f["conns"] += 1
            if f["conns"] > 1:
                f["plain"].append("<reconnect>")
        elif ev.startswith("tls ok"):
            f["tls_ok"] = True
            f["tls"].append("<tls: %s>" % ev[7:])
        elif ev.startswith("lingering"):
            f["plain"].append("<tls failed>")
        elif ev.startswith("client sent") and "bytes:" in ev:
            f["plain"].append("<%s>" % ev)
        elif ev.startswith("tls handshake failed"):
            f["tls_fail"] = ev.split(": ", 1)[-1]
        elif ev.startswith("client sent") and "after STARTTLS" in ev:
            f["early"] = ev
        elif ev.startswith("end:"):
            f["ends"].append(ev[5:])

    def has(layer, prefix):
        return any(c.upper().startswith(prefix) for c in f[layer])

    f["plain_auth"] = has("plain", "AUTH")
    f["plain_mail"] = has("plain", "MAIL")
    f["plain_data"] = has("plain", "DATA")
    f["plain_helo"] = has("plain", "HELO")
    f["tls_auth"] = has("tls", "AUTH")
    f["tls_mail"] = has("tls", "MAIL")
    return f


def short(cmds):
    out = []
    for c in cmds:
        w = c.split(" ")[0].upper() if not c.startswith("<") else c
        if c.upper().startswith(("MAIL", "RCPT")):
            w = c.split(":")[0].upper()
        if c.upper().startswith("AUTH"):
            w = " ".join(c.split(" ")[:2])
        out.append(w)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--certs", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--only-client", default="")
    ap.add_argument("--only-behaviour", default="")
    a = ap.parse_args()
    certs, work = os.path.abspath(a.certs), os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    with open(work + "/msg.txt", "wb") as f:
        f.write(b"Subject: t\r\n\r\nhello\r\n")
    results = []
    for bname, bflags in BEHAVIOURS.items():
        if a.only_behaviour not in bname:
            continue
        for cname, (argv, stdin) in CLIENTS.items():
            if a.only_client not in cname:
                continue
            d = "%s/%s/%s" % (work, bname, slug(cname))
            os.makedirs(d, exist_ok=True)
            for f in ("port", "server.log"):
                if os.path.exists(d + "/" + f):
                    os.unlink(d + "/" + f)
            sargv = [PY, HERE + "/fake_server.py", "--port-file", d + "/port", "--log", d + "/server.log",
                     "--timeout", "40", "--idle", "10", "--max-connections", "3",
                     "--linger-after-tls-failure"]
            sargv += [x.replace("{c}", certs) for x in bflags]
            srv = subprocess.Popen(sargv)
            for _ in range(100):
                if os.path.exists(d + "/port"):
                    break
                time.sleep(0.05)
            port = open(d + "/port").read().strip()
            sub = lambda x: x.replace("{p}", port).replace("{c}", certs).replace("{w}", work)
            cargv = ["timeout", "20"] + [sub(x) for x in argv]
            stdin_path = sub(stdin) if stdin else None
            cmd = " ".join(shlex.quote(x) for x in cargv) + (" < " + stdin_path if stdin_path else "")
            with open(d + "/cmd.txt", "w") as f:
                f.write(" ".join(shlex.quote(x) for x in sargv) + " &\n" + cmd + "\n")
            t = time.monotonic()
            with open(d + "/stdout", "wb") as o, open(d + "/stderr", "wb") as e:
                rc = subprocess.call(cargv, stdout=o, stderr=e,
                                     stdin=open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL)
            el = time.monotonic() - t
            time.sleep(0.3)
            if srv.poll() is None:
                srv.terminate()  # by PID: only the server this loop started
                try:
                    srv.wait(5)
                except subprocess.TimeoutExpired:
                    srv.kill()
                    srv.wait()
            fa = analyse(open(d + "/server.log").read())
            r = {"behaviour": bname, "client": cname, "rc": rc, "secs": round(el, 1), "dir": d, **fa}
            results.append(r)
            print("%-14s %-52s rc=%-3d %5.1fs plain=%s tls=%s %s" % (
                bname, cname, rc, el, ",".join(short(fa["plain"])), ",".join(short(fa["tls"])),
                fa["tls_fail"]), flush=True)
    with open(work + "/results.json", "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
