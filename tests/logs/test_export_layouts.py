"""Tables of events are read by column name, whatever their layout; the ones that cannot
be read are refused with their columns named; undescribed events give their data."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from evtdiag.cli import cli
from evtdiag.logs import ProviderMatcher
from evtdiag.logs.exports.dates import export_zone, parse_absolute
from evtdiag.logs.exports.messages import undescribed
from evtdiag.logs.sources import ReadOptions
from evtdiag.psync import Catalogue, extract
from tests.logs.reading import read_input
from tests.support.evtx_writer import WriterEvent
from tests.support.export_writer import (
    UNDESCRIBED,
    WINEVENT_PROPERTIES,
    events_eventlog_csv,
    events_json,
    events_wevtutil_text,
    events_winevent_csv,
    shown_message,
)

PSYNC = "Microsoft-Windows-IDMU-PSync"
DC = "DC01.corp.example.com"
START = datetime(2026, 9, 14, 8, 0, tzinfo=timezone.utc)


def sample() -> list[WriterEvent]:
    return [
        WriterEvent(PSYNC, 12294, START, 41, DC, level=2, qualifiers=0xC000,
                    data=("alice", "web01")),
        WriterEvent("Service Control Manager", 7036, START + timedelta(minutes=1), 42, DC,
                    data=("Print Spooler", "running")),
        WriterEvent(PSYNC, 8204, START + timedelta(minutes=2), 43, DC, level=2, qualifiers=0xC000,
                    data=("dave", "db01")),
    ]  # fmt: skip


def events_of(path: Path, options: ReadOptions | None = None):
    coverage, records = read_input(path, ProviderMatcher(), options=options)
    found = extract(records, Catalogue([12291]))
    return coverage, [(e.event_id, e.user, e.host, e.dc, e.time, e.provenance) for e in found]


EXPECTED = [
    (12294, "alice", "web01", DC, START, "message"),
    (8204, "dave", "db01", DC, START + timedelta(minutes=2), "message"),
]


def test_a_get_winevent_export_is_not_read_by_position(tmp_path) -> None:
    # Issue 21: "date '12294' is in no known layout" (the second column is Id).
    path = tmp_path / "winevent.csv"
    path.write_bytes(events_winevent_csv(sample(), columns=WINEVENT_PROPERTIES))
    coverage, found = events_of(path)
    assert coverage.format == "csv" and found == EXPECTED


@pytest.mark.parametrize("event_id_column", ["EventID", "Unused"])
def test_a_get_eventlog_export_reads_the_instance_id(tmp_path, event_id_column) -> None:
    # Issue 21: "date 'DC01.corp.example.com' is in no known layout" (MachineName second).
    path = tmp_path / "eventlog.csv"
    data = events_eventlog_csv(sample()).decode("cp1252")
    path.write_bytes(data.replace('"EventID"', f'"{event_id_column}"').encode("cp1252"))
    coverage, records = read_input(path, ProviderMatcher())
    assert [(r.event_id, r.qualifiers) for r in records] == [(12294, 0xC000), (8204, 0xC000)]
    assert "2 PSync event(s) without event data" in coverage.skipped[-1].reason


@pytest.mark.parametrize("seed", range(8))
def test_a_never_seen_layout_is_read(tmp_path, seed) -> None:
    """Any subset holding what evtdiag needs, shuffled, with computed columns, reads."""
    rng = random.Random(seed)
    needed = ["TimeCreated", "Id", "ProviderName", "MachineName", "Message"]
    others = rng.sample([c for c in WINEVENT_PROPERTIES if c not in needed], rng.randint(0, 8))
    columns = needed + others
    rng.shuffle(columns)
    computed = [(f"Extra{n}", rng.choice(["x", "12", "System.Object[]", ""])) for n in range(3)]
    path = tmp_path / "layout.csv"
    path.write_bytes(
        events_winevent_csv(
            sample(), columns=columns, computed=computed, delimiter=rng.choice(",;\t")
        )
    )
    coverage, found = events_of(path)
    assert coverage.format == "csv" and found == EXPECTED, columns


@pytest.mark.parametrize(
    ("columns", "lacks"),
    [
        (("Id", "ProviderName", "MachineName", "Message", "Ticket"), "a time"),
        (("TimeCreated", "ProviderName", "MachineName", "Message"), "an event id"),
        (("TimeCreated", "Id", "MachineName", "RecordId"), "a provider"),
    ],
)
def test_a_table_lacking_a_column_is_refused_with_its_columns(tmp_path, columns, lacks) -> None:
    path = tmp_path / "subset.csv"
    extra = [("Ticket", "INC1")] if "Ticket" in columns else []
    path.write_bytes(
        events_winevent_csv(sample(), columns=[c for c in columns if c != "Ticket"], computed=extra)
    )
    coverage, _ = read_input(path, ProviderMatcher())
    assert coverage.format == "refused"
    assert all(repr(column) in coverage.note for column in columns), coverage.note
    assert f"needs {lacks}" in coverage.note and "Get-WinEvent" in coverage.note
    assert "no known layout" not in coverage.note


def test_without_a_provider_column_only_psync_messages_count(tmp_path) -> None:
    path = tmp_path / "subset.csv"
    path.write_bytes(events_winevent_csv(sample(), columns=("TimeCreated", "Id", "Message")))
    coverage, found = events_of(path)
    assert [row[:3] for row in found] == [row[:3] for row in EXPECTED]
    assert coverage.records == 3 and coverage.psync_events == 2


def test_export_tz_reads_local_times_in_the_zone(tmp_path) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    path = tmp_path / "berlin.csv"
    path.write_bytes(events_winevent_csv(sample(), zone=berlin))
    coverage, found = events_of(path, ReadOptions(export_tz=berlin))
    assert found == EXPECTED and "read in Europe/Berlin" in coverage.skipped[-1].reason
    coverage, found = events_of(path)
    assert found[0][4] == START + timedelta(hours=2)  # CEST read as UTC
    assert "read as UTC" in coverage.skipped[-1].reason


def test_export_tz_option(runner, tmp_path) -> None:
    path = tmp_path / "plus2.csv"
    path.write_bytes(events_winevent_csv(sample(), zone=export_zone("+02:00")))
    result = runner.invoke(cli, ["events", str(path), "--format", "json", "--export-tz", "+02:00"])
    times = [event["time"] for event in json.loads(result.stdout)["events"]]
    assert times == ["2026-09-14T08:00:00.000000Z", "2026-09-14T08:02:00.000000Z"]
    bad = runner.invoke(cli, ["events", str(path), "--export-tz", "Mars/Olympus"])
    assert bad.exit_code == 2 and "IANA zone name" in bad.stderr


def test_json_dates() -> None:
    assert parse_absolute("\\/Date(1725277744000)\\/") == datetime(
        2024, 9, 2, 11, 49, 4, tzinfo=timezone.utc
    )
    assert parse_absolute("2024-09-02T13:49:04.1234567+02:00") == datetime(
        2024, 9, 2, 11, 49, 4, 123456, tzinfo=timezone.utc
    )
    assert parse_absolute("09/02/2024 13:49:04") is None  # local: not absolute


@pytest.mark.parametrize("wording", sorted(UNDESCRIBED))
def test_undescribed_texts_give_id_source_and_values(wording) -> None:
    event = sample()[0]
    found = undescribed(shown_message(event, wording))
    assert found is not None
    assert (found.event_id, found.source, found.values) == (12294, PSYNC, ("alice", "web01"))


def test_provenance_in_the_events_listing(runner, tmp_path) -> None:
    path = tmp_path / "eventlog.csv"
    path.write_bytes(events_eventlog_csv(sample(), undescribed=("get-eventlog", "de")))
    result = runner.invoke(cli, ["events", str(path), "--format", "json"])
    document = json.loads(result.stdout)
    assert [e["provenance"] for e in document["events"]] == ["fallback-message"] * 2
    assert document["inputs"][0]["origins"] == {"fallback-message": 2}
    table = runner.invoke(cli, ["events", str(path)])
    assert "fallback-message" in table.stdout
    assert "user and host from: fallback-message 2" in table.stderr


def test_powershell_51_array_wrapper_is_read(tmp_path) -> None:
    # ConvertTo-Json -InputObject $events in Windows PowerShell 5.1 writes the array's
    # extended Count beside it: {"value": [...], "Count": 3}.
    objects = json.loads(events_json(sample(), version=7, encoding="utf-8"))
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps({"value": objects, "Count": len(objects)}), encoding="utf-8")
    coverage, found = events_of(path)
    assert coverage.format == "json" and [row[:4] for row in found] == [
        (12294, "alice", "web01", DC),
        (8204, "dave", "db01", DC),
    ]


def test_a_date_format_given_for_csv_leaves_iso_dates_alone(tmp_path) -> None:
    """--csv-date-format for a culture's CSV does not break wevtutil's ISO dates."""
    path = tmp_path / "events.txt"
    path.write_bytes(events_wevtutil_text(sample(), encoding="utf-8"))
    coverage, found = events_of(path, ReadOptions(csv_date_format="%d.%m.%Y %H:%M:%S"))
    assert coverage.format == "wevtutil-text" and found == EXPECTED
