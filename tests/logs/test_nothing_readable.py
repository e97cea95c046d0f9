"""An input of which no record could be read while places were lost is refused (exit 3,
with the first reason), whatever its format: not reported as a log without PSync
events, which would exit 0 (issue 26, item 10)."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from tests.conftest import SAMPLE_LOGS
from tests.support.evtx_writer import WriterEvent
from tests.support.export_writer import events_csv

PROVIDER = "Microsoft-Windows-IDMU-PSync"
HEADER = 4096
CHUNK = 65536


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def day_first_csv(path: Path) -> Path:
    when = datetime(2026, 9, 1, 10, 0, tzinfo=timezone.utc)
    events = [WriterEvent(PROVIDER, 12294, when, n, "DC01", data=("alice", "web01"))
              for n in range(3)]  # fmt: skip
    path.write_bytes(events_csv(events, date_format="%d/%m/%Y %H:%M:%S"))
    return path


def headless_evtx(path: Path) -> Path:
    """The demo's DC01 log with every chunk's ElfChnk signature destroyed."""
    data = bytearray((SAMPLE_LOGS / "DC01-Application.evtx").read_bytes())
    for offset in range(HEADER, len(data), CHUNK):
        data[offset : offset + 8] = b"XXXXXXXX"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", ["report", "events"])
def test_a_wrong_csv_date_format_refuses_the_export(tmp_path: Path, command: str) -> None:
    export = day_first_csv(tmp_path / "dc01.csv")
    code, _, err = run(command, str(export), "-q", "--csv-date-format", "%Y-%m-%d %H:%M")
    assert code == 3, err
    assert "dc01.csv:2: the time '01/09/2026 10:00:00' does not match '%Y-%m-%d %H:%M'" in err
    assert "no record could be read (3 damaged place(s)" in err
    code, _, err = run(command, str(export), "-q", "--csv-date-format", "%d/%m/%Y %H:%M:%S")
    assert code in (0, 1) and "could be read" not in err  # the right one reads it


def test_an_evtx_without_one_chunk_header_is_refused(tmp_path: Path) -> None:
    log = headless_evtx(tmp_path / "dc01.evtx")
    code, _, err = run("report", str(log), "-q", "--format", "json")
    assert code == 3, err
    assert "chunk 0, offset 0x1000: not a chunk (bad ElfChnk signature)" in err
    assert "no record could be read" in err


def test_beside_readable_logs_the_report_covers_them_and_exits_3(tmp_path: Path) -> None:
    log = headless_evtx(tmp_path / "dc01.evtx")
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(log, "inner.evtx")
    good = SAMPLE_LOGS / "DC02-Application.evtx"
    out = tmp_path / "r.json"
    code, _, err = run("report", str(good), str(archive), "-q", "--format", "json", "-o", str(out))
    assert code == 3, err
    assert "logs.zip!inner.evtx, chunk 0" in err
    inputs = json.loads(out.read_text())["inputs"]
    formats = {i["path"].rsplit("/", 1)[-1]: i["format"] for i in inputs}
    assert formats == {"DC02-Application.evtx": "evtx", "logs.zip!inner.evtx": "refused"}


def test_an_empty_log_is_not_refused(tmp_path: Path) -> None:
    """Nothing lost: a log that holds no record (a header, zeroed slots) is just empty."""
    data = (SAMPLE_LOGS / "DC01-Application.evtx").read_bytes()[:HEADER]
    empty = tmp_path / "empty.evtx"
    empty.write_bytes(data + bytes(2 * CHUNK))
    code, out, err = run("report", str(empty), "-q", "--format", "json")
    assert code == 0, err
    assert '"verdict": "no-psync-events"' in out
