"""The fast paths (range reader, whole-window prefilter, worker processes) give exactly
what the plain chunk-by-chunk reader gives: same events, same coverage, same damage."""

from __future__ import annotations

import mmap
from dataclasses import replace
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.digest import sha256_file
from evtdiag.logs.evtx.chunk import Tally, read_chunk
from evtdiag.logs.evtx.layout import CHUNK_SIZE, FILE_HEADER_SIZE
from evtdiag.logs.evtx.prefilter import candidate_chunks
from evtdiag.logs.evtx.ranges import evtx_coverage, ranges, read_range
from evtdiag.logs.inputs import count_origins
from evtdiag.logs.providers import AllProviders
from evtdiag.logs.sources import SNIFF_SIZE, Source
from tests.conftest import CORPUS, SAMPLE_LOGS, corpus_counts, needs_corpus
from tests.logs.reading import read_logs
from tests.logs.test_evtx_reader import START, mixed_events
from tests.support.evtx_writer import WriterEvent, write_evtx_file

PSYNC = "Microsoft-Windows-IDMU-PSync"


def plain_read(path: Path, matcher: ProviderMatcher):
    """The reference: every slot through read_chunk, identify until a computer is known."""
    name = str(path)
    data = path.read_bytes()
    result = Tally()
    for index in range(max(0, -(-(len(data) - FILE_HEADER_SIZE) // CHUNK_SIZE))):
        start = FILE_HEADER_SIZE + index * CHUNK_SIZE
        result.add(
            read_chunk(
                data[start : start + CHUNK_SIZE],
                path=name,
                index=index,
                wanted=matcher,
                identify=result.computer is None,
            )
        )
    source = Source(name, name, len(data), data[:SNIFF_SIZE], "evtx")
    return evtx_coverage(source, sha256_file(path), [result])


def _same(path: Path, matcher: ProviderMatcher, jobs: tuple[int, ...] = (1, 2)) -> None:
    expected = plain_read(path, matcher)
    for count in jobs:
        got = read_logs([str(path)], matcher, jobs=count)
        # The origins of user and host are counted over the events kept (read_files).
        unique = _unique(expected[1])
        origins = count_origins(unique) if unique else ()
        assert got.inputs[0] == replace(expected[0], origins=origins), count
        assert list(got.events) == unique, count


def _unique(events):
    seen, out = set(), []
    for event in events:
        if event.identity not in seen:
            seen.add(event.identity)
            out.append(event)
    return out


def test_sample_logs_same_with_any_number_of_jobs() -> None:
    results = [read_logs([str(SAMPLE_LOGS)], ProviderMatcher(), jobs=j) for j in (1, 2, 3)]
    assert results[0].events and results[0] == results[1] == results[2]
    for path in sorted(SAMPLE_LOGS.glob("*.evtx")):
        _same(path, ProviderMatcher(), jobs=(1,))


@needs_corpus
def test_corpus_same_as_plain_reader() -> None:
    # Providers found in some chunks only, so that both paths (count, decode) are taken.
    matcher = ProviderMatcher(["Service Control Manager", "Microsoft-Windows-Eventlog"])
    assert corpus_counts(), "the corpus has no counts.json: nothing would be compared"
    for relative in sorted(corpus_counts()):
        _same(CORPUS / relative, matcher, (1,))
    # every file at once, with workers
    files = [str(CORPUS / r) for r in sorted(corpus_counts())]
    assert read_logs(files, matcher, jobs=1) == read_logs(files, matcher, jobs=2)


def test_dense_and_multi_range_file_same(tmp_path: Path) -> None:
    events = [
        WriterEvent(PSYNC, 12294, START, i, "DC01", level=2, data=(f"u{i}", "h"))
        for i in range(3000)
    ] + mixed_events(2000)
    path = write_evtx_file(tmp_path / "dense.evtx", events, records_per_chunk=5)
    assert len(ranges(path.stat().st_size)) > 2
    _same(path, ProviderMatcher(), (1, 2, 3))
    _same(path, AllProviders(), (2,))


def test_damaged_file_same(tmp_path: Path) -> None:
    path = write_evtx_file(tmp_path / "d.evtx", mixed_events(3000), records_per_chunk=7)
    data = bytearray(path.read_bytes())
    data[FILE_HEADER_SIZE + 3 * CHUNK_SIZE + 600] ^= 0xFF  # data CRC and a record
    data[FILE_HEADER_SIZE + 300 * CHUNK_SIZE : FILE_HEADER_SIZE + 300 * CHUNK_SIZE + 8] = b"x" * 8
    data[FILE_HEADER_SIZE + 301 * CHUNK_SIZE + 100] ^= 0x01  # header CRC
    path.write_bytes(bytes(data[: len(data) - 1000]))  # and truncated
    coverage = plain_read(path, ProviderMatcher())[0]
    assert len(coverage.skipped) >= 3
    _same(path, ProviderMatcher(), (1, 2))


def test_computer_found_only_in_a_later_range(tmp_path: Path) -> None:
    path = write_evtx_file(tmp_path / "c.evtx", mixed_events(3000), records_per_chunk=7)
    data = bytearray(path.read_bytes())
    for index in range(300):  # no chunk of the first range is readable
        at = FILE_HEADER_SIZE + index * CHUNK_SIZE
        data[at : at + 8] = b"\x00" * 8
    path.write_bytes(bytes(data))
    _same(path, ProviderMatcher(), (1, 2))
    assert read_range(str(path), 256, 300, ProviderMatcher(), identify=True).computer is None


@pytest.mark.parametrize(
    "text",
    [PSYNC, PSYNC.upper(), PSYNC.lower(), "microsoft-windows-idmu-PSYNC", "Psync", "PSYNC"],
)
def test_prefilter_equals_chunk_may_hold(tmp_path: Path, text: str) -> None:
    matcher = ProviderMatcher([PSYNC, "PSync", "Ünïcode-Prövider"])
    blob = bytearray(8 * CHUNK_SIZE)
    needle = text.encode("utf-16-le")
    blob[100 : 100 + len(needle)] = needle  # inside chunk 0
    at = 3 * CHUNK_SIZE - len(needle) // 2  # straddles chunks 2 and 3
    blob[at : at + len(needle)] = needle
    blob[7 * CHUNK_SIZE - len(needle) : 7 * CHUNK_SIZE] = needle  # ends exactly with chunk 6
    path = tmp_path / "blob"
    path.write_bytes(bytes(blob))
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        found = candidate_chunks(matcher, m, 0, 8)
    expected = {
        i
        for i in range(8)
        if matcher.chunk_may_hold(bytes(blob[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE]))
    }
    assert found == expected
    assert 0 in found and 6 in found


def test_exports_archives_and_carving_same_with_any_number_of_jobs(tmp_path: Path) -> None:
    import zipfile

    from evtdiag.logs.sources import ReadOptions
    from tests.support.export_writer import events_csv, events_xml

    events = mixed_events(300, every=7)
    write_evtx_file(tmp_path / "dc01.evtx", events[:200])
    (tmp_path / "dc02.xml").write_bytes(events_xml(events[100:]))
    (tmp_path / "dc03.csv").write_bytes(events_csv(events[150:250]))
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as bundle:
        bundle.write(tmp_path / "dc01.evtx", "inner/dc01.evtx")
    options = ReadOptions(carve=True, csv_date_format="%m/%d/%Y %I:%M:%S %p")
    results = [
        read_logs([str(tmp_path)], ProviderMatcher(), options=options, jobs=jobs) for jobs in (1, 2)
    ]
    assert results[0] == results[1]
    assert {c.format for c in results[0].inputs} >= {"evtx", "xml", "csv"}
    assert any("bundle.zip!" in c.path for c in results[0].inputs)


def test_small_inputs_go_to_the_workers_in_batches(tmp_path: Path, monkeypatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from evtdiag.logs import pool as parallel

    tasks: list[str] = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            tasks.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(parallel, "_pool", Counting)
    events = mixed_events(4000)
    for i in range(200):  # 200 small files: ten events each, and a different computer
        chunk = [replace(e, computer=f"DC{i}") for e in events[i * 10 : i * 10 + 10]]
        write_evtx_file(tmp_path / f"dc{i:03d}.evtx", chunk)
    alone = read_logs([str(tmp_path)], ProviderMatcher(), jobs=1)
    assert not tasks
    assert read_logs([str(tmp_path)], ProviderMatcher(), jobs=2) == alone
    assert len(tasks) < 200, f"{len(tasks)} tasks for 200 small files"  # was 400
    assert tasks == ["read_batch"] * 2 * parallel.BATCHES_PER_WORKER
