"""A small PSync log and the CLI runs over it, for tests of what configuration files
(and the names in events) do to every output."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from evtdiag.cli import cli
from tests.support.evtx_writer import WriterEvent, write_evtx

PSYNC = "Microsoft-Windows-IDMU-PSync"
START = datetime(2026, 9, 14, 8, 0, tzinfo=timezone.utc)
REPORT_FORMATS = ("html", "json", "text")


def write_psync_log(path: Path, users: tuple[str, ...], host: str) -> Path:
    """An EVTX file where DC01 logs one refusal (12294) per user for ``host``."""
    events = [
        WriterEvent(
            PSYNC,
            12294,
            START + timedelta(minutes=i),
            i + 1,
            "DC01.corp.example.com",
            level=2,
            qualifiers=0xC000,
            data=(user, host),
        )
        for i, user in enumerate(users)
    ]
    path.write_bytes(write_evtx(events))
    return path


def run(*args: str) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr) of one evtdiag command."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout + result.stderr


def reports(log: Path, hosts: Path, out: Path, *options: str) -> dict[str, str]:
    """``evtdiag report`` in every format (with ``options``), each output with what was
    printed while writing it."""
    outputs = {}
    for fmt in REPORT_FORMATS:
        target = out / f"report.{fmt}"
        code, printed = run(
            "report", str(log), "--hosts", str(hosts), "-q", "--format", fmt, "-o", str(target),
            *options,
        )  # fmt: skip
        assert code in (0, 1), printed
        outputs[fmt] = target.read_text(encoding="utf-8") + printed
    return outputs
