"""sample_logs/ is exactly what tests/support/make_sample_logs.py generates, and readable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "support"))

import make_sample_logs

SAMPLE_LOGS = Path(__file__).resolve().parent.parent / "sample_logs"


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_committed_sample_logs_match_the_generator(tmp_path: Path) -> None:
    assert make_sample_logs.main(["make_sample_logs.py", str(tmp_path)]) == 0
    generated = _files(tmp_path)
    committed = _files(SAMPLE_LOGS)
    missing = sorted(set(generated) - set(committed))
    extra = sorted(set(committed) - set(generated))
    differing = sorted(p for p in set(generated) & set(committed) if generated[p] != committed[p])
    assert not (missing or extra or differing), (
        "sample_logs/ is out of date; run `python tests/support/make_sample_logs.py`.\n"
        f"missing from sample_logs/: {missing}\n"
        f"not generated: {extra}\n"
        f"differing: {differing}"
    )


def test_generation_is_deterministic() -> None:
    assert make_sample_logs.generate() == make_sample_logs.generate()


def test_sample_logs_are_small() -> None:
    for path, data in _files(SAMPLE_LOGS).items():
        assert len(data) < 2_000_000, path


def test_sample_evtx_files_read_back() -> None:
    """Both parsers read the logs; python-evtx misses DC02's uncounted chunks and
    cannot read the template-less Security export."""
    evtx = pytest.importorskip("evtx")
    from Evtx.Evtx import Evtx

    counts = {}
    for name in ("DC01-Application.evtx", "DC02-Application.evtx", "DC01-Security-filtered.evtx"):
        path = SAMPLE_LOGS / name
        counts[name] = sum(1 for _ in evtx.PyEvtxParser(str(path)).records())
        with Evtx(str(path)) as log:
            header = log.get_file_header()
            assert header.verify()
            chunks = list(header.chunks(include_inactive=True))
            assert all(chunk.verify() for chunk in chunks)
            total = sum(len(list(chunk.records())) for chunk in chunks)
            assert total == counts[name]
            if name.startswith("DC02"):
                assert header.is_dirty()
                assert header.chunk_count() < len(chunks)
                assert len(list(log.records())) < total
    assert counts["DC01-Application.evtx"] > 2000
    assert counts["DC02-Application.evtx"] > 2000
    assert counts["DC01-Security-filtered.evtx"] > 10
