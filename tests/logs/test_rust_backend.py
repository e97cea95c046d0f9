"""The Rust backend gives exactly the records our decoder gives: every field and the XML
text, for every provider, on the corpus, the sample logs and dense logs; and it really
builds records (it cannot pass by falling back everywhere). Without ``evtx`` installed
everything reads as before."""

from __future__ import annotations

import pickle
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest

from evtdiag.cli import cli
from evtdiag.logs import ProviderMatcher, read_logs, rust_backend
from evtdiag.logs.evtx import CHUNK_SIZE, FILE_HEADER_SIZE, read_chunk
from evtdiag.logs.formats import ReadOptions
from evtdiag.logs.providers import AllProviders
from evtdiag.model import EventRecord
from tests.conftest import CORPUS, SAMPLE_LOGS, needs_corpus
from tests.evtx_writer import WriterEvent, write_evtx_file
from tests.logs.test_evtx_reader import START
from tests.test_bench import _build_module

needs_rust = pytest.mark.skipif(
    not rust_backend.available(), reason="the Rust evtx parser (extra 'fast') is not installed"
)

PSYNC = "Microsoft-Windows-IDMU-PSync"


def _view(event: EventRecord) -> tuple:
    """Every field, with the XML as text (its source may be kept in different forms)."""
    return (*(getattr(event, f.name) for f in fields(event) if f.name != "xml_source"), event.xml)


def _compare(path: Path, reader: rust_backend.Reader = "rust") -> int:
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
