"""The .evtx reader on files whose content is known exactly (written by
tests/support/evtx_writer.py)."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.evtx.layout import CHUNK_SIZE, FILE_HEADER_SIZE
from evtdiag.logs.providers import AllProviders
from tests.logs.reading import read_input, read_logs
from tests.support.evtx_writer import WriterEvent, write_evtx, write_evtx_file

PSYNC = "Microsoft-Windows-IDMU-PSync"
START = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)


def mixed_events(count: int = 400, every: int = 10) -> list[WriterEvent]:
    """Mostly noise, with a PSync event every ``every`` records (like a real DC log)."""
    events = []
    for i in range(count):
        when = START + timedelta(minutes=7 * i, microseconds=i)
        if i % every == 3:
            events.append(
                WriterEvent(
                    PSYNC,
                    12294,
                    when,
                    1000 + i,
                    "DC01.corp.example.com",
                    level=2,
                    qualifiers=0xC000,
                    data=(f"user{i}", "web01"),
                )
            )
        else:
            events.append(
                WriterEvent(
                    "Microsoft-Windows-Security-SPP",
                    16384,
                    when,
                    1000 + i,
                    "DC01.corp.example.com",
                    data=(("Name", f"value {i} é"), ("Other", "x" * (i % 50))),
                )
            )
    return events


def psync_records(path: Path):
    return read_input(path, ProviderMatcher())


@pytest.mark.parametrize("templated", [True, False], ids=["templated", "template-less"])
def test_reads_exactly_what_was_written(tmp_path: Path, templated: bool) -> None:
    events = mixed_events()
    path = write_evtx_file(tmp_path / "dc01.evtx", events, templated=templated)
    coverage, records = psync_records(path)
    expected = [e for e in events if e.provider == PSYNC]
    assert coverage.records == len(events)
    assert coverage.psync_events == len(expected) == len(records)
    assert not coverage.skipped
    for written, read in zip(expected, sorted(records, key=lambda r: r.record_id), strict=True):
        assert read.provider == PSYNC
        assert (read.event_id, read.qualifiers, read.level) == (12294, 0xC000, 2)
        assert (read.channel, read.computer) == ("Application", "DC01.corp.example.com")
        assert read.record_id == written.record_id
        assert read.time_created == written.time_created
        assert read.data == written.data and read.data_names == ("", "")
        assert not read.unverified
        assert f"<EventRecordID>{written.record_id}</EventRecordID>" in read.xml


def test_named_data_and_all_providers(tmp_path: Path) -> None:
    events = mixed_events(60)
    path = write_evtx_file(tmp_path / "a.evtx", events)
    _, records = read_input(path, AllProviders())
    noise = [r for r in records if r.provider != PSYNC]
    assert noise[0].data_names == ("Name", "Other")
    assert noise[0].data[0].endswith("é")
    assert len(records) == 60


def test_provider_names_compare_case_insensitively(tmp_path: Path) -> None:
    event = WriterEvent("Microsoft-Windows-IDMU-Psync", 12294, START, 1, "DC01", data=("a", "b"))
    path = write_evtx_file(tmp_path / "a.evtx", [event])
    assert len(psync_records(path)[1]) == 1


def test_extra_provider_names(tmp_path: Path) -> None:
    event = WriterEvent("PswdSync", 12294, START, 1, "DC01", data=("a", "b"))
    path = write_evtx_file(tmp_path / "a.evtx", [event])
    assert read_input(path, ProviderMatcher())[1] == []
    assert len(read_input(path, ProviderMatcher([PSYNC, "PswdSync"]))[1]) == 1


@pytest.mark.parametrize("name", ["Ünïcode-Prövider", "Łódź-Sync", "ÅSYNC"])
def test_non_ascii_provider_names_are_found_and_fold_ascii_only(tmp_path: Path, name: str) -> None:
    """The chunk prefilter folds only ASCII letters (``bytes.lower()``); so does the
    name comparison. A name with ``Ü`` or ``Ł`` (``41 01`` in UTF-16LE) is found with
    its ASCII letters in any case, and not with its other letters recased."""
    noise = mixed_events(40)
    event = WriterEvent(name, 12294, START, 1, "DC01", data=("a", "b"))
    path = write_evtx_file(tmp_path / "a.evtx", [*noise, event])
    ascii_recased = "".join(c.swapcase() if c.isascii() else c for c in name)
    for given in (name, ascii_recased):
        (record,) = read_input(path, ProviderMatcher([given]))[1]
        assert record.provider == name
    other_recased = "".join(c if c.isascii() else c.swapcase() for c in name)
    assert read_input(path, ProviderMatcher([other_recased]))[1] == []


def test_header_that_undercounts_chunks(tmp_path: Path) -> None:
    events = mixed_events(600)
    path = write_evtx_file(tmp_path / "a.evtx", events, header_chunk_count=1, dirty=True)
    coverage, records = psync_records(path)
    assert coverage.records == 600 and len(records) == 60
    assert coverage.dirty is True


def test_record_ids_come_from_the_xml_not_the_record_header(tmp_path: Path) -> None:
    events = mixed_events(30)
    path = write_evtx_file(tmp_path / "a.evtx", events, first_record_number=1)
    _, records = psync_records(path)
    assert [r.record_id for r in records] == [e.record_id for e in events if e.provider == PSYNC]


def test_ansi_values_are_decoded(tmp_path: Path) -> None:
    event = WriterEvent(PSYNC, 12294, START, 1, "DC01", data=("jürgen", "web01"), ansi_data=True)
    _, records = psync_records(write_evtx_file(tmp_path / "a.evtx", [event]))
    assert records[0].data == ("jürgen", "web01")


def _chunk_offset(index: int) -> int:
    return FILE_HEADER_SIZE + index * CHUNK_SIZE


def _damaged(tmp_path: Path, events: list[WriterEvent], at: int, data: bytes, **kw) -> Path:
    raw = bytearray(write_evtx(events, **kw))
    raw[at : at + len(data)] = data
    path = tmp_path / "damaged.evtx"
    path.write_bytes(bytes(raw))
    return path


def test_data_crc_mismatch_still_reads_and_flags(tmp_path: Path) -> None:
    events = mixed_events(50)
    # Flip one byte of a value in the last record of the chunk: the CRC no longer matches.
    raw = write_evtx(events)
    free_space = struct.unpack_from("<I", raw, _chunk_offset(0) + 48)[0]
    path = _damaged(tmp_path, events, _chunk_offset(0) + free_space - 40, b"\x01")
    coverage, records = psync_records(path)
    assert len(records) == 5
    assert all(r.unverified for r in records)
    assert [s.lost for s in coverage.skipped] == [False]
    assert "data checksum" in coverage.skipped[0].reason


def test_bad_chunk_magic_skips_that_chunk_only(tmp_path: Path) -> None:
    events = mixed_events(300)
    path = _damaged(tmp_path, events, _chunk_offset(0), b"XXXXXXXX", records_per_chunk=100)
    coverage, records = psync_records(path)
    assert coverage.records == 200 and len(records) == 20
    (skip,) = coverage.skipped
    assert skip.lost and skip.place.chunk == 0 and skip.place.offset == FILE_HEADER_SIZE


def test_damaged_record_is_skipped_and_reading_resumes(tmp_path: Path) -> None:
    events = mixed_events(40)
    path = _damaged(tmp_path, events, _chunk_offset(0) + 512, b"JUNK")
    coverage, records = psync_records(path)
    assert coverage.records == 39
    assert len(records) == 4
    lost = [s for s in coverage.skipped if s.lost]
    assert lost and lost[0].place.offset == _chunk_offset(0) + 512
    assert "resumed" in lost[0].reason


def test_undecodable_record_in_a_candidate_chunk_is_reported(tmp_path: Path) -> None:
    events = mixed_events(20)
    raw = bytearray(write_evtx(events))
    # Corrupt the BinXML of the first record (after its 24-byte header), keep the frame.
    start = _chunk_offset(0) + 512 + 24
    raw[start : start + 8] = b"\x77" * 8
    path = tmp_path / "a.evtx"
    path.write_bytes(bytes(raw))
    coverage, _ = psync_records(path)
    reasons = [s.reason for s in coverage.skipped if s.lost]
    assert any("not decodable" in r for r in reasons)


def test_chunks_without_a_psync_provider_are_not_decoded(tmp_path: Path) -> None:
    events = [e for e in mixed_events(20) if e.provider != PSYNC]
    raw = bytearray(write_evtx(events))
    # The second record: the first one is decoded anyway, to name the log's computer.
    second = _chunk_offset(0) + 512 + struct.unpack_from("<I", raw, _chunk_offset(0) + 516)[0]
    raw[second + 24 : second + 32] = b"\x77" * 8  # would be undecodable, were it decoded
    path = tmp_path / "a.evtx"
    path.write_bytes(bytes(raw))
    coverage, _ = psync_records(path)
    assert not [s for s in coverage.skipped if s.lost]
    full, _ = read_input(path, AllProviders())
    assert [s for s in full.skipped if s.lost]


def test_truncated_file_reads_the_complete_records(tmp_path: Path) -> None:
    events = mixed_events(300)
    raw = write_evtx(events, records_per_chunk=100)
    cut = _chunk_offset(2) + 20000
    path = tmp_path / "cut.evtx"
    path.write_bytes(raw[:cut])
    coverage, records = psync_records(path)
    assert 200 < coverage.records < 300
    assert any("truncated" in s.reason for s in coverage.skipped)
    assert len(records) == len([e for e in events[: coverage.records] if e.provider == PSYNC])


def test_overlapping_exports_are_deduplicated_and_counted(tmp_path: Path) -> None:
    events = mixed_events(200)
    first = write_evtx_file(tmp_path / "a.evtx", events[:150])
    second = write_evtx_file(tmp_path / "b.evtx", events[100:])
    result = read_logs([str(first), str(second)], ProviderMatcher())
    assert len(result.events) == 20
    assert [c.duplicates for c in result.inputs] == [0, 5]
    assert [c.psync_events for c in result.inputs] == [15, 5]


def test_not_evtx_is_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "notes.evtx").write_text("not a log")
    (tmp_path / "empty.evtx").write_bytes(b"")
    result = read_logs([str(tmp_path)], ProviderMatcher())
    notes = {Path(c.path).name: c.note for c in result.inputs}
    assert notes == {
        "empty.evtx": "empty file",
        "notes.evtx": "not an event log (no EVTX, XML, CLIXML, JSON, wevtutil text or CSV event "
        "export signature)",
    }
