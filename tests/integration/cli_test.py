#!/usr/bin/env python3
"""cli_test: smtpeer's command-line contract, checked from the outside.

Exit codes, error messages for malformed scenarios (file:line:col) and bad
flags, unreachable targets, hostile peers (silent, endless line, garbage),
an interrupted run that still writes its report, and the JSON / JUnit
outputs read back by standard parsers. Every server here listens on
127.0.0.1 and is stopped by the test.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xml.etree.ElementTree as ET

SMTPEER = None


def run(*args, timeout=300, **kw):
    return subprocess.run([SMTPEER, *args], capture_output=True, text=True, timeout=timeout, **kw)


class HostilePeer:
    """A TCP server on 127.0.0.1 that plays one hostile behaviour per connection."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.conns = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(conn)
            threading.Thread(target=self.play, args=(conn,), daemon=True).start()

    def play(self, conn):
        conn.settimeout(0.2)
        deadline = time.time() + 60  # bounded: no connection lives longer
        try:
            if self.behaviour == "silent":
                pass
            elif self.behaviour == "endless-line":
                conn.sendall(b"220 ")
                sent = 0
                while not self.stop.is_set() and sent < (8 << 20) and time.time() < deadline:
                    conn.sendall(b"x" * 65536)
                    sent += 65536
            elif self.behaviour == "garbage":
                conn.sendall(bytes(range(256)) * 4)
            elif self.behaviour == "many-lines":
                conn.sendall(b"220-x\r\n" * 100000 + b"220 x\r\n")
            while not self.stop.is_set() and time.time() < deadline:
                try:
                    if conn.recv(4096) == b"":
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


class CliContract(unittest.TestCase):
    def test_version(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertIn("smtpeer", r.stdout)

    def test_help_on_each_command(self):
        for cmd in ([], ["run"], ["list"], ["explain"]):
            r = run(*cmd, "--help")
            self.assertEqual(r.returncode, 0, cmd)
            self.assertIn("Usage", r.stdout + r.stderr)

    def test_unknown_flag_is_usage_error(self):
        r = run("run", "--no-such-flag")
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_bad_target_is_usage_error(self):
        for target in ("nocolon", "host:0", "host:70000", "[::1"):
            r = run("run", "--target", target)
            self.assertEqual(r.returncode, 2, (target, r.stderr))
            self.assertIn("HOST:PORT", r.stderr)

    def test_unknown_profile_is_usage_error(self):
        r = run("run", "--target", "127.0.0.1:1", "--profile", "no-such-profile")
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_unreachable_target_is_exit_3(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        r = run("run", "--target", f"127.0.0.1:{port}", "--quiet")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("cannot connect", r.stderr)

    def test_malformed_scenario_names_file_line_col(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.toml")
            with open(path, "w") as f:
                f.write('id = "bad"\ntitle = "t"\ncatalogue = ["S1"]\nclause = "RFC 3207 §4"\n'
                        'requirement = "r"\n\n[[step]]\nexpcet = { code = 220 }\n')
            for cmd in (["list"], ["run", "--target", "127.0.0.1:1"]):
                r = run(*cmd, "--scenarios", d)
                self.assertEqual(r.returncode, 2, (cmd, r.stderr))
                self.assertRegex(r.stderr, r"bad\.toml:8:\d+: .*expcet")

    def test_list_covers_catalogue(self):
        r = run("list")
        self.assertEqual(r.returncode, 0, r.stderr)
        for row in range(0, 20):
            self.assertRegex(r.stdout, rf"\bS{row}\b", f"row S{row} missing from smtpeer list")

    def test_explain(self):
        r = run("explain", "S1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("RFC 3207", r.stdout)
        r = run("explain", "no-such-scenario")
        self.assertEqual(r.returncode, 2)

    def test_reports_from_builtin_peer(self):
        with tempfile.TemporaryDirectory() as d:
            j, x = os.path.join(d, "r.json"), os.path.join(d, "r.xml")
            r = run("run", "--peer", "reference-mx", "--quiet", "--json", j, "--junit", x,
                    "--out", d)
            self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-2000:])
            with open(j) as f:
                data = json.load(f)
            self.assertIn("scenarios", data)
            for s in data["scenarios"]:
                for key in ("id", "catalogue", "verdict", "clause", "summary", "evidence"):
                    self.assertIn(key, s)
                self.assertIn(s["verdict"], ("pass", "skip"), s)
            root = ET.parse(x).getroot()
            cases = root.findall(".//testcase")
            self.assertEqual(len(cases), len(data["scenarios"]))
            self.assertTrue(os.path.isdir(os.path.join(d, "transcripts")))

    def test_knob_failure_is_reported_with_clause_and_evidence(self):
        with tempfile.TemporaryDirectory() as d:
            j = os.path.join(d, "r.json")
            r = run("run", "--peer", "knob-pipelined-after-starttls", "--id", "S1", "--quiet",
                    "--json", j, "--out", d)
            self.assertEqual(r.returncode, 0, r.stdout[-3000:])  # the demo caught the knob
            with open(j) as f:
                data = json.load(f)
            s1 = data["scenarios"][0]
            self.assertEqual(s1["verdict"], "fail")
            self.assertIn("RFC 3207", s1["clause"])
            # The evidence shows the injection and the server's reply to it inside TLS.
            self.assertTrue(any(e["who"] == "C" and "STARTTLS\\r\\nRSET" in e["text"]
                                for e in s1["evidence"]), s1["evidence"])
            self.assertTrue(any(e["who"] == "S" and e["tls"] and e["text"].startswith("250")
                                for e in s1["evidence"]), s1["evidence"])
            self.assertIn("FAIL", r.stdout)

    def hostile(self, behaviour, scenario="S0", bound=90, summary=None):
        peer = HostilePeer(behaviour)
        try:
            with tempfile.TemporaryDirectory() as d:
                j = os.path.join(d, "r.json")
                t0 = time.time()
                r = run("run", "--target", f"127.0.0.1:{peer.port}", "--id", scenario, "--quiet",
                        "--json", j, "--out", d, timeout=bound + 60)
                took = time.time() - t0
                self.assertLess(took, bound, f"{behaviour}: took {took:.0f}s")
                self.assertEqual(r.returncode, 1, f"{behaviour}: {r.stdout[-2000:]} {r.stderr}")
                with open(j) as f:
                    data = json.load(f)
                self.assertEqual(data["scenarios"][0]["verdict"], "fail", data["scenarios"][0])
                if summary:
                    self.assertIn(summary, data["scenarios"][0]["summary"])
                return data
        finally:
            peer.close()

    def test_hostile_silent_peer(self):
        self.hostile("silent")

    def test_hostile_endless_line(self):
        # Ends on the line-length bound, not on a timeout.
        self.hostile("endless-line", bound=8, summary="line exceeds 4096 bytes")

    def test_hostile_garbage(self):
        self.hostile("garbage")

    def test_hostile_many_continuation_lines(self):
        # Ends on the line-count bound, not on a timeout.
        self.hostile("many-lines", bound=8, summary="reply exceeds 1000 lines")

    def test_interrupted_run_still_writes_report(self):
        with tempfile.TemporaryDirectory() as d:
            j = os.path.join(d, "r.json")
            p = subprocess.Popen([SMTPEER, "run", "--peer", "reference-mx", "--no-color", "--json", j,
                                  "--out", d], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                # Interrupt once the first scenario has finished (its progress
                # line "[1/N] ..."), while S7 and S18 still wait out the peer's
                # 10 s timeouts: the run is then surely mid-way.
                # A smtpeer that never writes one is killed after 120 s.
                killer = threading.Timer(120, p.kill)
                killer.start()
                seen = b""
                while b"\n[1/" not in b"\n" + seen:
                    line = p.stderr.readline()
                    self.assertTrue(line, "smtpeer ended (or was killed at 120 s) before its first "
                                    f"scenario's progress line: {seen[-500:]!r}")
                    seen += line
                killer.cancel()
                p.send_signal(signal.SIGINT)
                p.communicate(timeout=60)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            self.assertEqual(p.returncode, 3)
            with open(j) as f:
                data = json.load(f)
            self.assertTrue(data.get("interrupted"), data.keys())
            # Scenarios cut short by the stop are "interrupted" errors or
            # "not run" skips, never findings against the peer.
            self.assertFalse([s["id"] for s in data["scenarios"] if s["verdict"] == "fail"])

    # The server role's flags: misuse is a usage error that says what to do.
    def test_server_role_usage_errors(self):
        with tempfile.TemporaryDirectory() as d:
            certs = os.path.join(d, "pki")
            self.assertEqual(run("certs", "--out", certs).returncode, 0)
            cases = [
                (["--ca-cert", os.path.join(certs, "ca.pem")], "--ca-cert and --ca-key go together"),
                (["--ca-cert", os.path.join(certs, "good.pem"), "--ca-key",
                  os.path.join(certs, "good.key")], "not a CA certificate"),
                (["--listen", "127.0.0.1:2525", "--parallel", "2"], "--parallel needs a free port"),
                (["--client-policy", "lax"], "client-policy"),
            ]
            for extra, message in cases:
                r = run("run", "--role", "server", "--client-cmd", "true", "--out", d, *extra)
                self.assertEqual(r.returncode, 2, (extra, r.stderr))
                self.assertIn(message, r.stderr, extra)
            r = run("run", "--role", "server", "--out", d)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("--client-cmd", r.stderr)

    # A client that exits without connecting ends its scenarios at once, as errors.
    def test_server_role_client_that_never_connects(self):
        with tempfile.TemporaryDirectory() as d:
            j = os.path.join(d, "r.json")
            start = time.monotonic()
            r = run("run", "--role", "server", "--client-cmd", "true", "--id", "C1", "--id", "C12",
                    "--quiet", "--json", j, "--out", d, timeout=120)
            self.assertLess(time.monotonic() - start, 60)
            self.assertEqual(r.returncode, 3, r.stderr)
            with open(j) as f:
                data = json.load(f)
            self.assertEqual({s["verdict"] for s in data["scenarios"]}, {"error"})
            self.assertIn("never connected", data["scenarios"][0]["summary"])

    # --ca-cert/--ca-key: the server's certificates chain to the user's CA,
    # which is all the (built-in, verifying) client trusts.
    def test_server_role_issues_from_the_users_ca(self):
        with tempfile.TemporaryDirectory() as d:
            certs = os.path.join(d, "pki")
            self.assertEqual(run("certs", "--out", certs).returncode, 0)
            ca = os.path.join(certs, "ca.pem")
            cmd = f"'{SMTPEER}' reference-client --kind good --port {{port}} --ca '{ca}' --name {{name}}"
            j = os.path.join(d, "r.json")
            r = run("run", "--role", "server", "--ca-cert", ca, "--ca-key", os.path.join(certs, "ca.key"),
                    "--client-cmd", cmd, "--id", "C8", "--id", "C12", "--quiet", "--json", j,
                    "--out", os.path.join(d, "out"), timeout=180)
            self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "out", "pki", "ca.key")))
            with open(j) as f:
                data = json.load(f)
            c12 = [s for s in data["scenarios"] if s["id"] == "client-c12-starttls-discipline"][0]
            self.assertEqual(c12["verdict"], "pass")
            # The good client verifies: its EHLO inside TLS means the chain to the user's CA held.
            self.assertTrue(any(e["tls"] and e["text"].startswith("EHLO") for e in c12["evidence"]),
                            c12["evidence"])


def main():
    global SMTPEER
    ap = argparse.ArgumentParser()
    ap.add_argument("--smtpeer", required=True)
    args, rest = ap.parse_known_args()
    SMTPEER = os.path.abspath(args.smtpeer)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(CliContract)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
