"""The fast writer writes the test writer's bytes (which the writer's own tests check
against python-evtx and the Rust parser), for rows of every shape it accepts."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.support.evtx_writer import filetime, write_evtx
from tests.support.fast_evtx import Log, Row, write_rows

START = filetime(datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc))
TEXTS = ["alice", "web01.corp.example.com", "", "José Müller", "日本語", "emoji 😀", "x" * 300]


def _rows(count: int, seed: int) -> list[Row]:
    """Rows of four shapes (two Data values, one, none; with and without qualifiers) and
    several ids, levels, computers and times, in an order that mixes them within chunks."""
    rng = random.Random(seed)
    rows: list[Row] = []
    for i in range(count):
        data = tuple(
            rng.choice(TEXTS) + str(rng.randrange(50)) for _ in range(rng.choice((0, 1, 2, 2)))
        )
        qualifiers = rng.choice((0xC000, 0x4000, None))
        event_id = rng.choice((12294, 12291, 8200, 65535))
        ticks = START + rng.randrange(10**12) * 10
        rows.append((event_id, rng.choice((2, 4)), qualifiers, ticks, f"DC{i % 3}", data))
    return rows


@pytest.mark.parametrize(("count", "first_record_id"), [(1, 1), (300, 7), (5_000, 10_000_000)])
def test_fast_writer_writes_the_writers_bytes(
    tmp_path: Path, count: int, first_record_id: int
) -> None:
    rows = _rows(count, seed=count)
    log = Log(
        "Microsoft-Windows-IDMU-PSync", channel="Application", first_record_id=first_record_id
    )
    path = tmp_path / "fast.evtx"
    assert write_rows(path, iter(rows), log) == count
    expected = write_evtx([log.event(row, n) for n, row in enumerate(rows, 1)])
    assert len(expected) > 4096 + 65536 * (count // 1000)  # several chunks for the largest
    assert path.read_bytes() == expected


def test_fast_writer_refuses_a_time_finer_than_a_microsecond(tmp_path: Path) -> None:
    row: Row = (12294, 2, 0xC000, START + 3, "DC01", ("alice", "web01"))
    with pytest.raises(ValueError, match="not whole microseconds"):
        write_rows(tmp_path / "fine.evtx", [row], Log("P"))
