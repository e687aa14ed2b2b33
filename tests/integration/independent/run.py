#!/usr/bin/env python3
"""run: smtpeer against an independent misbehaving SMTP server.

For every line NAME|PROFILE|SERVER-ARGS of peers.txt, start
misbehaving_server.py on a free 127.0.0.1 port, run the whole suite with
that profile, stop the server by its PID, and compare the failing scenarios
with expected.py: every expected row must fail (no false negative) and no
other scenario may fail (no false positive); "x?" may fail, "*" means some
failure suffices. Conformant variants (empty expectation) must pass.

  run.py --smtpeer PATH [--only NAME ...] [--jobs N] [--work DIR]
"""
import argparse
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE))
from expected import E, NOTED, PLAIN_ERR  # noqa: E402


def short(scenario_id: str) -> str:
    return scenario_id.replace("rfc3207-", "").replace("smtp-s19-", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cert(d: Path) -> tuple[str, str]:
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                    "/CN=mx.test", "-days", "2", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


def judge(name: str, fails: list[str]) -> str:
    """judge: "" when the failing scenarios are as expected, else what is wrong."""
    exp = E.get(name)
    if exp is None:
        return "no expectation in expected.py"
    if exp == ["*"]:
        return "" if fails else "FALSE NEGATIVE: nothing failed"
    must = [e for e in exp if not e.endswith("?")]
    may = [e.rstrip("?") for e in exp if e.endswith("?")]
    missed = [m for m in must if not any(f.startswith(m) for f in fails)]
    extra = [f for f in fails if not any(f.startswith(m) for m in must + may)]
    out = []
    if missed:
        out.append("FALSE NEGATIVE: " + ",".join(missed) + " did not fail")
    if extra:
        out.append("FALSE POSITIVE / unrelated: " + ",".join(extra) + " failed")
    return "; ".join(out)


def run_one(smtpeer: str, line: str, work: Path, cert: str, key: str) -> tuple[str, str, str]:
    name, profile, args = line.split("|", 2)
    out = work / name
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(HERE / "misbehaving_server.py"), "--port", str(port), "--lifetime",
         "600", "--cert", cert, "--key", key, "--log", str(out / "server.log"), *args.split()],
        stdout=subprocess.DEVNULL, stderr=open(out / "server.err", "w"))
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # wait until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        # The RFC 3207 / RFC 5321 rows: this server exercises those. The TLS
        # inventory rows (tag tls) are checked against real servers and the
        # built-in peers; its self-signed certificate would only add noise there.
        r = subprocess.run([smtpeer, "run", "--target", f"127.0.0.1:{port}", "--profile", profile,
                            "--tag", "rfc3207", "--tag", "smtp",
                            "--scenarios", str(REPO / "scenarios"), "--json", str(out / "r.json"),
                            "--out", str(out), "--quiet", "--no-color"],
                           capture_output=True, text=True, timeout=500)
        (out / "smtpeer.txt").write_text(r.stdout + r.stderr)
        data = json.loads((out / "r.json").read_text())
    except (subprocess.TimeoutExpired, OSError, ValueError) as e:
        return name, "", f"smtpeer did not produce a report: {e}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    fails = [short(s["id"]) for s in data["scenarios"] if s["verdict"] == "fail"]
    errors = [short(s["id"]) for s in data["scenarios"] if s["verdict"] == "error"]
    problem = judge(name, fails)
    noted = {short(s["id"]) for s in data["scenarios"]
             if s["verdict"] == "pass" and any(PLAIN_ERR in n for n in s["notes"])}
    unnoted = [m for m in NOTED.get(name, []) if not m.endswith("?")
               and not any(n.startswith(m) for n in noted)]
    if unnoted:
        problem = (problem + "; " if problem else "") + \
            f"no pass with a note '{PLAIN_ERR}' for " + ",".join(unnoted)
    if errors:
        problem = (problem + "; " if problem else "") + "error verdicts: " + ",".join(errors)
    expected_rc = 1 if fails else 0
    if r.returncode != expected_rc and not errors:
        problem = (problem + "; " if problem else "") + f"exit {r.returncode}, expected {expected_rc}"
    return name, ",".join(fails) or "-", problem


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smtpeer", required=True)
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=8, help="servers at once (each run mostly waits on timeouts)")
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    lines = [l.strip() for l in (HERE / "peers.txt").read_text().splitlines() if l.strip()]
    if a.only:
        lines = [l for l in lines if l.split("|")[0] in a.only]
    work = Path(a.work or tempfile.mkdtemp(prefix="smtpeer-independent-"))
    work.mkdir(parents=True, exist_ok=True)
    cert, key = make_cert(work)
    smtpeer = os.path.abspath(a.smtpeer)
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futures = [pool.submit(run_one, smtpeer, l, work, cert, key) for l in lines]
        for f in concurrent.futures.as_completed(futures):
            name, fails, problem = f.result()
            bad += 1 if problem else 0
            print(f"{'OK ' if not problem else 'BAD'} {name:34} fails={fails} {problem}", flush=True)
    print(f"{len(lines) - bad} passed, {bad} failed")
    print(f"reports, transcripts and server logs: {work}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
