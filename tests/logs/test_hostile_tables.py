"""Chunks whose tables or names are hostile but whose checksums hold (made right after
the damage) are read whole, in bounded time: the reader never follows a table chain
into a loop, and reads a name by its stored length."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from evtdiag.logs.evtx.layout import CHUNK_SIZE, FILE_HEADER_SIZE
from tests.logs.test_evtx_reader import START
from tests.support.evtx_writer import WriterEvent, write_evtx_file

PSYNC = "Microsoft-Windows-IDMU-PSync"


def _patched_log(tmp_path: Path, patch) -> Path:
    """A template-less PSync log whose first chunk ``patch`` alters; CRCs made right."""
    events = [
        WriterEvent(PSYNC, 12294, START, i, "DC01", data=(("ruser", "bob"),)) for i in range(3)
    ]
    path = write_evtx_file(tmp_path / "log.evtx", events, templated=False)
    data = bytearray(path.read_bytes())
    chunk = memoryview(data)[FILE_HEADER_SIZE : FILE_HEADER_SIZE + CHUNK_SIZE]
    patch(chunk)
    free = struct.unpack_from("<I", chunk, 48)[0]
    struct.pack_into("<I", chunk, 52, zlib.crc32(chunk[512:free]))
    struct.pack_into("<I", chunk, 124, zlib.crc32(bytes(chunk[:120]) + bytes(chunk[128:512])))
    path.write_bytes(data)
    return path


def _events_output(path: Path) -> str:
    """``evtdiag events`` in a subprocess: a parser that loops forever fails the test."""
    done = subprocess.run(
        [sys.executable, "-m", "evtdiag", "events", str(path), "-q", "--format", "json",
         "-j", "1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _string_table_cycle(chunk: memoryview) -> None:
    """Two strings of the common-string table pointing at each other."""
    first, second = [o for o in struct.unpack_from("<64I", chunk, 128) if o][:2]
    struct.pack_into("<I", chunk, first, second)
    struct.pack_into("<I", chunk, second, first)


def _name_with_a_trailing_nul(chunk: memoryview) -> None:
    """ "Task" stored as "Tas\\0", its character count still 4."""
    chunk[bytes(chunk).find("Task".encode("utf-16-le")) + 6] = 0


@pytest.mark.parametrize("patch", [_string_table_cycle, _name_with_a_trailing_nul])
def test_hostile_tables_and_names_still_read_every_record(tmp_path: Path, patch) -> None:
    """A string-table cycle makes python-evtx (the fallback) and the Rust parser loop
    forever; a name cut by a NUL made our decoder skip its string by the shorter decoded
    length (both found by review fuzzing)."""
    path = _patched_log(tmp_path, patch)
    events = json.loads(_events_output(path))["events"]
    assert [e["user"] for e in events] == ["bob"] * 3
