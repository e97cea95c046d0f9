"""Issue 23: every open problem gets its fix as data (owner, change, command, retry), and the
fix works: the generated patch or command, applied to the collected files, removes the
cause, and the retry it names verifies it."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.diagnose.causes import causes
from evtdiag.diagnose.fixes import PLANNERS
from evtdiag.render.fix_kit import fix_kit
from tests.conftest import SAMPLE_LOGS
from tests.diagnose.scenario import DC1, DC2, DEFAULT_SSO, GOOD_KEY, Scenario, only, problems

needs_patch = pytest.mark.skipif(shutil.which("patch") is None, reason="no patch command")


def test_every_cause_code_has_a_fix_planner() -> None:
    assert set(PLANNERS) == set(causes.codes)


# -- the README demo ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("demo") / "findings.json"
    args = ["report", *map(str, sorted(SAMPLE_LOGS.glob("*.evtx"))), "--hosts",
            str(SAMPLE_LOGS / "hosts"), "--windows", str(SAMPLE_LOGS / "windows"),
            "--format", "json", "-o", str(out), "-q"]  # fmt: skip
    assert CliRunner().invoke(cli, args).exit_code == 1
    return json.loads(out.read_text())


def test_the_demo_gets_ten_concrete_fixes_and_no_fix_for_intended_refusals(demo: dict) -> None:
    fixed = [p for p in demo["problems"] if p["fix"]]
    assert len(fixed) == 10
    assert {p["cause"] for p in demo["problems"] if not p["fix"]} == {
        "superuser",
        "windows-deny-group",
    }
    text = json.dumps([p["fix"] for p in fixed])
    for placeholder in ("<account>", "this DC", "this host"):
        assert placeholder not in text
    erin = only(demo, cause="windows-not-in-allow-group")["fix"]
    commands = [c["text"] for c in erin["steps"][0]["commands"]]
    assert "Add-ADGroupMember -Identity 'PasswordPropAllow' -Members 'erin'" in commands
    assert "net group PasswordPropAllow erin /add /domain" in commands
    dave = only(demo, cause="unix-account-disabled")["fix"]
    assert dave["steps"][0]["owner"] == "unix:web01"
    assert [c["text"] for c in dave["steps"][0]["commands"]] == ["passwd -u dave"]
    fin04 = only(demo, cause="dc-not-in-sync-hosts")["fix"]
    (edit,) = fin04["steps"][0]["edits"]
    assert (edit["path"], edit["line"], edit["before"]) == ("sso.conf", 9, None)  # it holds a key
    assert "(DC02.corp.example.com)" in edit["command"]
    assert fin04["verify"]["dc"] == "DC02.corp.example.com"
    app03 = only(demo, cause="sync-users-not-listed")["fix"]
    assert "+bob" in app03["steps"][0]["edits"][0]["after"]
    assert any(c["text"].startswith("stopsrc") for c in fin04["steps"][0]["then"])  # AIX


def test_no_key_of_the_demo_reaches_a_fix(demo: dict) -> None:
    keys = {
        line.split("=", 1)[1].strip()
        for conf in (SAMPLE_LOGS / "hosts").rglob("sso.conf")
        for line in conf.read_text(errors="replace").splitlines()
        if line.startswith("ENCRYPT_KEY=")
    }
    assert keys
    kit = "".join(fix_kit(demo).values())
    for key in keys:
        assert key not in json.dumps(demo) and key not in kit


@needs_patch
def test_each_hosts_patch_applies_to_its_collected_files(demo: dict, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    shutil.copytree(SAMPLE_LOGS / "hosts", hosts)
    with tarfile.open(hosts / "db02.tar.gz") as archive:
        archive.extractall(hosts, filter="data")
    patches = {name: text for name, text in fix_kit(demo).items() if name.endswith(".patch")}
    assert set(patches) == {f"{h}.patch" for h in ("app03", "db02", "fin04", "mail05", "web01")}
    for name, text in patches.items():
        run = subprocess.run(["patch", "-p1", "--dry-run"], input=text.encode(),
                             cwd=hosts / name.removesuffix(".patch"), capture_output=True,
                             check=False)  # fmt: skip
        assert run.returncode == 0, (name, run.stdout, run.stderr)


def test_the_kit_is_written_whole_and_read_before_it_runs(demo: dict, tmp_path: Path) -> None:
    findings = tmp_path / "findings.json"
    findings.write_text(json.dumps(demo))
    kit = tmp_path / "kit"
    result = CliRunner().invoke(cli, ["fixes", str(findings), "-o", str(kit)])
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in kit.iterdir())
    assert "VERIFY.md" in names and "windows.ps1" in names and "web01.sh" in names
    windows = (kit / "windows.ps1").read_text()
    assert windows.splitlines()[2].endswith("; return")  # nothing runs unread
    assert "Add-ADGroupMember -Identity 'PasswordPropAllow' -Members 'erin'" in windows
    assert "exit 1" in (kit / "web01.sh").read_text().splitlines()[3]
    assert "KSmith on mail05.corp.example.com" in (kit / "VERIFY.md").read_text()
    again = CliRunner().invoke(cli, ["fixes", str(findings), "-o", str(kit)])
    assert again.exit_code == 2 and "already exists; use --force" in again.stderr
    assert (
        CliRunner().invoke(cli, ["fixes", str(findings), "-o", str(kit), "--force"]).exit_code == 0
    )
    listed = CliRunner().invoke(cli, ["fixes", str(findings)])
    assert listed.exit_code == 0 and "==> windows.ps1 <==" in listed.stdout


# -- the closed loop -------------------------------------------------------------------------


@pytest.fixture
def sc(tmp_path: Path) -> Scenario:
    scenario = Scenario(tmp_path)
    scenario.noise()
    return scenario


def _plant(sc: Scenario, case: str) -> str:
    """Plant the configuration fault of ``case`` with its failures; return the cause."""
    if case == "not-listed":
        sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=+alice +carol"))
        sc.attempt("bob", "web01", times=2)
        sc.attempt("alice", "web01", ok=True)
        return "sync-users-not-listed"
    if case == "excluded":
        sc.host("web01", sso=DEFAULT_SSO.replace("SYNC_USERS=-root", "SYNC_USERS=-root -bob"))
        sc.host("db02")
        sc.attempt("bob", "web01", times=2)
        sc.attempt("bob", "db02", ok=True)
        sc.attempt("alice", "web01", ok=True)
        return "sync-users-excluded"
    if case == "case":
        sso = DEFAULT_SSO.replace("CASE_IGNORE_NAME=1", "CASE_IGNORE_NAME=0")
        sc.host("mail05", sso=sso, users=("alice", "ksmith"))
        sc.attempt("KSmith", "mail05")
        sc.attempt("alice", "mail05", ok=True)
        return "name-case-mismatch"
    if case == "file-path":
        sc.host("web01", sso=DEFAULT_SSO.replace("FILE_PATH=/etc/shadow", "FILE_PATH=/etc/passwd"))
        for user in ("alice", "bob"):
            sc.attempt(user, "web01")
        return "password-file-mismatch"
    keyed = case == "sync-hosts-keyed"
    entry = f"({DC1} 6677 {GOOD_KEY})" if keyed else f"({DC1})"
    sc.host("fin04", sso=DEFAULT_SSO.replace(f"({DC1}) ({DC2})", entry))
    for user in ("alice", "bob"):
        sc.attempt(user, "fin04", ok=True, dc=DC1)
        sc.attempt(user, "fin04", dc=DC2)
    return "dc-not-in-sync-hosts"


def _apply(fix: dict, hosts: Path) -> None:
    """Apply every line edit of ``fix`` to the scenario's host folders as an admin would:
    the patch where the line can be quoted, else the command (its /etc paths pointed at
    the host's folder)."""
    for step in fix["steps"]:
        folder = hosts / step["owner"].removeprefix("unix:")
        for edit in step["edits"]:
            if edit["diff"]:
                subprocess.run(["patch", "-p1"], input=edit["diff"].encode(), cwd=folder,
                               check=True, capture_output=True)  # fmt: skip
            else:
                command = edit["command"].replace("/etc/", f"{shlex.quote(str(folder))}/")
                subprocess.run(["sh", "-c", command], check=True)


CASES = ("not-listed", "excluded", "case", "file-path", "sync-hosts", "sync-hosts-keyed")


@needs_patch
@pytest.mark.parametrize("case", CASES)
def test_a_fix_applied_and_retried_resolves_its_problem(sc: Scenario, case: str) -> None:
    cause = _plant(sc, case)
    _, before = sc.run()
    problem = only(before, cause=cause)
    assert problem["fix"]["steps"][0]["edits"], problem["fix"]
    _apply(problem["fix"], sc.hosts_dir)
    if case == "sync-hosts-keyed":
        assert GOOD_KEY in (sc.hosts_dir / "fin04" / "sso.conf").read_text()  # kept, not copied
        assert GOOD_KEY not in json.dumps(problem["fix"])

    _, untried = sc.run()  # the configuration is fixed, nothing was retried yet
    still = [p for p in problems(untried, subject=problem["subject"])]
    assert still and all(p["status"] == "open" and p["cause"] != cause for p in still)

    retry = problem["fix"]["verify"]
    sc.attempt(retry["account"], retry["host"], ok=True, dc=retry["dc"] or DC1)
    _, after = sc.run()
    assert not problems(after, cause=cause)
    assert all(p["status"] == "resolved" for p in problems(after, subject=problem["subject"]))


# -- names from the logs stay arguments --------------------------------------------------


def test_hostile_account_names_stay_one_argument(sc: Scenario) -> None:
    name = "o'brien;touch${IFS}x"
    sc.host("web01", users=("alice", name),
            shadow={name: "!$6$FAKEsalt$FAKEhash"})  # fmt: skip
    sc.attempt(name, "web01", event_id=8204, times=2)
    sc.attempt("alice", "web01", ok=True)
    _, doc = sc.run()
    fix = only(doc, cause="unix-account-disabled")["fix"]
    (command,) = fix["steps"][0]["commands"]
    assert shlex.split(command["text"]) == ["passwd", "-u", name]


def test_powershell_quotes_what_a_group_change_names() -> None:
    from evtdiag.diagnose.fixes.commands import group_change

    commands = group_change("PasswordPropAllow", "o'brien\u2019x", add=True)
    assert [c.shell for c in commands] == ["powershell"]  # cmd would read the quotes
    assert commands[0].text.endswith("-Members 'o''brien\u2019\u2019x'")


def test_an_unexplained_failure_with_the_configuration_asks_for_a_retry_not_a_collection(
    sc: Scenario,
) -> None:
    """Issue 23: a host whose supplied files explain nothing (fixed since the failures,
    or a cause without a rule) is not sent to collect what was collected already."""
    sc.host("web01")
    sc.attempt("bob", "web01", times=2)
    sc.attempt("alice", "web01", ok=True)
    _, doc = sc.run()
    fix = only(doc, cause="unexplained")["fix"]
    assert "evtdiag collect-script" not in json.dumps(fix)
    assert fix["steps"][0]["owner"] == "unix:web01" and "syslog" in fix["steps"][0]["action"]
    assert (fix["verify"]["account"], fix["verify"]["host"]) == ("bob", "web01")
    _, bare = sc.run(hosts=False)
    collect = only(bare, cause="unexplained")["fix"]
    assert "evtdiag collect-script" in json.dumps(collect)


def test_two_edits_of_one_line_are_not_both_said_to_be_in_the_patch() -> None:
    """The patch holds one hunk per line; a second edit of that line goes to the script
    as its command, never announced as patched."""
    edit = {"file": "f", "path": "sso.conf", "line": 8, "before": "SYNC_USERS=-root -bob",
            "command": "sed ONE"}  # fmt: skip
    first = {**edit, "after": "SYNC_USERS=-root", "diff": "--- a\n+++ b\n@@ -8 +8 @@\n-x\n+y\n"}
    second = {**edit, "after": "SYNC_USERS=-root -bob +carol", "command": "sed TWO",
              "diff": "--- a\n+++ b\n@@ -8 +8 @@\n-x\n+z\n"}  # fmt: skip
    step = {"owner": "unix:web01", "action": "a", "commands": [], "then": []}
    problems = [
        {"id": f"P-{n}", "scope": "host", "account": None, "host": "web01", "dc": None,
         "severity": "error", "status": "open", "accounts": [], "hosts": ["web01"],
         "event_count": 1, "fix": {"steps": [{**step, "edits": [made]}],
                                    "verify": {"account": None, "host": "web01", "dc": None,
                                               "success_ids": [], "failure_ids": [8]}}}
        for n, made in ((1, first), (2, second))
    ]  # fmt: skip
    kit = fix_kit({"problems": problems, "success_ids": []})
    assert kit["web01.patch"].count("@@ -8 +8 @@") == 1
    script = kit["web01.sh"]
    assert script.count("in the patch") == 1 and "sed TWO" in script and "sed ONE" not in script
