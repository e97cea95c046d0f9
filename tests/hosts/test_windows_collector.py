"""``evtdiag collect-script --windows``: the PowerShell collector for a domain controller.

There is no PowerShell here, and the script has not been run on Windows by the project.
So its text is checked (ASCII for Windows PowerShell 5.1, read-only commands only, the
XPath query naming evtdiag's provider, the file names ``--windows`` reads), and its
output folder is rebuilt from files shaped byte for byte as each of its commands writes
them (``Export-Csv -Encoding UTF8`` and ``Out-File -Encoding UTF8``: a UTF-8 BOM and CRLF
line ends; ``Get-ADGroupMember``'s six ADPrincipal columns; ``net``'s English output) and
read through evtdiag's own parsers and the ``report`` command.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evtdiag.cli import cli
from evtdiag.hosts.collector import windows_collect_script
from evtdiag.hosts.windows import GROUPS, load_windows
from evtdiag.logs.providers import DEFAULT_PROVIDERS
from tests.support.evtx_writer import WriterEvent, write_evtx_file

SCRIPT = windows_collect_script()
CODE = "\n".join(
    line for line in SCRIPT.split("#>", 1)[1].splitlines() if not line.lstrip().startswith("#")
)
"""The script without its help block and comment lines: the commands it runs."""

CHANGING_VERBS = {"Set", "Remove", "Add", "Clear", "Disable", "Enable", "Install",
                  "Uninstall", "Move", "Rename", "Reset", "Restart", "Stop", "Start",
                  "Unlock", "Grant", "Revoke", "Invoke", "Update", "Register",
                  "Unregister", "Suspend", "Resume", "Copy", "Publish", "Push"}  # fmt: skip
COMMANDS = {"Get-Location", "Test-Path", "Write-Error", "Get-Date", "Join-Path",
            "Resolve-Path", "New-Item", "Write-Host", "Out-File", "Write-Warning",
            "ForEach-Object", "Split-Path", "Get-Module", "Import-Module",
            "Get-ADGroupMember", "Export-Csv", "Get-ADDefaultDomainPasswordPolicy",
            "Format-List", "Compress-Archive", "Write-Step", "Write-Failure",
            "Save-NetOutput"}  # fmt: skip
"""Every Verb-Noun the script runs: PowerShell's, the AD module's, and its own three
functions (which only write to its log and its folder)."""

BOM, CRLF = "\ufeff", "\r\n"
ADPRINCIPAL = ("distinguishedName", "name", "objectClass", "objectGUID", "SamAccountName", "SID")
"""The properties of the objects Get-ADGroupMember returns (Microsoft's Get-ADGroupMember
page, example 1), hence Export-Csv's columns."""


def out_file(lines: list[str]) -> bytes:
    """What ``... | Out-File -Encoding UTF8`` writes in Windows PowerShell 5.1."""
    return (BOM + CRLF.join(lines) + CRLF).encode("utf-8")


def export_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    """What ``Get-ADGroupMember ... | Export-Csv -Encoding UTF8`` writes in 5.1: the
    ``#TYPE`` line (the default before PowerShell 6), a header, every field quoted.
    ``rows``: (common name, objectClass, SamAccountName, RID)."""
    lines = ["#TYPE Microsoft.ActiveDirectory.Management.ADPrincipal"]
    lines.append(",".join(f'"{c}"' for c in ADPRINCIPAL))
    for n, (name, kind, sam, rid) in enumerate(rows):
        fields = (f"CN={name},OU=Staff,DC=corp,DC=example,DC=com", name, kind,
                  f"7d35b86d-eeda-5997-9291-fa20b5b94{n:03d}", sam,
                  f"S-1-5-21-1004336348-1177238915-682003330-{rid}")  # fmt: skip
        lines.append(",".join(f'"{f}"' for f in fields))
    return out_file(lines)


NET_GROUP = [
    "Group name     PasswordPropDeny",
    "Comment        Accounts whose passwords never go to UNIX hosts",
    "",
    "Members",
    "",
    "-" * 79,
    "krbtgt".ljust(25) + "svc_backup".ljust(25) + "svc_sql".ljust(25),
    "svc_monitor".ljust(25),
    "The command completed successfully.",
    "",
]
NET_NOT_FOUND = [
    "The group name could not be found.",
    "",
    "More help is available by typing NET HELPMSG 2220.",
    "",
]
NET_ACCOUNTS = [
    "Force user logoff how long after time expires?:       Never",
    "Minimum password age (days):                          1",
    "Maximum password age (days):                          42",
    "Minimum password length:                              7",
    "Length of password history maintained:                24",
    "Lockout threshold:                                    Never",
    "Lockout duration (minutes):                           30",
    "Lockout observation window (minutes):                 30",
    "Computer role:                                        PRIMARY",
    "The command completed successfully.",
    "",
]


def _script_value(pattern: str) -> str:
    match = re.search(pattern, CODE)
    assert match, pattern
    return match.group(1)


def _group_names() -> list[str]:
    return re.findall(r"@\{ Name = '([^']+)'; Net = ", CODE)


def test_script_is_ascii_for_windows_powershell() -> None:
    """Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page."""
    assert SCRIPT.isascii()
    assert SCRIPT.startswith("<#") and "#Requires -Version 5.1" in SCRIPT


def test_script_runs_only_read_only_commands() -> None:
    commands = set(re.findall(r"(?<![$\w-])([A-Z][A-Za-z]+-[A-Z][A-Za-z]+)\b", CODE))
    commands -= {"Microsoft-Windows"}  # the provider's name, not a command
    assert commands == COMMANDS
    assert not {c.split("-")[0] for c in commands} & CHANGING_VERBS
    # The one thing it creates is its own output folder (New-Item), then writes in it.
    assert re.findall(r"New-Item [^\n]*", CODE) == ["New-Item -ItemType Directory -Path $Folder"]
    # External programs: wevtutil only exports (epl), net only lists.
    assert re.findall(r"wevtutil\.exe (\w+)", CODE) == ["epl"]
    assert re.findall(r"& (\w+\.exe)", CODE) == ["net.exe", "wevtutil.exe"]
    net_verbs = {args.split(", ")[0] for args in re.findall(r"Net = @\(([^)]*)\)", CODE)}
    assert net_verbs == {"'group'", "'localgroup'"}
    assert "Save-NetOutput @('accounts')" in CODE
    assert not re.search(r"/(add|delete|del|active|times|domain:)\b", CODE, re.IGNORECASE)


def test_xpath_query_names_evtdiags_provider() -> None:
    defaults = re.findall(r"'([^']+)'", _script_value(r"\[string\[\]\]\$Provider = @\(([^)]*)\)"))
    assert tuple(defaults) == DEFAULT_PROVIDERS
    assert _script_value(r'\$Names = \(\$Provider \| ForEach-Object \{ "(@Name=\'\$_\')" \}\)')
    assert _script_value(r'\$Query = "(.*)"') == "*[System[Provider[$Names]]]"
    # As the script builds it for the default provider:
    query = "*[System[Provider[" + " or ".join(f"@Name='{p}'" for p in defaults) + "]]]"
    assert query == "*[System[Provider[@Name='Microsoft-Windows-IDMU-PSync']]]"
    assert '& wevtutil.exe epl $Channel $Target "/q:$Query"' in CODE
    assert _script_value(r"\$Channels = @\(([^)]*)\)") == "'Application', 'System'"


def test_file_names_are_those_windows_reads() -> None:
    assert tuple(_group_names()) == GROUPS
    assert '$Csv = Join-Path $Folder "$Name.csv"' in CODE
    assert 'Save-NetOutput $Group.Net (Join-Path $Folder "$Name.txt")' in CODE
    assert "(Join-Path $Folder 'net-accounts.txt')" in CODE
    assert '"$Computer-$Channel-PSync.evtx"' in CODE
    # Flat: the zip holds the folder's files only (Compress-Archive of 5.1 writes "\"
    # between folder names, which is part of a file name everywhere else).
    assert "Compress-Archive -Path (Join-Path $Folder '*')" in CODE
    assert CODE.count("New-Item") == 1


def _collected(folder: Path) -> Path:
    """The folder as the script leaves it on DC01, every file as its command writes it."""
    folder.mkdir()
    start = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
    refusals = [("jürgen", 12290), ("svc_sql", 12289), ("alice", 12294), ("bob", 12291)]
    write_evtx_file(
        folder / "DC01-Application-PSync.evtx",
        [
            WriterEvent(
                DEFAULT_PROVIDERS[0],
                event_id,
                start + timedelta(minutes=n),
                100 + n,
                "DC01.corp.example.com",
                level=4 if event_id == 12291 else 2,
                data=(user, "web01") if event_id in (12294, 12291) else (user,),
            )
            for n, (user, event_id) in enumerate(refusals)
        ],
    )
    write_evtx_file(folder / "DC01-System-PSync.evtx", [])
    names = _group_names()
    # PasswordPropAllow: Get-ADGroupMember -Recursive, so "carol" (of a nested group) is
    # a member row like the others; a non-ASCII name survives in UTF-8.
    (folder / f"{names[0]}.csv").write_bytes(
        export_csv(
            [
                ("Alice Smith", "user", "alice", "1104"),
                ("Bob Jones", "user", "bob", "1105"),
                ("Carol Nested", "user", "carol", "1106"),
                ("Jürgen Groß", "user", "jürgen.groß", "1107"),
            ]
        )
    )
    (folder / f"{names[1]}.txt").write_bytes(out_file(NET_GROUP))  # net group (no AD module)
    # Administrators: it exists and Get-ADGroupMember returned nobody.
    (folder / f"{names[2]}.csv").write_bytes(
        out_file([f"# {names[2]} exists and has no member (Get-ADGroupMember -Recursive)"])
    )
    (folder / f"{names[3]}.txt").write_bytes(out_file(NET_NOT_FOUND))  # no such group
    (folder / "net-accounts.txt").write_bytes(out_file(NET_ACCOUNTS))
    (folder / "domain-password-policy.txt").write_bytes(
        out_file(["", "ComplexityEnabled           : True", "MinPasswordLength           : 7"])
    )
    (folder / "collect-windows.log").write_bytes(out_file(["evtdiag collect-windows on DC01"]))
    return folder


def test_collected_folder_reads_as_windows_settings(tmp_path: Path) -> None:
    side = load_windows(str(_collected(tmp_path / "evtdiag-windows-DC01")))
    assert side.warnings == ()
    allow, deny, admins, domain_admins = (side.group(name) for name in GROUPS)
    assert allow.format == "csv" and allow.exists
    assert allow.members == ("alice", "bob", "carol", "jürgen.groß")
    assert deny.format == "net"
    assert deny.members == ("krbtgt", "svc_backup", "svc_sql", "svc_monitor")
    assert admins.supplied and admins.exists and admins.members == ()
    assert domain_admins.supplied and domain_admins.exists is False
    assert side.policy_supplied
    assert {s.name: s.value for s in side.policy} == {
        "min_days": 1, "max_days": 42, "min_length": 7, "history": 24,
    }  # fmt: skip


def test_collected_folder_feeds_the_report(runner, tmp_path: Path) -> None:
    folder = _collected(tmp_path / "evtdiag-windows-DC01")
    evtx = sorted(str(p) for p in folder.glob("*.evtx"))
    out = tmp_path / "r.json"
    args = ["report", *evtx, "--windows", str(folder), "--success-id", "12291"]
    result = runner.invoke(cli, [*args, "--format", "json", "-q", "-o", str(out)])
    assert result.exit_code == 1, result.output
    document = json.loads(out.read_text())
    assert [i["psync_events"] for i in document["inputs"]] == [4, 0]
    groups = {g["group"]: g for g in document["windows_groups"]}
    allow = groups["PasswordPropAllow"]
    assert allow["supplied"] and len(allow["members"]) == 4
    causes = {p["account"]: p["cause"] for p in document["problems"]}
    assert causes["jürgen"] == "windows-not-in-allow-group"
    assert causes["svc_sql"] == "windows-deny-group"
    assert not [w for w in document["config_warnings"] if "evtdiag-windows-DC01" in w["file"]]


@pytest.mark.parametrize("flag", [[], ["--windows"]])
def test_collect_script_command_prints_each_script(runner, flag: list[str]) -> None:
    result = runner.invoke(cli, ["collect-script", *flag])
    assert result.exit_code == 0
    assert result.output.startswith("<#" if flag else "#!/bin/sh")
    if flag:
        assert result.output == SCRIPT
