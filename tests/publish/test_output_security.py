"""Outputs are safe with hostile input: no terminal control sequences, no spreadsheet
formulas, no secret, no path outside the folders given; hostile config files are warned
about with file:line while the other hosts are still read."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from evtdiag.cli import cli
from evtdiag.render.events import csv_cell
from tests.support.evtx_writer import WriterEvent, write_evtx

PSYNC = "Microsoft-Windows-IDMU-PSync"
WHEN = datetime(2026, 9, 14, 8, 0, tzinfo=timezone.utc)
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CANARY_KEY = "CanaryKey7Zq!xW3rT9pLm"
CANARY_HASH = "$6$canarysalt$CanaryHashValueThatMustNeverBePrinted0123456789"


@pytest.fixture
def hostile_log(tmp_path: Path) -> Path:
    events = [
        WriterEvent(PSYNC, 12294, WHEN, 1, "DC01\u202eexe.txt", data=("=HYPERLINK(1)", "web01")),
        WriterEvent(PSYNC, 12294, WHEN, 2, "DC01", data=("alice\x1b]0;pwned\x07", "\x1b[2Jweb")),
        WriterEvent(PSYNC, 12294, WHEN, 3, "DC01", data=("+cmd|' /C calc'!A0", "@SUM(1)")),
        WriterEvent(PSYNC, 12294, WHEN, 4, "DC01", data=("-2+3", "\tweb")),
    ]
    path = tmp_path / "dc\x1b[31m01.evtx"
    path.write_bytes(write_evtx(events))
    return path


@pytest.mark.parametrize("output_format", ["table", "csv"])
def test_text_outputs_carry_no_control_characters(runner, hostile_log, output_format) -> None:
    result = runner.invoke(cli, ["events", str(hostile_log), "--format", output_format])
    assert result.exit_code == 0, result.stderr
    assert not RAW_CONTROL.search(result.stdout.replace("\t", "")), result.stdout
    assert not RAW_CONTROL.search(result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stdout and "\\u202e" in result.stdout
    assert "dc\\x1b[31m01.evtx" in result.stderr


def test_csv_cells_never_start_a_formula(runner, hostile_log) -> None:
    result = runner.invoke(cli, ["events", str(hostile_log), "--format", "csv"])
    rows = list(csv.reader(io.StringIO(result.stdout)))
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row
    users = {row[4] for row in rows[1:]}
    assert {"'=HYPERLINK(1)", "'+cmd|' /C calc'!A0", "'-2+3"} <= users
    assert csv_cell("2026-09-14T08:00:00Z") == "2026-09-14T08:00:00Z"
    assert csv_cell(12294) == "12294"


def test_json_escapes_control_characters(runner, hostile_log) -> None:
    result = runner.invoke(cli, ["events", str(hostile_log), "--format", "json"])
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    users = {e["user"] for e in json.loads(result.stdout)["events"]}
    assert "alice\x1b]0;pwned\x07" in users  # the data itself is kept exactly


def test_error_messages_are_printable(runner, tmp_path) -> None:
    path = tmp_path / "x\x1b[2J.xml"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE Events [<!ENTITY a "b">]><Events/>')
    result = runner.invoke(cli, ["events", str(path)])
    assert result.exit_code == 3 and "\x1b" not in result.stderr
    assert "x\\x1b[2J.xml" in result.stderr


def _host(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def test_check_config_output_is_printable_secret_free_and_survives_hostile_files(
    runner, tmp_path
) -> None:
    hosts = tmp_path / "hosts"
    sso = f"SYNC_HOSTS=(dc01, 6677, {CANARY_KEY})\nENCRYPT_KEY={CANARY_KEY}\nSYNC_USERS=-root\n"
    _host(
        hosts / "web\x1b[2J01",
        {
            "sso.conf": sso.replace("\n", "\r").encode("utf-16"),  # UTF-16, CR-only line ends
            "passwd": b"root:x:0:0::/root:/bin/sh\n\x00\x01\xff\xfe junk\n"
            b"alice:x:1000:1000::/:/bin/sh\n",
            "shadow": f"root:{CANARY_HASH}:19000:0:99999:7:::\n".encode(),
        },
    )
    _host(hosts / "web02", {"sso.conf": b"SYNC_USERS=ALL" + b"A" * (10 * 1024 * 1024)})
    _host(hosts / "web03", {"sso.conf": b"SYNC_USERS=alice\n"})
    result = runner.invoke(cli, ["check-config", "--hosts", str(hosts)])
    assert result.exit_code == 1  # warnings
    out = result.stdout
    assert CANARY_KEY not in out and CANARY_HASH not in out and "canarysalt" not in out
    assert not RAW_CONTROL.search(out.replace("\t", ""))
    assert "web\\x1b[2J01" in out
    assert "passwd:2: line ignored: NUL bytes or binary data" in out
    assert "sso.conf:1: line of" in out and "ignored" in out  # the 10 MB line, web02
    assert "== web03" in out and "only alice" in out  # the other hosts are still read
    assert "SYNC_USERS: everyone (only exclusions) except root" in out


def test_host_folders_never_lead_outside_the_hosts_dir(runner, tmp_path) -> None:
    hosts = tmp_path / "hosts"
    hosts.mkdir()
    (hosts / "web01%2F..%2F..%2Fetc").mkdir()  # a name that looks like a path, stays a name
    (hosts / "web01%2F..%2F..%2Fetc" / "sso.conf").write_bytes(b"SYNC_USERS=ALL\n")
    (hosts / "etc").symlink_to("/etc")  # a link out is refused
    result = runner.invoke(cli, ["check-config", "--hosts", str(hosts)])
    assert "== web01%2F..%2F..%2Fetc" in result.stdout
    assert "root:x:0:0" not in result.stdout and "== etc" not in result.stdout
    assert "outside" in result.stdout
