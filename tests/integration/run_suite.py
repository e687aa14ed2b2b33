#!/usr/bin/env python3
"""run_suite.py: run smtpeer against real mail servers and check its verdicts.

For each instance in INSTANCES, start the server on 127.0.0.1 (sut.py), run
`smtpeer run` against it with the instance's profile, and compare every
scenario verdict with tests/integration/expected/<instance>.json:

  {"<scenario id>": {"verdict": "pass", "why": "reason when not pass"}, ...}

"verdict" may also be a list of verdicts (any of them is accepted) for a
scenario whose outcome depends on timing; "why" then says which race.
Every scenario in the report must have an expectation and every expectation
a scenario, so a new or renamed scenario forces a decision. No verdict may be
"error". The JUnit XML is checked against the JSON report.

  python3 tests/integration/run_suite.py --smtpeer build/default/harness/smtpeer [--only NAME]

Exit status: 0 all as expected; 1 mismatches; 2 usage; 3 a server or
smtpeer could not be run; 77 with --skip-missing when a server is not
installed (ci/install-deps.sh) or the runner is not root. Python 3 standard library only; run as root.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import sut  # noqa: E402  (sibling module)

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
SMTPEER_TIMEOUT_S = 600
SKIP_EXIT = 77  # the prerequisites are missing; see --skip-missing
VERDICTS = ("pass", "fail", "skip", "error")


@dataclasses.dataclass(frozen=True)
class Instance:
    """Instance: one server configuration and the profile smtpeer judges it by."""

    name: str
    profile: str
    # min_retries: the server is configured to refuse bursts with 421, so the
    # run must show smtpeer backing off and retrying (and no error verdict).
    min_retries: int = 0


INSTANCES = (
    Instance("postfix", "opportunistic-mx"),
    Instance("postfix-required", "mandatory-tls"),
    Instance("exim", "opportunistic-mx", min_retries=1),
    Instance("exim-notls", "rfc3207"),
    Instance("opensmtpd", "opportunistic-mx"),
)


@dataclasses.dataclass
class Mismatch:
    instance: str
    scenario: str
    expected: str
    actual: str
    detail: str


def smtpeer_command(smtpeer: str, s: sut.Sut, inst: Instance, out: Path, extra: list[str]) -> list[str]:
    return [
        smtpeer, "run",
        "--target", f"127.0.0.1:{s.port}",
        "--profile", inst.profile,
        "--scenarios", str(sut.REPO / "scenarios"),
        "--ca-file", s.ca,
        "--expect-name", sut.HOSTNAME,
        "--sni", sut.HOSTNAME,
        "--json", str(out / "report.json"),
        "--junit", str(out / "report.xml"),
        "--out", str(out),  # transcripts land in out/transcripts/
        "--no-color",
        *extra,
    ]


def load_expected(name: str) -> dict[str, dict]:
    path = EXPECTED / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    for sid, e in data.items():
        v = e.get("verdict")
        vs = v if isinstance(v, list) else [v]
        if not vs or any(x not in VERDICTS[:3] for x in vs):
            raise ValueError(f"{path}: {sid}: verdict must be pass, fail, skip or a list of them, got {v!r}")
        if vs != ["pass"] and not e.get("why"):
            raise ValueError(f"{path}: {sid}: a verdict other than pass needs a 'why'")
    return data


def compare(inst: Instance, report: dict, expected: dict[str, dict]) -> list[Mismatch]:
    out: list[Mismatch] = []
    seen: set[str] = set()
    for sc in report.get("scenarios", []):
        sid, verdict = sc.get("id", "?"), sc.get("verdict", "?")
        seen.add(sid)
        summary = sc.get("summary", "")
        if verdict == "error":
            out.append(Mismatch(inst.name, sid, fmt(expected.get(sid)), verdict, f"harness error: {summary}"))
            continue
        e = expected.get(sid)
        if e is None:
            out.append(Mismatch(inst.name, sid, "(none)", verdict,
                                f"new scenario: add it to expected/{inst.name}.json ({summary})"))
            continue
        allowed = e["verdict"] if isinstance(e["verdict"], list) else [e["verdict"]]
        if verdict not in allowed:
            out.append(Mismatch(inst.name, sid, fmt(e), verdict, summary))
    for sid in sorted(set(expected) - seen):
        out.append(Mismatch(inst.name, sid, fmt(expected[sid]), "(absent)",
                            "expected scenario not in the report: renamed or removed?"))
    return out


def fmt(e: dict | None) -> str:
    if e is None:
        return "(none)"
    v = e["verdict"]
    return "|".join(v) if isinstance(v, list) else v


def check_junit(path: Path, report: dict) -> list[str]:
    """check_junit: problems with the JUnit XML, judged against the JSON report."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return [f"JUnit XML unreadable: {e}"]
    if root.tag not in ("testsuites", "testsuite"):
        return [f"JUnit root is <{root.tag}>, expected <testsuites> or <testsuite>"]
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if not suites:
        return ["JUnit <testsuites> holds no <testsuite>"]
    problems: list[str] = []
    cases: dict[str, ET.Element] = {}
    for suite in suites:
        for tc in suite.iter("testcase"):
            # The testcase name is "<id>" or "<id>: <title>".
            sid = tc.get("name", "").split(": ", 1)[0].strip()
            if sid in cases:
                problems.append(f"JUnit: two testcases for {sid}")
            cases[sid] = tc
        n = len(list(suite.iter("testcase")))
        if suite.get("tests") is not None and int(suite.get("tests")) != n:
            problems.append(f"JUnit: testsuite tests={suite.get('tests')} but {n} testcases")
    want = {"fail": "failure", "skip": "skipped", "error": "error"}
    for sc in report.get("scenarios", []):
        sid, verdict = sc.get("id"), sc.get("verdict")
        tc = cases.pop(sid, None)
        if tc is None:
            problems.append(f"JUnit: no testcase for {sid}")
            continue
        has = {k for k in ("failure", "skipped", "error") if tc.find(k) is not None}
        expected = {want[verdict]} if verdict in want else set()
        if has != expected:
            problems.append(f"JUnit: {sid} is {verdict} in the JSON but its testcase has "
                            f"{sorted(has) or 'no failure/skipped/error element'}")
    for sid in cases:
        problems.append(f"JUnit: testcase {sid} is not in the JSON report")
    totals = {"failures": "fail", "skipped": "skip", "errors": "error"}
    for attr, verdict in totals.items():
        if root.get(attr) is not None:
            n = sum(1 for sc in report.get("scenarios", []) if sc.get("verdict") == verdict)
            if int(root.get(attr)) != n:
                problems.append(f"JUnit: <{root.tag}> {attr}={root.get(attr)} but the JSON has {n}")
    return problems


def run_instance(inst: Instance, smtpeer: str, work: Path, extra: list[str],
                 timeout: float) -> tuple[list[Mismatch], list[str], dict | None]:
    """run_instance: (verdict mismatches, other problems, the JSON report)."""
    out = work / inst.name
    if (out / "sut" / sut.STATE_FILE).exists():
        sut.stop(out / "sut")  # left running by an interrupted earlier run
    if out.exists():
        shutil.rmtree(out)  # a fresh PKI, queue and log every run
    out.mkdir(parents=True)
    problems: list[str] = []
    report = None
    t0 = time.monotonic()
    with sut.running(inst.name, out / "sut") as s:
        print(f"== {inst.name}: {s.log} on 127.0.0.1:{s.port}, profile {inst.profile}", flush=True)
        cmd = smtpeer_command(smtpeer, s, inst, out, extra)
        (out / "command.txt").write_text(" ".join(cmd) + "\n")
        with open(out / "smtpeer.stdout", "wb") as so, open(out / "smtpeer.stderr", "wb") as se:
            try:
                rc = subprocess.run(cmd, stdout=so, stderr=se, timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                problems.append(f"smtpeer did not finish within {timeout:.0f} s")
                rc = None
    print(f"   smtpeer exit {rc} after {time.monotonic() - t0:.0f} s; output in {out}", flush=True)
    if rc is None:
        return [], problems, None
    if rc not in (0, 1):
        stderr = (out / "smtpeer.stderr").read_text(errors="replace").strip()
        problems.append(f"smtpeer exit {rc} (2 usage, 3 unreachable/harness error): {stderr[-2000:]}")
    try:
        report = json.loads((out / "report.json").read_text())
    except (OSError, ValueError) as e:
        problems.append(f"no readable JSON report: {e}")
        return [], problems, None
    if report.get("profile") != inst.profile:
        problems.append(f"report profile {report.get('profile')!r}, expected {inst.profile!r}")
    if not report.get("scenarios"):
        problems.append("the report holds no scenarios")
    fails = any(sc.get("verdict") in ("fail", "error") for sc in report.get("scenarios", []))
    if rc in (0, 1) and rc != (1 if fails else 0):
        problems.append(f"smtpeer exit {rc} does not match the verdicts (fail present: {fails})")
    retries = sum(sc.get("retries", 0) for sc in report.get("scenarios", []))
    if retries < inst.min_retries:
        problems.append(f"{inst.name} refuses bursts with 421, yet smtpeer retried {retries} "
                        f"times (expected at least {inst.min_retries}): the back-off went unseen")
    problems += check_junit(out / "report.xml", report)
    return compare(inst, report, load_expected(inst.name)), problems, report


def print_table(rows: list[Mismatch]) -> None:
    head = ("INSTANCE", "SCENARIO", "EXPECTED", "ACTUAL", "DETAIL")
    cells = [head] + [(m.instance, m.scenario, m.expected, m.actual, m.detail) for m in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    for c in cells:
        print("  ".join(c[i].ljust(widths[i]) for i in range(4)) + "  " + c[4])


def write_expected(inst: Instance, report: dict, work: Path) -> Path:
    """write_expected: the measured verdicts as a draft expectations file.

    Existing "why"s are kept where the verdict did not change; every other
    non-pass verdict gets "MEASURED: <smtpeer's summary>" for a human to judge.
    """
    old = load_expected(inst.name)
    new = {}
    for sc in sorted(report.get("scenarios", []), key=lambda s: s["id"]):
        sid, v = sc["id"], sc["verdict"]
        e = old.get(sid)
        allowed = (e["verdict"] if isinstance(e["verdict"], list) else [e["verdict"]]) if e else []
        if e and v in allowed:
            new[sid] = e
        else:
            new[sid] = {"verdict": v, "why": f"MEASURED: {sc.get('summary', '')}" if v != "pass" else ""}
    path = work / inst.name / "expected.measured.json"
    path.write_text(json.dumps(new, indent=2, ensure_ascii=False) + "\n")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smtpeer", required=True, help="path to the smtpeer binary")
    ap.add_argument("--only", action="append", choices=[i.name for i in INSTANCES],
                    help="run only this instance (repeatable)")
    ap.add_argument("--work", help="directory for reports, transcripts and server logs (default: a new temp dir)")
    ap.add_argument("--timeout", type=float, default=SMTPEER_TIMEOUT_S, help="seconds smtpeer may run per instance")
    ap.add_argument("--write-measured", action="store_true",
                    help="also write WORK/<instance>/expected.measured.json: the verdicts seen, as a draft "
                         "for tests/integration/expected/<instance>.json")
    ap.add_argument("--skip-missing", action="store_true",
                    help=f"exit {SKIP_EXIT} (ctest SKIP_RETURN_CODE) instead of 3 when a server is not installed "
                         "or not running as root")
    ap.add_argument("smtpeer_args", nargs="*", help="extra arguments for smtpeer run (after --)")
    a = ap.parse_args()
    if not Path(a.smtpeer).is_file():
        print(f"run_suite.py: no smtpeer binary at {a.smtpeer}", file=sys.stderr)
        return 2
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="smtpeer-integration-"))
    work.mkdir(parents=True, exist_ok=True)
    chosen = [i for i in INSTANCES if not a.only or i.name in a.only]
    reasons = [f"{i.name}: {r}" for i in chosen if (r := sut.missing(i.name))]
    if reasons:
        print("run_suite.py: cannot run:\n  " + "\n  ".join(reasons), file=sys.stderr)
        return SKIP_EXIT if a.skip_missing else 3
    mismatches: list[Mismatch] = []
    broken = False
    for inst in chosen:
        try:
            rows, problems, report = run_instance(inst, str(Path(a.smtpeer).resolve()), work,
                                                  a.smtpeer_args, a.timeout)
        except (sut.SutError, ValueError) as e:
            print(f"!! {inst.name}: {e}", file=sys.stderr)
            broken = True
            continue
        if report is not None and a.write_measured:
            print(f"   measured verdicts written to {write_expected(inst, report, work)}")
        for p in problems:
            print(f"!! {inst.name}: {p}", file=sys.stderr)
        broken |= bool(problems)
        mismatches += rows
        n = len(report.get("scenarios", [])) if report else 0
        print(f"   {n} scenarios, {len(rows)} mismatches", flush=True)
    if mismatches:
        print(f"\n{len(mismatches)} verdicts differ from tests/integration/expected/:")
        print_table(mismatches)
    print(f"\nreports, transcripts and server logs: {work}")
    if broken:
        return 3
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
