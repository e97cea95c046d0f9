"""A record read from an .evtx file that stays where it is keeps no XML: the XML is made
again from the file when it is shown, and it is the XML the reader kept before (the
template and its values, or the text of a decoded tree), for templated, template-less
and damaged-chunk records alike. The records read keep a few dozen bytes each."""

from __future__ import annotations

import gc
import shutil
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evtdiag.errors import InputChanged
from evtdiag.logs.evtx.layout import CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_SIZE
from evtdiag.logs.evtx.ranges import read_range, slot_count
from evtdiag.logs.providers import AllProviders, ProviderMatcher
from evtdiag.logs.store import LocatedXml
from tests.conftest import CORPUS, SAMPLE_LOGS, corpus_counts
from tests.logs.reading import read_logs
from tests.support.evtx_writer import WriterEvent, write_evtx

PSYNC = "Microsoft-Windows-IDMU-PSync"
START = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
COUNTS = corpus_counts()


def _events(count: int, start: int = 0) -> list[WriterEvent]:
    return [
        WriterEvent(PSYNC, 12294, START + timedelta(seconds=7 * i), 1000 + i, f"DC{i % 3}",
                    level=2, qualifiers=0xC000, data=(f"u<{i % 97}>&", f'h"{i % 13}'))
        for i in range(start, start + count)
    ]  # fmt: skip


def _read_both_ways(path: Path, tmp_path: Path) -> tuple[list, list]:
    """Every record of ``path`` read as it is (XML made again from the file), and read
    from a copy under another name, which keeps the XML as the reader made it."""
    copy = tmp_path / "copy-of-the-log"
    shutil.copyfile(path, copy)
    stop = slot_count(path.stat().st_size)
    located = read_range(str(path), 0, stop, AllProviders()).events
    kept = read_range(str(copy), 0, stop, AllProviders(), label=str(path)).events
    return list(located), list(kept)


def _assert_same_xml(path: Path, tmp_path: Path) -> int:
    located, kept = _read_both_ways(path, tmp_path)
    assert located and all(isinstance(r.xml_source, LocatedXml) for r in located)
    assert not any(isinstance(r.xml_source, LocatedXml) for r in kept)
    assert [r.xml for r in located] == [r.xml for r in kept], path
    assert located == kept
    return len(located)


@pytest.mark.parametrize("templated", [True, False])
def test_xml_made_again_is_the_xml_kept(tmp_path: Path, templated: bool) -> None:
    log = tmp_path / "psync.evtx"
    log.write_bytes(write_evtx(_events(900), templated=templated))
    assert _assert_same_xml(log, tmp_path) == 900


def test_xml_made_again_for_every_sample_log(tmp_path: Path) -> None:
    """The sample logs: real templates, and records only python-evtx decodes."""
    assert sum(_assert_same_xml(p, tmp_path) for p in sorted(SAMPLE_LOGS.glob("*.evtx"))) > 100


@pytest.mark.skipif(not COUNTS, reason=f"real-log corpus not found at {CORPUS}")
def test_xml_made_again_for_every_corpus_log(tmp_path: Path) -> None:
    """Real logs: optional values, nested BinXml, arrays, SIDs, damaged records."""
    assert sum(_assert_same_xml(CORPUS / name, tmp_path) for name in sorted(COUNTS)) > 30_000


def test_xml_made_again_from_damaged_and_truncated_chunks(tmp_path: Path) -> None:
    data = bytearray(write_evtx(_events(900)))
    second = FILE_HEADER_SIZE + CHUNK_SIZE
    data[second + CHUNK_HEADER_SIZE + 40] ^= 0xFF  # inside the first record of chunk 1
    data[FILE_HEADER_SIZE + 100] ^= 0xFF  # chunk 0's header: checksum mismatch
    log = tmp_path / "damaged.evtx"
    log.write_bytes(bytes(data[: second + CHUNK_SIZE // 2]))  # chunk 1 truncated
    located, kept = _read_both_ways(log, tmp_path)
    assert any(r.unverified for r in located) and len(located) > 100
    assert [r.xml for r in located] == [r.xml for r in kept]


def test_a_log_changed_after_reading_is_said_so(tmp_path: Path) -> None:
    log = tmp_path / "live.evtx"
    log.write_bytes(write_evtx(_events(10)))
    (record, *_) = read_logs([str(log)], ProviderMatcher()).events
    log.write_bytes(write_evtx(_events(10, start=500)))
    with pytest.raises(InputChanged, match=r"live\.evtx: offset 0x1200 no longer holds the record"):
        record.xml  # noqa: B018


def test_records_read_keep_no_object_per_field(tmp_path: Path) -> None:
    """20,000 PSync events read (with 1,261 distinct user and host pairs) keep under 100
    bytes each: numbers in columns, what repeats once (each event took ~1.5 KB as objects)."""
    events = [
        WriterEvent(PSYNC, 12294, START + timedelta(seconds=i), 10 + i, "DC01", level=2,
                    data=(f"user{i % 97}", f"host{i % 13}"))
        for i in range(20_000)
    ]  # fmt: skip
    log = tmp_path / "dense.evtx"
    log.write_bytes(write_evtx(events))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = read_logs([str(log)], ProviderMatcher())
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(result.events) == 20_000
    assert kept / 20_000 < 100, kept / 20_000

