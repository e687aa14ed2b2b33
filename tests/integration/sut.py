#!/usr/bin/env python3
"""sut.py: start and stop real mail servers (systems under test) on 127.0.0.1.

Postfix, Exim and OpenSMTPD from Debian 12 run with configs rendered from
fixtures/sut/<name>/ into a per-run directory, which also holds the test PKI,
the queue/spool, the pid file and the log. Nothing global is modified:
Postfix runs with `postfix -c DIR`, Exim with `-C file` and its own spool,
OpenSMTPD (whose paths are compiled in) in a private mount namespace with the
run directory bound over /var.

CLI:
  sut.py start NAME --dir DIR [--port P] [--smtpeer PATH]   prints one JSON line
  sut.py stop --dir DIR
  sut.py list
Library:
  with running("postfix") as sut: ... sut.port, sut.ca ...

Instances in SMTPEER_PKI take their PKI from `smtpeer certs` (CA, server and
client certificates), so they need the smtpeer binary (--smtpeer / smtpeer=).

Python 3 standard library only. Must run as root (the servers drop privilege
themselves, Postfix and Exim need root to start).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "sut"
SUT_PREFIX = Path("/opt/smtpeer-sut")
HOSTNAME = "mx.smtpeer.test"
DOMAIN = "smtpeer.test"
STATE_FILE = "sut.json"
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0
INSTALL_HINT = "run ci/install-deps.sh as root"


class SutError(Exception):
    """SutError: a server could not be prepared, started or stopped."""


@dataclasses.dataclass(frozen=True)
class Kind:
    """Kind: how one server implementation is found, configured and launched."""

    binary: Path
    package: str  # the Debian package that provides `binary`
    templates: tuple[str, ...]  # files under fixtures/sut/<name>/, rendered to conf/
    key_group: str | None  # group that must read the TLS key (None: root only)


POSTFIX = Kind(Path("/usr/sbin/postfix"), "postfix", ("main.cf", "master.cf"), None)
EXIM = Kind(
    SUT_PREFIX / "exim4-daemon-light/usr/sbin/exim4",
    "exim4-daemon-light (unpacked under /opt/smtpeer-sut)",
    ("exim.conf",),
    "Debian-exim",
)
OPENSMTPD = Kind(
    SUT_PREFIX / "opensmtpd/usr/sbin/smtpd",
    "opensmtpd (unpacked under /opt/smtpeer-sut)",
    ("smtpd.conf", "aliases"),
    None,
)

# The instances the integration suite knows: name -> implementation.
INSTANCES: dict[str, Kind] = {
    "postfix": POSTFIX,
    "postfix-required": POSTFIX,
    "postfix-strict": POSTFIX,
    "postfix-clientcert": POSTFIX,
    "postfix-client": POSTFIX,  # the SMTP client under test (client_role_postfix_test.py)
    "exim": EXIM,
    "exim-notls": EXIM,
    "opensmtpd": OPENSMTPD,
}

# Templates an instance has beyond its implementation's.
EXTRA_TEMPLATES: dict[str, tuple[str, ...]] = {
    "postfix-clientcert": ("ccert_access",),
}
# Instances whose PKI comes from `smtpeer certs` (client certificates
# included) instead of make_pki(); their server presents good.pem.
SMTPEER_PKI = frozenset({"postfix-clientcert"})


@dataclasses.dataclass
class Sut:
    """Sut: a started server, as recorded in DIR/sut.json."""

    name: str
    pid: int
    port: int
    dir: str
    ca: str
    cert: str
    log: str

    def as_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=False)


# --- small helpers -----------------------------------------------------------


def free_port() -> int:
    """free_port: a port the kernel just handed out on 127.0.0.1 (bind 0, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], timeout: float = 30.0, **kw) -> subprocess.CompletedProcess:
    """run: a bounded subprocess call; raises SutError with its output on failure."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        raise SutError(f"timed out after {timeout}s: {' '.join(cmd)}") from e
    if p.returncode != 0:
        raise SutError(
            f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}{p.stderr}".rstrip()
        )
    return p


def pid_state(pid: int) -> str | None:
    """pid_state: the /proc state letter of pid, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may contain spaces.
    return stat[stat.rindex(")") + 2]


def alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child
    return pid_state(pid) not in (None, "Z", "X")


def group_members(pgid: int) -> list[int]:
    """group_members: live processes in process group pgid."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            out.append(int(entry.name))
    return out


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_banner(port: int, timeout: float, dead: Callable[[], str | None]) -> str:
    """wait_banner: poll 127.0.0.1:port until a line starting "220" arrives.

    `dead` returns a reason when the server process has already failed, so a
    broken start is reported at once rather than after the whole timeout.
    """
    deadline = time.monotonic() + timeout
    last = "no connection"
    while time.monotonic() < deadline:
        reason = dead()
        if reason:
            raise SutError(reason)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2.0) as s:
                s.settimeout(max(0.5, min(5.0, deadline - time.monotonic())))
                data = b""
                while b"\n" not in data and len(data) < 4096:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                line = data.split(b"\n", 1)[0].decode("latin-1").rstrip("\r")
                if line.startswith("220"):
                    with contextlib.suppress(OSError):
                        s.sendall(b"QUIT\r\n")
                    return line
                last = f"greeting {line!r}"
        except OSError as e:
            last = str(e)
        time.sleep(0.2)
    raise SutError(f"no 220 greeting on 127.0.0.1:{port} within {timeout}s ({last})")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- PKI -----------------------------------------------------------------------


def make_pki(pki: Path) -> tuple[Path, Path, Path]:
    """make_pki: a test CA and a leaf for HOSTNAME (CN and SAN), via openssl(1).

    RSA 2048 and SHA-256, so the profiles' key-size and signature checks pass;
    the leaf is CA-signed (not self-signed) and valid for a year.
    """
    if shutil.which("openssl") is None:
        raise SutError(f"openssl not found: install Debian package openssl ({INSTALL_HINT})")
    pki.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (pki / n for n in ("ca.key", "ca.pem", "key.pem", "leaf.csr", "cert.pem"))
    ext = pki / "leaf.ext"
    ext.write_text(
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature, keyEncipherment\n"
        "extendedKeyUsage = serverAuth\n"
        f"subjectAltName = DNS:{HOSTNAME}\n"
        "subjectKeyIdentifier = hash\n"
        "authorityKeyIdentifier = keyid\n"
    )
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
         "-days", "365", "-keyout", str(ca_key), "-out", str(ca),
         "-subj", "/O=smtpeer test/CN=smtpeer test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
         "-keyout", str(key), "-out", str(csr), "-subj", f"/O=smtpeer test/CN={HOSTNAME}"])
    run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
         "-CAcreateserial", "-sha256", "-days", "365", "-extfile", str(ext), "-out", str(cert)])
    for p in (ca_key, key):
        p.chmod(0o600)
    return ca, cert, key


def sha256_fingerprint(cert: Path) -> str:
    """sha256_fingerprint: "AB:CD:..." as Postfix's check_ccert_access looks it up."""
    out = run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"]).stdout
    return out.strip().split("=", 1)[1].upper()


def smtpeer_pki(pki: Path, smtpeer: str | None, name: str) -> tuple[Path, Path, Path, dict[str, str]]:
    """smtpeer_pki: `smtpeer certs` into pki/; returns CA, good.pem, good.key, extra placeholders."""
    if not smtpeer:
        raise SutError(f"{name} takes its PKI (client certificates) from `smtpeer certs`: "
                       "give the smtpeer binary (sut.py start --smtpeer PATH, start(..., smtpeer=PATH))")
    if not os.access(smtpeer, os.X_OK):
        raise SutError(f"{name}: smtpeer binary {smtpeer} is not an executable file")
    pki.mkdir(parents=True, exist_ok=True)
    run([smtpeer, "certs", "--out", str(pki), "--name", HOSTNAME], timeout=60)
    ca, cert, key, client = (pki / n for n in ("ca.pem", "good.pem", "good.key", "client-good.pem"))
    for p in (ca, cert, key, client):
        if not p.exists():
            raise SutError(f"{name}: `smtpeer certs` wrote no {p}")
    return ca, cert, key, {"@CLIENT_FP@": sha256_fingerprint(client)}


# --- per-implementation launch and stop -----------------------------------------
#
# launch(run_dir, conf_dir) -> (pid, pgid, log): starts the server, returns its
# main PID (recorded for stop), the process group to sweep, and the log file.


def launch_postfix(d: Path, conf: Path) -> tuple[int, int, Path]:
    for sub in ("queue", "data"):
        (d / sub).mkdir(exist_ok=True)
    (d / "data").chmod(0o700)
    shutil.chown(d / "data", "postfix", "postfix")
    log = d / "maillog"
    log.touch()
    # `postfix start` runs `postfix check` (which creates the queue
    # subdirectories with Postfix's owners) and returns once the master daemon
    # has initialised.
    run(["postfix", "-c", str(conf), "start"], timeout=60)
    pidfile = d / "queue" / "pid" / "master.pid"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            pid = int(pidfile.read_text().split()[0])
            return pid, os.getpgid(pid), log
        time.sleep(0.1)
    raise SutError(f"postfix master wrote no pid file {pidfile}\n{tail(log)}")


def stop_postfix(d: Path) -> None:
    # A clean stop first: the master tells its children to go.
    with contextlib.suppress(SutError):
        run(["postfix", "-c", str(d / "conf"), "stop"], timeout=STOP_TIMEOUT_S + 5)


def spawn(cmd: list[str], log: Path) -> tuple[int, int, Path]:
    """spawn: start cmd in its own session (so pgid == pid), output to log."""
    with open(log, "ab") as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                             start_new_session=True, close_fds=True)
    _children[p.pid] = p
    return p.pid, p.pid, log


# Popen objects of servers this process started, so they are reaped.
_children: dict[int, subprocess.Popen] = {}


def launch_exim(d: Path, conf: Path) -> tuple[int, int, Path]:
    for sub in ("spool", "log"):
        (d / sub).mkdir(exist_ok=True)
        shutil.chown(d / sub, "Debian-exim", "Debian-exim")
        (d / sub).chmod(0o750)
    # -bdf: daemon in the foreground, so the PID we hold is the daemon. Started
    # by root, it binds and then runs as Debian-exim (hence the key's group).
    pid, pgid, _ = spawn([str(EXIM.binary), "-C", str(conf / "exim.conf"), "-bdf"], d / "exim-stderr.log")
    return pid, pgid, d / "log" / "mainlog"


def launch_opensmtpd(d: Path, conf: Path) -> tuple[int, int, Path]:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        raise SutError("unshare/mount not found: install Debian packages util-linux and mount")
    for user in ("opensmtpd", "opensmtpq"):
        try:
            run(["getent", "passwd", user], timeout=5)
        except SutError:
            raise SutError(f"user {user} missing: {INSTALL_HINT}") from None
    # The /var that smtpd sees: spool (root 0711), chroot dir, control socket dir.
    var = d / "var"
    for sub, mode in (("spool/smtpd", 0o711), ("lib/opensmtpd/empty", 0o755), ("run", 0o755), ("mail", 0o1777)):
        (var / sub).mkdir(parents=True, exist_ok=True)
        (var / sub).chmod(mode)
    (var / "tmp").mkdir(exist_ok=True)
    (var / "tmp").chmod(0o1777)
    libexec = SUT_PREFIX / "opensmtpd/usr/libexec"
    # Inside a private mount namespace: our /var over /var, the unpacked helper
    # programs (mail.local, ...) over /usr/libexec. The host sees neither.
    script = (
        'set -e; mount --make-rprivate /; '
        'mount --bind "$1" /var; mount --bind "$2" /usr/libexec; '
        'exec "$3" -d -v -f "$4"'
    )
    log = d / "smtpd.log"
    return spawn(["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script,
                  "sh", str(var), str(libexec), str(OPENSMTPD.binary), str(conf / "smtpd.conf")], log)


LAUNCH: dict[Kind, Callable[[Path, Path], tuple[int, int, Path]]] = {
    POSTFIX: launch_postfix,
    EXIM: launch_exim,
    OPENSMTPD: launch_opensmtpd,
}
# A graceful stop before the signals, where the implementation has one.
GRACEFUL_STOP: dict[Kind, Callable[[Path], None]] = {POSTFIX: stop_postfix}


# --- start / stop --------------------------------------------------------------


def render(name: str, kind: Kind, d: Path, port: int, ca: Path, cert: Path, key: Path,
           extra: dict[str, str] | None = None) -> Path:
    conf = d / "conf"
    conf.mkdir(exist_ok=True)
    subst = {
        "@PORT@": str(port), "@DIR@": str(d), "@CERT@": str(cert), "@KEY@": str(key),
        "@CA@": str(ca), "@HOSTNAME@": HOSTNAME, "@DOMAIN@": DOMAIN,
    } | (extra or {})
    for t in kind.templates + EXTRA_TEMPLATES.get(name, ()):
        text = (FIXTURES / name / t).read_text()
        for k, v in subst.items():
            text = text.replace(k, v)
        left = re.search(r"@[A-Z]+@", text)
        if left:
            raise SutError(f"{FIXTURES / name / t}: unknown placeholder {left.group(0)}")
        (conf / t).write_text(text)
        (conf / t).chmod(0o644)
    return conf


def missing(name: str) -> str | None:
    """missing: why NAME cannot be started on this machine, or None."""
    kind = INSTANCES.get(name)
    if kind is None:
        return f"unknown instance {name!r}; known: {', '.join(INSTANCES)}"
    if not kind.binary.exists():
        return f"{kind.binary} not found: install Debian package {kind.package} ({INSTALL_HINT})"
    if os.geteuid() != 0:
        return "must run as root (the servers start as root and drop privilege)"
    return None


def start(name: str, run_dir: str | os.PathLike, port: int | None = None,
          timeout: float = START_TIMEOUT_S, smtpeer: str | None = None) -> Sut:
    """start: render NAME's config into run_dir, start it on 127.0.0.1, wait for 220.

    smtpeer: the smtpeer binary, needed by the instances in SMTPEER_PKI.
    """
    reason = missing(name)
    if reason:
        raise SutError(reason)
    kind = INSTANCES[name]
    d = Path(run_dir).resolve()
    d.mkdir(parents=True, exist_ok=True)
    if (d / STATE_FILE).exists():
        raise SutError(f"{d / STATE_FILE} exists: a server may still run there (sut.py stop --dir {d})")
    d.chmod(0o755)  # the servers' unprivileged users must reach their files
    extra: dict[str, str] = {}
    if name in SMTPEER_PKI:
        ca, cert, key, extra = smtpeer_pki(d / "pki", smtpeer, name)
    else:
        ca, cert, key = make_pki(d / "pki")
    (d / "pki").chmod(0o755)
    if kind.key_group:
        shutil.chown(key, "root", kind.key_group)
        key.chmod(0o640)
    port = port or free_port()
    conf = render(name, kind, d, port, ca, cert, key, extra)
    pid, pgid, log = LAUNCH[kind](d, conf)
    sut = Sut(name=name, pid=pid, port=port, dir=str(d), ca=str(ca), cert=str(cert), log=str(log))
    state = dataclasses.asdict(sut) | {"pgid": pgid}
    (d / STATE_FILE).write_text(json.dumps(state, indent=1) + "\n")

    def dead() -> str | None:
        if alive(pid):
            return None
        return f"exited during start-up (status {pid_state(pid) or 'gone'})"

    try:
        wait_banner(port, timeout, dead)
    except SutError as e:
        with contextlib.suppress(SutError):
            stop(d)
        raise SutError(f"{name}: {e}\nlog {log}:\n{tail(log)}") from None
    return sut


def stop(run_dir: str | os.PathLike) -> None:
    """stop: end the server recorded in run_dir/sut.json and all its processes."""
    d = Path(run_dir).resolve()
    try:
        state = json.loads((d / STATE_FILE).read_text())
    except FileNotFoundError:
        raise SutError(f"no {STATE_FILE} in {d}: nothing was started there") from None
    pid, pgid, port = state["pid"], state["pgid"], state["port"]
    kind = INSTANCES[state["name"]]
    if kind in GRACEFUL_STOP and alive(pid):
        GRACEFUL_STOP[kind](d)
    # SIGTERM the whole group (children included), then SIGKILL after a bound.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        members = set(group_members(pgid)) | ({pid} if alive(pid) else set())
        if not members:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        with contextlib.suppress(ProcessLookupError):
            if alive(pid):
                os.kill(pid, sig)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and (alive(pid) or group_members(pgid)):
            time.sleep(0.1)
    child = _children.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1)
    left = group_members(pgid) + ([pid] if alive(pid) else [])
    if left:
        raise SutError(f"{state['name']}: processes still alive after SIGKILL: {sorted(set(left))}")
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while port_open(port):
        if time.monotonic() > deadline:
            raise SutError(f"{state['name']}: port {port} still accepts connections after stop")
        time.sleep(0.2)
    (d / STATE_FILE).rename(d / (STATE_FILE + ".stopped"))


@contextlib.contextmanager
def running(name: str, run_dir: str | os.PathLike | None = None, port: int | None = None,
            smtpeer: str | None = None) -> Iterator[Sut]:
    """running: start NAME for the body of a with-block, stop it afterwards.

    Without run_dir a fresh temporary directory is used and kept (its log
    helps diagnose a failure); its path is Sut.dir.
    """
    d = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix=f"smtpeer-sut-{name}-"))
    sut = start(name, d, port, smtpeer=smtpeer)
    try:
        yield sut
    finally:
        stop(d)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Start/stop real mail servers on 127.0.0.1 for smtpeer tests.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start", help="start an instance; prints one JSON line")
    s.add_argument("name", choices=sorted(INSTANCES))
    s.add_argument("--dir", required=True, help="per-run directory (created)")
    s.add_argument("--port", type=int, help="127.0.0.1 port (default: a free one)")
    s.add_argument("--timeout", type=float, default=START_TIMEOUT_S, help="seconds to wait for 220")
    s.add_argument("--smtpeer", help="smtpeer binary (for the PKI of " + ", ".join(sorted(SMTPEER_PKI)) + ")")
    t = sub.add_parser("stop", help="stop the instance started in --dir")
    t.add_argument("--dir", required=True)
    sub.add_parser("list", help="list the instances")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "start":
            print(start(a.name, a.dir, a.port, a.timeout, a.smtpeer).as_json(), flush=True)
        elif a.cmd == "stop":
            stop(a.dir)
        else:
            for n, k in INSTANCES.items():
                print(f"{n}\t{k.binary}\t{'ok' if k.binary.exists() else 'missing: ' + k.package}")
    except SutError as e:
        print(f"sut.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
