"""The Rust backend gives exactly the records our decoder gives: every field and the XML
text, for every provider, on the corpus, the sample logs and dense logs; and it really
builds records (it cannot pass by falling back everywhere). Without ``evtx`` installed
everything reads as before."""

from __future__ import annotations

import json
import pickle
import struct
import subprocess
import sys
import zlib
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evtdiag.cli import cli
from evtdiag.logs import ProviderMatcher, binxml, read_logs, rust_backend
from evtdiag.logs.evtx import CHUNK_SIZE, FILE_HEADER_SIZE, read_chunk
from evtdiag.logs.formats import ReadOptions
from evtdiag.logs.providers import AllProviders
from evtdiag.model import EventRecord
from tests.conftest import CORPUS, SAMPLE_LOGS, needs_corpus
from tests.evtx_writer import WriterEvent, write_evtx, write_evtx_file
from tests.logs.test_evtx_reader import START
from tests.test_bench import _build_module

needs_rust = pytest.mark.skipif(
    not rust_backend.available(), reason="the Rust evtx parser (extra 'fast') is not installed"
)

PSYNC = "Microsoft-Windows-IDMU-PSync"


def _view(event: EventRecord) -> tuple:
    """Every field, with the XML as text (its source may be kept in different forms)."""
    return (*(getattr(event, f.name) for f in fields(event) if f.name != "xml_source"), event.xml)


def _compare(path: Path, reader: rust_backend.ReaderChoice = "rust") -> int:
    """Read every chunk with ``reader`` and our decoder; return the records Rust built.

    A chunk in which Rust built nothing went through our decoder alone, so only the
    chunks it built records for are read a second time.
    """
    data = path.read_bytes()
    built = 0
    for index in range(max(0, -(-(len(data) - FILE_HEADER_SIZE) // CHUNK_SIZE))):
        start = FILE_HEADER_SIZE + index * CHUNK_SIZE
        chunk = data[start : start + CHUNK_SIZE]
        args = {"path": str(path), "index": index, "wanted": AllProviders()}
        fast = read_chunk(chunk, **args, reader=reader)
        if not fast.rust_records:
            continue
        built += fast.rust_records
        ours = read_chunk(chunk, **args, reader="builtin")
        assert ours.rust_records == 0
        assert [_view(e) for e in fast.events] == [_view(e) for e in ours.events], (path, index)
        assert (fast.records, fast.skipped) == (ours.records, ours.skipped)
    return built


@needs_rust
@needs_corpus
def test_same_records_on_the_corpus() -> None:
    built = sum(_compare(path) for path in sorted(CORPUS.rglob("*.evtx")))
    assert built > 1000  # real logs mostly carry nested BinXml values: those fall back


@needs_rust
def test_same_records_on_the_sample_logs() -> None:
    assert sum(_compare(path) for path in sorted(SAMPLE_LOGS.glob("*.evtx"))) > 0


@needs_rust
@pytest.mark.parametrize("templated", [True, False])
def test_same_records_on_dense_logs(tmp_path: Path, templated: bool) -> None:
    built = _build_module().dense(tmp_path / "dense.evtx", 5000, templated)
    assert _compare(built.path) == 5000  # every record through Rust
    # auto leaves template records to our decoder (faster there), not template-less ones
    assert _compare(built.path, "auto") == (0 if templated else 5000)


def _odd_events() -> list[WriterEvent]:
    """Values the Rust parser renders differently from us, among ordinary ones."""
    values = ["plain", "a\x00b", "", "\x00", "x\r\ny", "<&>\"'", "\x01", "\ufffe", "\ufffd"]
    return [
        WriterEvent(
            PSYNC,
            12294,
            START + timedelta(seconds=i),
            100 + i,
            "DC01",
            data=(value, ("N'\"<&", value)),
        )
        for i, value in enumerate(values)
    ]


@needs_rust
@pytest.mark.parametrize("templated", [True, False])
def test_odd_values_fall_back_to_our_decoder(tmp_path: Path, templated: bool) -> None:
    path = write_evtx_file(tmp_path / "odd.evtx", _odd_events(), templated=templated)
    built = _compare(path)
    assert 0 < built < len(_odd_events())


@needs_rust
def test_records_pickle_and_compare_equal(tmp_path: Path) -> None:
    """Workers send records back pickled; records compare equal whoever built them."""
    path = write_evtx_file(tmp_path / "odd.evtx", _odd_events(), templated=False)
    fast = read_logs([str(path)], ProviderMatcher(), options=ReadOptions(reader="rust"))
    ours = read_logs([str(path)], ProviderMatcher(), options=ReadOptions(reader="builtin"))
    assert pickle.loads(pickle.dumps(fast.events)) == fast.events == ours.events
    assert read_logs([str(path)], ProviderMatcher(), jobs=2).events == ours.events


@needs_rust
def test_a_chunk_the_parser_fails_on_gives_nothing() -> None:
    assert rust_backend.render_chunk(b"ElfChnk\x00" + bytes(CHUNK_SIZE - 8), 3) == {}


def test_without_evtx_everything_reads_as_before(
    monkeypatch: pytest.MonkeyPatch, runner, tmp_path: Path
) -> None:
    path = write_evtx_file(tmp_path / "odd.evtx", _odd_events(), templated=False)
    expected = read_logs([str(path)], ProviderMatcher(), options=ReadOptions(reader="builtin"))
    monkeypatch.setattr(rust_backend, "PyEvtxParser", None)
    assert not rust_backend.available()
    for reader in rust_backend.READERS:
        got = read_logs([str(path)], ProviderMatcher(), options=ReadOptions(reader=reader))
        assert [_view(e) for e in got.events] == [_view(e) for e in expected.events]
        assert got.inputs == expected.inputs
    refused = runner.invoke(cli, ["events", str(path), "--reader", "rust", "-q"])
    assert refused.exit_code == 2 and "fast" in refused.output


@needs_rust
def test_cli_reader_option_gives_the_same_output(runner, tmp_path: Path) -> None:
    path = write_evtx_file(tmp_path / "odd.evtx", _odd_events(), templated=False)
    outputs = {
        reader: runner.invoke(
            cli, ["events", str(path), "--format", "json", "-q", "--reader", reader]
        )
        for reader in rust_backend.READERS
    }
    assert {r.exit_code for r in outputs.values()} == {0}
    assert len({r.stdout for r in outputs.values()}) == 1


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


def _events_output(path: Path, reader: str) -> str:
    """``evtdiag events`` in a subprocess: a parser that loops forever fails the test."""
    done = subprocess.run(
        [sys.executable, "-m", "evtdiag", "events", str(path), "-q", "--format", "json",
         "-j", "1", "--reader", reader],
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


@needs_rust
@pytest.mark.parametrize("patch", [_string_table_cycle, _name_with_a_trailing_nul])
def test_hostile_tables_and_names_read_the_same_with_every_reader(tmp_path: Path, patch) -> None:
    """A string-table cycle made the Rust parser loop forever; a name cut by a NUL made our
    decoder skip its string by the shorter decoded length (found by review fuzzing)."""
    path = _patched_log(tmp_path, patch)
    outputs = {reader: _events_output(path, reader) for reader in rust_backend.READERS}
    assert len(set(outputs.values())) == 1, outputs
    assert len(json.loads(outputs["builtin"])["events"]) == 3


@pytest.mark.parametrize(
    ("vtype", "size", "fits"),
    [
        (binxml.TYPE_HEX_INT64, 4, False),  # the Rust parser would read 8 and shift the rest
        (binxml.TYPE_HEX_INT64, 8, True),
        (binxml.TYPE_GUID, 4, False),
        (binxml.TYPE_FILETIME, 8, True),
        (binxml.TYPE_NULL, 2, False),
        (binxml.TYPE_STRING, 3, False),
        (binxml.TYPE_SIZE_T, 8, True),
        (binxml.TYPE_SIZE_T, 2, False),
    ],
)
def test_values_whose_size_disagrees_with_their_type_are_not_trusted(
    vtype: int, size: int, fits: bool
) -> None:
    assert rust_backend._size_fits(bytes(16), 0, size, vtype) is fits


def test_a_sid_must_be_as_long_as_its_sub_authorities_say() -> None:
    sid = bytes([1, 2]) + bytes(6) + bytes(8)  # two sub-authorities: 16 bytes
    assert rust_backend._size_fits(sid, 0, 16, binxml.TYPE_SID)
    assert not rust_backend._size_fits(sid, 0, 12, binxml.TYPE_SID)


def _with_good_crcs(chunk: bytearray) -> bytes:
    free = struct.unpack_from("<I", chunk, 48)[0]
    if 512 <= free <= CHUNK_SIZE:
        struct.pack_into("<I", chunk, 52, zlib.crc32(chunk[512:free]))
    struct.pack_into("<I", chunk, 124, zlib.crc32(bytes(chunk[:120]) + bytes(chunk[128:512])))
    return bytes(chunk)


def _seed_chunk(templated: bool) -> bytes:
    events = [*_odd_events()[:2], *(e for e in _odd_events()[4:6])]
    data = write_evtx(events, templated=templated)
    return data[FILE_HEADER_SIZE : FILE_HEADER_SIZE + CHUNK_SIZE]


@needs_rust
@pytest.mark.parametrize("templated", [True, False])
def test_mutated_chunks_with_good_checksums_read_the_same_with_every_reader(
    templated: bool,
) -> None:
    """Damage the checksums do not reveal (they are recomputed) must never make the Rust
    path differ from our decoder: it may only fall back. How the four defects a review
    found by this kind of fuzzing (a table cycle, value sizes, a cut name, a repeated
    attribute) would have shown."""
    seed = _seed_chunk(templated)

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(
        changes=st.lists(
            st.tuples(st.integers(512, 4000), st.integers(0, 255)), min_size=1, max_size=4
        )
    )
    def run(changes: list[tuple[int, int]]) -> None:
        chunk = bytearray(seed)
        for offset, value in changes:
            chunk[offset] = value
        data = _with_good_crcs(chunk)
        args = {"path": "x", "index": 0, "wanted": AllProviders()}
        fast = read_chunk(data, **args, reader="rust")
        ours = read_chunk(data, **args, reader="builtin")
        assert [_view(e) for e in fast.events] == [_view(e) for e in ours.events]
        assert (fast.records, fast.skipped) == (ours.records, ours.skipped)

    run()
