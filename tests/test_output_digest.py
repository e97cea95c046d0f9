"""A safety net for refactoring: the whole ``evtdiag report --format json`` document of
three fixed inputs, reduced to a SHA-256 and compared with ``tests/output_digests.json``.

Only what legitimately varies between runs is normalised before hashing: ``generated_at``,
``run.command`` (``sys.argv`` of whatever runs the CLI), the tool version (a release is not
a change of output), and the folders the inputs live in (the repository, the test's
temporary folder), which become relative. Everything else, order included, counts.

The three inputs: the demo scenario (``sample_logs/``), a dense log (200 PSync events of
the deterministic test writer) and the same log with one corrupted chunk byte. Each is
reported with ``-j 1`` and ``-j 2``: the result must not depend on the worker count.

Each case has two digests: the whole document, and its findings alone
(:func:`findings`: everything but the events and what the report keeps of them), which
must not change when only the way a report carries its events does (schema
``evtdiag/1`` listed every event, ``evtdiag/2`` keeps a summary and samples).

When the output changes on purpose, refresh the digests and commit the file::

    EVTDIAG_REFRESH_DIGESTS=1 pytest -q tests/test_output_digest.py
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from tests.conftest import REPO, SAMPLE_LOGS
from tests.support.evtx_writer import WriterEvent, write_evtx

DIGESTS = Path(__file__).with_name("output_digests.json")
REFRESH = "EVTDIAG_REFRESH_DIGESTS"

PSYNC = "Microsoft-Windows-IDMU-PSync"
DC = "DC01.corp.example.com"
START = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
# Accounts and hosts of the demo scenario, so the dense log meets its configurations.
USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "KSmith", "root", "svc_backup")
HOSTS = ("web01", "db02.corp.example.com", "mail05", "app03", "build06", "FIN04", "legacy07")
CHUNK = 0x10000
HEADER = 0x1000


def dense_events(count: int = 200) -> list[WriterEvent]:
    """``count`` PSync events: failures of several ids and some successes, spread over
    accounts and hosts in a fixed pattern."""
    events = []
    for i in range(count):
        ok = i % 5 == 4
        events.append(
            WriterEvent(
                PSYNC,
                12291 if ok else (12294, 12294, 12293, 12292)[i % 4],
                START + timedelta(minutes=3 * i, microseconds=i),
                5000 + i,
                DC,
                level=4 if ok else 2,
                data=(USERS[i % len(USERS)], HOSTS[(i * 3) % len(HOSTS)]),
            )
        )
    return events


def damaged(raw: bytes) -> bytes:
    """``raw`` with one byte of the second chunk's records flipped (its data CRC fails)."""
    broken = bytearray(raw)
    broken[HEADER + CHUNK + 512 + 700] ^= 0xFF
    return bytes(broken)


def _replace(value: object, roots: list[tuple[str, str]]) -> object:
    if isinstance(value, str):
        for root, name in roots:
            value = value.replace(root, name)
        return value
    if isinstance(value, dict):
        return {_replace(k, roots): _replace(v, roots) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, roots) for v in value]
    return value


def normalised(document: dict, roots: dict[Path, str]) -> dict:
    """``document`` without what varies per run; every folder of ``roots`` (a path and its
    real path, with or without a separator after it) replaced by its placeholder."""
    document = dict(document)
    document["generated_at"] = "<generated_at>"
    document["tool"] = {**document["tool"], "version": "<version>"}
    document["run"] = {**document["run"], "command": "<command>"}
    pairs = []
    for root, name in roots.items():
        for spelling in {str(root), os.path.realpath(root)}:
            pairs.append((spelling + os.sep, f"{name}/" if name else ""))
            pairs.append((spelling, name or "."))
    pairs.sort(key=lambda pair: -len(pair[0]))  # the longest folder first
    return _replace(document, pairs)  # type: ignore[return-value]


EVENT_SECTIONS = ("schema", "events", "matrix", "host_lanes", "attempts")
"""What a report says of its events rather than of its findings."""


def findings(document: dict) -> dict:
    """``document`` without its events: the verdict, problems (without their event
    references; their ``event_count`` stays), audit, counts, coverage and notes."""
    kept = {key: value for key, value in document.items() if key not in EVENT_SECTIONS}
    kept["problems"] = [
        {key: value for key, value in problem.items() if key != "events"}
        for problem in document["problems"]
    ]
    return kept


def digest(document: dict) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def report(args: list[str], jobs: int) -> dict:
    result = CliRunner().invoke(cli, ["report", *args, "--format", "json", "-q", "-j", str(jobs)])
    assert result.exit_code in (0, 1), result.stderr or result.output
    return json.loads(result.stdout)


_SEEN: dict[str, str] = {}
"""The digest of each case found in this session: every ``-j`` must give the same one,
refreshing included."""


def check(case: str, document: dict) -> None:
    _check(f"{case}:findings", findings(document))  # the findings first: they must hold
    _check(case, document)


def _check(case: str, document: dict) -> None:
    found = digest(document)
    assert _SEEN.setdefault(case, found) == found, f"{case!r}: the output depends on -j"
    stored = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.is_file() else {}
    if os.environ.get(REFRESH) == "1":
        stored[case] = found
        DIGESTS.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert stored.get(case) == found, (
        f"the JSON report of {case!r} changed (digest {found}, stored {stored.get(case)}). "
        "If the change is intended, refresh the digests with "
        f"`{REFRESH}=1 pytest -q tests/test_output_digest.py` and commit "
        f"{DIGESTS.relative_to(REPO)}; if not, the change altered the output."
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("digest-logs")
    raw = write_evtx(dense_events(), records_per_chunk=50)
    (folder / "dense.evtx").write_bytes(raw)
    (folder / "damaged.evtx").write_bytes(damaged(raw))
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
def test_demo_report_digest(jobs: int) -> None:
    args = [
        *map(str, sorted(SAMPLE_LOGS.glob("*.evtx"))),
        "--hosts",
        str(SAMPLE_LOGS / "hosts"),
        "--windows",
        str(SAMPLE_LOGS / "windows"),
    ]
    check("demo", normalised(report(args, jobs), {REPO: ""}))


@pytest.mark.parametrize("case", ["dense", "damaged"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_generated_log_report_digest(generated: Path, case: str, jobs: int) -> None:
    args = [
        str(generated / f"{case}.evtx"),
        "--hosts",
        str(SAMPLE_LOGS / "hosts"),
        "--windows",
        str(SAMPLE_LOGS / "windows"),
    ]
    document = normalised(report(args, jobs), {REPO: "", generated: "<tmp>"})
    if case == "damaged":
        assert document["inputs"][0]["skipped"], "the corrupted byte must damage the log"
    check(case, document)


def test_normalised_removes_what_varies_per_run(tmp_path: Path) -> None:
    document = {
        "tool": {"name": "evtdiag", "version": "9.9"},
        "generated_at": "2026-01-01T00:00:00Z",
        "run": {"command": ["evtdiag", "report", str(tmp_path / "a.evtx")], "time_zone": "UTC"},
        "inputs": [{"path": str(tmp_path / "a.evtx")}, {"path": str(tmp_path)}],
    }
    out = normalised(document, {tmp_path: "<tmp>"})
    assert out["inputs"] == [{"path": "<tmp>/a.evtx"}, {"path": "<tmp>"}]
    assert digest(out) == digest(normalised({**document, "generated_at": "x"}, {tmp_path: "<tmp>"}))
