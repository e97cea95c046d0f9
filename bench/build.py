"""Deterministic inputs for the benchmark (written to ``bench/out/``, git-ignored).

* *sparse*: real chunks from ``../shared/evtx-samples`` stitched behind a fresh file
  header, with a few hundred PSync events (whole chunks written by
  ``tests/support/evtx_writer.py``) spread evenly among them;
* *dense*: only PSync events, written by the test writer, with templates and without;
* *many*: many smaller stitched logs.

A chunk is self-contained (names, templates and values are chunk-relative), so a new
file header whose chunk count and CRC are right, followed by valid chunks, is a valid
file. Only chunks that pass every check of our reader (magic, both CRCs, framing) and
whose header record numbers agree with the records framed are used, so every builder
knows how many records its output holds (:class:`Built`).
"""

from __future__ import annotations

import itertools
import json
import struct
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "evtx-samples"
OUT = REPO / "bench" / "out"
for needed in (REPO, REPO / "bench"):  # the test writer lives in tests/, scenario.py here
    if str(needed) not in sys.path:
        sys.path.insert(0, str(needed))

import scenario  # noqa: E402
from evtdiag.logs import read_files  # noqa: E402
from evtdiag.logs.evtx.chunk import read_chunk  # noqa: E402
from evtdiag.logs.evtx.layout import (  # noqa: E402
    CHUNK_HEADER,
    CHUNK_MAGIC,
    CHUNK_SIZE,
    FILE_CHECKED_BYTES,
    FILE_HEADER,
    FILE_HEADER_SIZE,
    FILE_MAGIC,
)
from evtdiag.logs.providers import ProviderMatcher  # noqa: E402
from tests.support.evtx_writer import WriterEvent, filetime, write_evtx  # noqa: E402
from tests.support.fast_evtx import Log, Row, write_rows  # noqa: E402

PSYNC = "Microsoft-Windows-IDMU-PSync"
START = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
START_TICKS = filetime(START)
SECOND = 10_000_000
"""FILETIME ticks."""
MB = 1 << 20
SCALE_EVENTS = (200_000, 1_000_000)
SCALE_SHAPES = ("dense", "realistic")


class CorpusMissing(RuntimeError):
    """The shared corpus of real logs is not where the bench expects it."""


@dataclass(frozen=True)
class Built:
    """A benchmark input and what a correct reader must find in it."""

    path: Path
    records: int
    psync_events: int

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def file_header(chunk_count: int, next_record: int = 1) -> bytes:
    """A clean file header (version 3.1) for ``chunk_count`` chunks, CRC filled."""
    header = bytearray(FILE_HEADER_SIZE)
    FILE_HEADER.struct.pack_into(
        header, 0, FILE_MAGIC, 0, max(chunk_count - 1, 0), next_record, 128, 1, 3,
        FILE_HEADER_SIZE, chunk_count & 0xFFFF, b"", 0, 0,
    )  # fmt: skip
    checksum = zlib.crc32(header[:FILE_CHECKED_BYTES])
    struct.pack_into("<I", header, FILE_HEADER.offsets["checksum"], checksum)
    return bytes(header)


def corpus_chunks(corpus: Path = CORPUS) -> list[tuple[bytes, int]]:
    """Every clean chunk of the corpus with its record count, in a fixed order."""
    counts = corpus / "counts.json"
    if not counts.is_file():
        raise CorpusMissing(
            f"the real-log corpus is not at {corpus} (expected ../shared/evtx-samples "
            "next to the repository, with counts.json); the bench stitches its inputs from it"
        )
    matcher = ProviderMatcher()
    chunks = []
    for relative in sorted(json.loads(counts.read_text())):
        data = (corpus / relative).read_bytes()
        for index in range((len(data) - FILE_HEADER_SIZE) // CHUNK_SIZE):
            start = FILE_HEADER_SIZE + index * CHUNK_SIZE
            chunk = data[start : start + CHUNK_SIZE]
            if chunk[:8] != CHUNK_MAGIC:
                continue
            result = read_chunk(chunk, path=relative, index=index, wanted=matcher)
            if result.skipped or not result.records or _numbered(chunk) != result.records:
                continue
            chunks.append((chunk, result.records))
    return chunks


def _numbered(chunk: bytes) -> int:
    """How many records a chunk's header says it holds (first to last record number)."""
    header = CHUNK_HEADER.read(chunk)
    return header.last_record_number - header.first_record_number + 1


DENSE_LOG = Log(PSYNC, first_record_id=10_000_000)
"""The log the dense events are numbered in: record ids from 10,000,000."""


def psync_row(i: int) -> Row:
    """The i-th dense PSync event: a 12294 denial (or another PSync id), user and host."""
    event_id = (12294, 12294, 12294, 12289, 12290, 8200)[i % 6]
    ticks = START_TICKS + 13 * i * SECOND + i % 1000 * 10
    data = (f"user{i % 4999}", f"host{i % 251:03}")
    return event_id, 2, 0xC000, ticks, f"DC{i % 3 + 1:02}.corp.example.com", data


def psync_event(i: int) -> WriterEvent:
    """:func:`psync_row` as the test writer's event (the i-th record of the dense log)."""
    return DENSE_LOG.event(psync_row(i), i + 1)


def noise_event(i: int) -> WriterEvent:
    return WriterEvent(
        "Microsoft-Windows-Security-SPP",
        16384,
        START + timedelta(seconds=13 * i + 5),
        20_000_000 + i,
        "DC01.corp.example.com",
        data=(("Name", f"value {i}"), ("Other", "x" * (i % 40))),
    )


def _writer_chunks(events: list[WriterEvent], templated: bool = True) -> list[bytes]:
    data = write_evtx(events, templated=templated)
    return [data[i : i + CHUNK_SIZE] for i in range(FILE_HEADER_SIZE, len(data), CHUNK_SIZE)]


def _psync_chunks(count: int, per_chunk_noise: int = 40) -> list[bytes]:
    """Chunks holding ``count`` PSync events among noise, 10 PSync events per chunk."""
    events = []
    for i in range(count):
        events.append(psync_event(i))
        if i % 10 == 9:
            events.extend(noise_event(i * 100 + j) for j in range(per_chunk_noise))
    return _writer_chunks(events)


def _write(path: Path, chunks: Iterator[bytes], chunk_count: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as out:
        out.write(file_header(chunk_count))
        for chunk in chunks:
            out.write(chunk)
    tmp.replace(path)


def _cached(path: Path, key: dict) -> dict | None:
    manifest = path.with_suffix(".json")
    if path.is_file() and manifest.is_file():
        saved = json.loads(manifest.read_text())
        if saved.get("key") == key and saved.get("size") == path.stat().st_size:
            return saved
    return None


def _save(path: Path, key: dict, records: int, psync: int) -> Built:
    manifest = {"key": key, "size": path.stat().st_size, "records": records, "psync": psync}
    path.with_suffix(".json").write_text(json.dumps(manifest))
    return Built(path, records, psync)


def stitched(
    path: Path,
    size_mb: float,
    psync_events: int,
    real: list[tuple[bytes, int]],
    *,
    offset: int = 0,
) -> Built:
    """A log of about ``size_mb`` MiB: real chunks in corpus order (starting at chunk
    ``offset``, wrapping around), with PSync chunks spread evenly among them."""
    key = {"kind": "stitched", "size_mb": size_mb, "psync": psync_events, "offset": offset,
           "real": len(real)}  # fmt: skip
    saved = _cached(path, key)
    if saved:
        return Built(path, saved["records"], saved["psync"])
    psync = _psync_chunks(psync_events) if psync_events else []
    psync_records = sum(_numbered(chunk) for chunk in psync)
    total = max(int(size_mb * MB) // CHUNK_SIZE, len(psync) + 1)
    n_real = total - len(psync)
    spacing = n_real // (len(psync) + 1) if psync else 0
    records = psync_records

    def chunks() -> Iterator[bytes]:
        nonlocal records
        pending = list(psync)
        for i in range(n_real):
            if pending and spacing and i % spacing == spacing - 1:
                yield pending.pop(0)
            chunk, count = real[(offset + i) % len(real)]
            records += count
            yield chunk
        yield from pending

    _write(path, chunks(), total)
    return _save(path, key, records, psync_events)


def dense(path: Path, records: int, templated: bool) -> Built:
    """A log of ``records`` PSync events and nothing else."""
    key = {"kind": "dense", "records": records, "templated": templated}
    saved = _cached(path, key)
    if saved:
        return Built(path, saved["records"], saved["psync"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(write_evtx((psync_event(i) for i in range(records)), templated=templated))
    return _save(path, key, records, records)


def scale(path: Path, shape: str, events: int, keep: int | None = None) -> Built:
    """A log of ``events`` PSync events of one shape, written by the fast writer:
    ``dense`` (:func:`psync_row`: all failures, thousands of problems) or ``realistic``
    (:mod:`scenario`: a large site's successes and a few hundred problems). With
    ``keep``, only its first ``keep`` events: the same site exported earlier."""
    key = {"kind": "scale", "shape": shape, "events": events, "keep": keep,
           "scenario": scenario.VERSION}  # fmt: skip
    saved = _cached(path, key)
    if saved:
        return Built(path, saved["records"], saved["psync"])
    if shape == "dense":
        rows: Iterator[Row] = (psync_row(i) for i in range(events))
        log = DENSE_LOG
    elif shape == "realistic":
        rows, log = scenario.rows(scenario.Site(events)), Log(PSYNC)
    else:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SCALE_SHAPES)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    records = write_rows(tmp, itertools.islice(rows, keep), log)
    tmp.replace(path)
    return _save(path, key, records, records)


def scale_label(shape: str, events: int) -> str:
    """The name of a scale input in the table: ``dense 200,000``."""
    return f"{shape} {events:,}"


@dataclass(frozen=True)
class ScaleInput:
    """A scale input and its first half (an earlier export of the same site)."""

    shape: str
    events: int
    whole: Built
    first_half: Built

    @property
    def label(self) -> str:
        return scale_label(self.shape, self.events)


def build_scale(
    out: Path = OUT, events: Sequence[int] = SCALE_EVENTS, shapes: Sequence[str] = SCALE_SHAPES
) -> list[ScaleInput]:
    """Build (or reuse, when unchanged) the scale inputs, smallest first."""
    return [
        ScaleInput(
            shape,
            count,
            scale(out / f"scale-{shape}-{count}.evtx", shape, count),
            scale(out / f"scale-{shape}-{count}-first-half.evtx", shape, count, count // 2),
        )
        for count in sorted(events)
        for shape in shapes
    ]


def sparse_label(mb: float) -> str:
    """The name of a sparse input in the table: ``sparse 1,024 MiB``."""
    return f"sparse {mb:,g} MiB"


def build_all(
    out: Path = OUT,
    *,
    sparse_mb: Sequence[float] = (256, 1024),
    dense_records: int = 200_000,
    files: int = 50,
    file_mb: float = 20,
    corpus: Path = CORPUS,
) -> dict[str, list[Built]]:
    """Build (or reuse, when unchanged) every benchmark input."""
    real = corpus_chunks(corpus)
    largest = max(
        (p for p in corpus.rglob("*.evtx") if p.is_file()), key=lambda p: p.stat().st_size
    )
    inputs = {
        "corpus, largest file": [
            Built(largest, read_files([largest], ProviderMatcher()).inputs[0].records, 0)
        ],
        "corpus, all chunks": [
            stitched(out / "corpus-all.evtx", len(real) * CHUNK_SIZE / MB, 0, real)
        ],
        **{
            sparse_label(mb): [stitched(out / f"sparse-{mb:g}.evtx", mb, 300, real)]
            for mb in sparse_mb
        },
        "dense, templates": [dense(out / "dense-templated.evtx", dense_records, True)],
        "dense, template-less": [dense(out / "dense-templateless.evtx", dense_records, False)],
        "many files": [
            stitched(out / "many" / f"log{i:02}.evtx", file_mb, 6, real, offset=97 * i)
            for i in range(files)
        ],
    }
    return inputs
