"""Adding an input format is one module and one registry line: a format defined here
(a made-up tab-separated dump) is read through the one door, alone, in an archive and
with worker processes, once it is in :data:`evtdiag.logs.formats.FORMATS`."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher, read_files
from evtdiag.logs import formats as registry
from evtdiag.logs.event_tree import Element, event_record, provider_names
from evtdiag.logs.sources import Format, ReadContext, Result, Source
from evtdiag.model import InputCoverage, Place

# --- the whole new format: what a format module holds ---------------------------------

SIGNATURE = b"PSYNCDUMP 1\n"


def _leaf(tag: str, text: str = "", attributes: tuple[tuple[str, str], ...] = ()) -> Element:
    return Element(tag, list(attributes), [text] if text else [])


def _event(fields: list[str], line: int) -> Element:
    when, provider, event_id, computer, *data = fields
    system = Element(
        "System",
        [],
        [
            _leaf("Provider", attributes=(("Name", provider),)),
            _leaf("EventID", event_id),
            _leaf("TimeCreated", attributes=(("SystemTime", when),)),
            _leaf("EventRecordID", str(line)),
            _leaf("Computer", computer),
        ],
    )
    return Element(
        "Event", [], [system, Element("EventData", [], [_leaf("Data", d) for d in data])]
    )


def read_dump(source: Source, context: ReadContext) -> list[Result]:
    data = Path(source.path).read_bytes()
    lines = data.decode("utf-8").splitlines()[1:]
    events = [_event(line.split("\t"), number) for number, line in enumerate(lines, start=2)]
    wanted = [
        event_record(event, place=Place(source.label, line=number))
        for number, event in enumerate(events, start=2)
        if context.matcher.matches(provider_names(event))
    ]
    coverage = InputCoverage(
        source.label,
        hashlib.sha256(data).hexdigest(),
        "dump",
        source.size,
        len(events),
        len(wanted),
    )
    return [(coverage, wanted)]


DUMP = Format("dump", lambda head: head.startswith(SIGNATURE), read_dump)

# ---------------------------------------------------------------------------------------

PSYNC = "Microsoft-Windows-IDMU-PSync"


def write_dump(path: Path, rows: list[tuple[str, ...]]) -> Path:
    path.write_bytes(SIGNATURE + "".join("\t".join(row) + "\n" for row in rows).encode())
    return path


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    return write_dump(
        tmp_path / "dc01.txt",
        [
            ("2026-09-01T08:00:00.0000000Z", PSYNC, "12294", "DC01", "alice", "web01"),
            ("2026-09-01T08:01:00.0000000Z", "Other-Provider", "1", "DC01", "x", "y"),
            ("2026-09-01T08:02:00.0000000Z", PSYNC.upper(), "12294", "DC01", "bob", "web02"),
        ],
    )


def test_an_unregistered_format_is_skipped_with_its_reason(dump: Path) -> None:
    (coverage,) = read_files([dump], ProviderMatcher()).inputs
    assert coverage.format == "skipped" and "not an event log" in (coverage.note or "")


@pytest.mark.parametrize("jobs", [1, 2])
def test_one_registry_line_makes_it_read_alone_and_in_an_archive(
    dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(registry, "FORMATS", (*registry.FORMATS, DUMP))
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(dump, "inner/dc02.txt")
    result = read_files([dump, archive], ProviderMatcher(), jobs=jobs)
    assert [c.path for c in result.inputs] == [str(dump), f"{archive}!inner/dc02.txt"]
    # the member holds the same events again: dropped there, and counted
    assert [(c.format, c.records, c.psync_events, c.duplicates) for c in result.inputs] == [
        ("dump", 3, 2, 0),
        ("dump", 3, 0, 2),
    ]
    assert [(r.data, r.computer, r.time_created) for r in result.events] == [
        (("alice", "web01"), "DC01", datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)),
        (("bob", "web02"), "DC01", datetime(2026, 9, 1, 8, 2, tzinfo=timezone.utc)),
    ]
    assert result.events[0].place == Place(str(dump), line=2)


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_never_counts_past_an_archive_size(tmp_path: Path, jobs: int) -> None:
    """A member's bytes are not the archive's: the progress line stays within 100 %
    (it went to about 1000 % for a compressed log, told its size once per member)."""
    from tests.logs.test_evtx_reader import mixed_events
    from tests.support.evtx_writer import write_evtx_file

    log = write_evtx_file(tmp_path / "dc01.evtx", mixed_events(3000))
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(log, "dc01.evtx")
    told: list[tuple[str, int, int]] = []
    read_files(
        [archive],
        ProviderMatcher(),
        lambda path, done, size, records=0: told.append((path, done, size)),
        jobs=jobs,
    )
    assert told and all(done <= size == archive.stat().st_size for _, done, size in told)


@pytest.mark.parametrize("jobs", [1, 2])
def test_member_copies_lie_in_the_one_folder_the_reading_process_removes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Workers copy archive members under the parent's scratch folder, so that a worker
    killed by a signal to the whole process group leaves nothing the parent does not
    remove."""
    import tempfile

    from evtdiag import archives

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    real_copy = archives._copy

    def remembering_copy(source, target, *args):
        (tmp_path / "tmp" / "copied").write_text(str(target))  # a worker's too
        return real_copy(source, target, *args)

    monkeypatch.setattr(archives, "_copy", remembering_copy)
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("dc01.txt", SIGNATURE + b"x\n")
    read_files([archive], ProviderMatcher(), jobs=jobs)
    copied = Path((tmp_path / "tmp" / "copied").read_text())
    member_folder, scratch = copied.parent, copied.parent.parent
    assert scratch.parent == tmp_path / "tmp"  # the member's folder lies in the scratch
    assert member_folder.name.startswith("evtdiag-") and scratch.name.startswith("evtdiag-")
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == ["copied"]
