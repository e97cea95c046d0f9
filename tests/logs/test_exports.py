"""Every export format admins send gives the same PSync events as the .evtx of the same events.

The events are written once (tests/support/evtx_writer.py) and rendered as each format Windows
produces (tests/support/export_writer.py); then .evtx, XML, CSV/TXT, and archives of each are
read and their PSync events compared.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.sources import ReadOptions
from evtdiag.psync import Catalogue, extract
from tests.logs.reading import read_input, read_inputs, read_logs
from tests.support.evtx_writer import WriterEvent, write_evtx
from tests.support.export_writer import events_csv, events_xml

PSYNC = "Microsoft-Windows-IDMU-PSync"
START = datetime(2026, 9, 14, 8, 0, tzinfo=timezone.utc)  # day > 12: dates not ambiguous
SUCCESS_ID = 12291
INSERTS = {
    12294: ("alice", "web01"),
    12289: ("bob",),
    12290: ("carol",),
    8204: ("dave", "web02.corp.example.com"),
    8203: ("erin", "db01"),
    8200: ("nohost.example.com",),
    12296: (),
    8217: ("fin04",),
    8226: ("app03",),
    8230: ("frank",),
    SUCCESS_ID: ("alice", "web02"),
}


def scenario(count: int = 120) -> list[WriterEvent]:
    """Every catalogue kind (and the success message) among noise, whole seconds."""
    ids = list(INSERTS)
    events = []
    for i in range(count):
        when = START + timedelta(minutes=3 * i, seconds=i % 60)
        if i % 3 == 0:
            event_id = ids[(i // 3) % len(ids)]
            events.append(
                WriterEvent(
                    PSYNC,
                    event_id,
                    when,
                    5000 + i,
                    "DC01.corp.example.com",
                    level=2 if event_id != SUCCESS_ID else 4,
                    qualifiers=0xC000 if event_id != SUCCESS_ID else None,
                    data=INSERTS[event_id],
                )
            )
        else:
            events.append(
                WriterEvent(
                    "Service Control Manager",
                    7036,
                    when,
                    5000 + i,
                    "DC01.corp.example.com",
                    data=(("param1", f"Service {i}"), ("param2", "running")),
                )
            )
    return events


def psync(paths: list[Path], options: ReadOptions | None = None, *, full: bool = True):
    """(event id, kind, user, host, time[, dc, record id]) of every PSync event read."""
    result = read_logs([str(p) for p in paths], ProviderMatcher(), options=options)
    found = extract(result.events, Catalogue([SUCCESS_ID]))
    rows = {
        (e.event_id, e.kind, e.user, e.host, e.time) + ((e.dc, e.record.record_id) if full else ())
        for e in found
    }
    return rows, result


@pytest.fixture(scope="module")
def written() -> list[WriterEvent]:
    return scenario()


@pytest.fixture(scope="module")
def expected(written, tmp_path_factory) -> set:
    path = tmp_path_factory.mktemp("evtx") / "dc01.evtx"
    path.write_bytes(write_evtx(written))
    rows, result = psync([path])
    assert len(rows) == 40 and result.inputs[0].format == "evtx"
    return rows


def _span(written: list[WriterEvent]) -> tuple:
    """The first and last time of every written event, PSync or not (as .evtx reports)."""
    times = [event.time_created for event in written]
    return min(times), max(times)


def _short(rows: set) -> set:
    return {row[:5] for row in rows}


def test_every_kind_has_its_user_and_host_in_the_evtx(expected) -> None:
    by_id = {row[0]: row for row in expected}
    assert by_id[12294][2:4] == ("alice", "web01")
    assert by_id[12289][2:4] == ("bob", None)
    assert by_id[8200][2:4] == (None, "nohost.example.com")
    assert by_id[SUCCESS_ID][1] == "success"


@pytest.mark.parametrize("templated", [True, False], ids=["templated", "template-less"])
def test_evtx_encodings_agree(tmp_path, written, expected, templated) -> None:
    path = tmp_path / "a.evtx"
    path.write_bytes(write_evtx(written, templated=templated))
    assert psync([path])[0] == expected


@pytest.mark.parametrize("wrapper", [True, False], ids=["Events-document", "wevtutil-sequence"])
@pytest.mark.parametrize("rendering", [True, False], ids=["rendered", "no-rendering"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xml_export_gives_the_same_events(
    tmp_path, written, expected, wrapper, rendering, encoding
) -> None:
    path = tmp_path / "export.bin"  # recognised by content, not by name
    path.write_bytes(events_xml(written, wrapper=wrapper, rendering=rendering, encoding=encoding))
    rows, result = psync([path])
    assert rows == expected
    (coverage,) = result.inputs
    assert (coverage.format, coverage.records, coverage.skipped) == ("xml", len(written), ())
    assert coverage.computers == ("DC01.corp.example.com",)
    assert (coverage.first_time, coverage.last_time) == _span(written)  # every event's
    event = result.events[0]
    assert event.place.line and "<EventRecordID>" in event.xml
    assert (event.message is not None) == rendering


@pytest.mark.parametrize(
    ("delimiter", "encoding", "fold"),
    [(",", "utf-8-sig", False), ("\t", "utf-16", False), (",", "utf-8", True)],
    ids=["csv", "tab-delimited-utf16", "csv-folded-lines"],
)
def test_csv_export_gives_the_same_events(
    tmp_path, written, expected, delimiter, encoding, fold
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(events_csv(written, delimiter=delimiter, encoding=encoding, fold_lines=fold))
    result = read_logs([str(path)], ProviderMatcher())
    found = extract(result.events, Catalogue([SUCCESS_ID]))
    assert {(e.event_id, e.kind, e.user, e.host, e.time) for e in found} == _short(expected)
    assert all(e.message_derived for e in found if e.user or e.host)
    (coverage,) = result.inputs
    assert coverage.format == "csv" and coverage.records == len(written)
    assert (coverage.first_time, coverage.last_time) == _span(written)
    assert any("line numbers" in s.reason and not s.lost for s in coverage.skipped)
    assert all(e.record.record_id == e.record.place.line for e in found)


def test_success_is_recognised_by_its_text_without_success_id(tmp_path, written) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(events_csv(written))
    result = read_logs([str(path)], ProviderMatcher())
    kinds = {e.event_id: e.kind for e in extract(result.events, Catalogue())}
    assert kinds[SUCCESS_ID] == "success"


def test_ambiguous_csv_dates_are_refused_then_read_with_a_format(tmp_path, written) -> None:
    # Every day <= 12: 01/09/2026 could be January 9 or 1 September.
    early = [replace(e, time_created=e.time_created.replace(day=1)) for e in written]
    path = tmp_path / "gb.csv"
    path.write_bytes(events_csv(early, date_format="%d/%m/%Y %H:%M:%S"))
    coverage, records = read_input(path, ProviderMatcher())
    assert coverage.format == "refused" and records == []
    assert str(path) in coverage.note and "ambiguous" in coverage.note
    assert "--csv-date-format" in coverage.note
    options = ReadOptions(csv_date_format="%d/%m/%Y %H:%M:%S")
    coverage, records = read_input(path, ProviderMatcher(), options=options)
    assert coverage.format == "csv" and records
    assert {r.time_created for r in records} <= {e.time_created for e in early}


def test_unambiguous_day_first_dates_are_recognised(tmp_path) -> None:
    events = [
        WriterEvent(PSYNC, 12294, datetime(2026, 9, 25, 14, 5, 6, tzinfo=timezone.utc), 1, "DC")
    ]
    events = [WriterEvent(PSYNC, 12294, e.time_created, 1, "DC", data=("u", "h")) for e in events]
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        path = tmp_path / "x.csv"
        path.write_bytes(events_csv(events, date_format=fmt))
        _, records = read_input(path, ProviderMatcher())
        assert [r.time_created for r in records] == [events[0].time_created], fmt


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _tar_gz(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.mark.parametrize("kind", ["zip", "gz", "tar.gz", "zip-in-zip"])
def test_archives_give_the_same_events_and_name_the_member(tmp_path, written, expected, kind):
    evtx = write_evtx(written)
    if kind == "zip":
        data, label = _zip({"logs/DC01.evtx": evtx}), "!logs/DC01.evtx"
    elif kind == "gz":
        data, label = gzip.compress(evtx), "!DC01.evtx"
    elif kind == "tar.gz":
        data, label = _tar_gz({"DC01.evtx": evtx}), "!DC01.evtx"
    else:
        data, label = _zip({"inner.zip": _zip({"DC01.evtx": evtx})}), "!inner.zip!DC01.evtx"
    path = tmp_path / ("DC01.evtx.gz" if kind == "gz" else "evidence.bin")
    path.write_bytes(data)
    rows, result = psync([path], full=False)
    assert rows == _short(expected)
    (coverage,) = result.inputs
    assert coverage.path == str(path) + label
    assert {e.source for e in result.events} == {coverage.path}
    assert all(e.place.file == coverage.path for e in result.events)


def test_archive_of_xml_and_csv_exports(tmp_path, written, expected) -> None:
    path = tmp_path / "exports.zip"
    path.write_bytes(
        _zip(
            {
                "a.xml": events_xml(written, encoding="utf-16"),
                "b.csv": events_csv(written),
                "readme.txt": b"exported by the admin",
            }
        )
    )
    results = read_inputs(path, ProviderMatcher())
    formats = {Path(c.path.split("!")[-1]).name: c.format for c, _ in results}
    assert formats == {"a.xml": "xml", "b.csv": "csv", "readme.txt": "skipped"}


def test_nesting_deeper_than_one_level_is_skipped(tmp_path, written) -> None:
    inner = _zip({"DC01.evtx": write_evtx(written)})
    path = tmp_path / "deep.zip"
    path.write_bytes(_zip({"l1.zip": _zip({"l2.zip": inner})}))
    (coverage, records), *_ = read_inputs(path, ProviderMatcher())
    assert coverage.format == "skipped" and "nested" in coverage.note and records == []
    assert coverage.path.endswith("!l1.zip!l2.zip")
    assert (coverage.size, coverage.sha256) == (len(inner), hashlib.sha256(inner).hexdigest())


def test_stdin(runner, written, expected) -> None:
    from evtdiag.cli import cli

    result = runner.invoke(cli, ["events", "-", "--format", "csv"], input=write_evtx(written))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1 + len(expected)
    assert "(stdin)" in result.stdout and "(stdin)" in result.stderr


@pytest.mark.parametrize("event_id", ["1229\u00b2", "1" * 5000])
def test_an_event_id_that_is_not_ascii_digits_is_a_skipped_row(tmp_path, written, event_id):
    # Found by fuzzing: str.isdigit() takes '²' and int() refuses it (and 5,000 digits).
    text = events_csv(written).decode("utf-8-sig").splitlines()
    row = next(i for i in range(5, len(text)) if text[i].count(",") >= 4)  # not the first
    cells = text[row].split(",")
    cells[3] = event_id
    text[row] = ",".join(cells)
    path = tmp_path / "export.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    coverage, _ = read_input(path, ProviderMatcher())
    assert coverage.format == "csv" and coverage.records == len(written) - 1
    assert any("no numeric Event ID" in s.reason for s in coverage.skipped)
