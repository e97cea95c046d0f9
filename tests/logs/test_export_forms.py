"""Every form in which event logs reach a ticket gives the events of the .evtx.

One event list is written as .evtx (tests/support/evtx_writer.py) and in every form of
tests/support/export_writer.py ``FORMS`` (Event Viewer CSV/TXT in several languages, Export-Csv
of Get-WinEvent and Get-EventLog objects, wevtutil text, ConvertTo-Json, undescribed
events); each form must give the same PSync events: id, user, host, time to the second,
and the DC where the form names one.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.exports.dates import export_zone
from evtdiag.logs.sources import ReadOptions
from evtdiag.psync import CATALOGUE, SUCCESS, Catalogue, extract
from tests.logs.reading import read_input
from tests.support.evtx_writer import WriterEvent, write_evtx
from tests.support.export_writer import FORMS

PSYNC = "Microsoft-Windows-IDMU-PSync"
SUCCESS_ID = 12291
SHAPES = {kind.event_id: kind.inserts for kind in CATALOGUE} | {SUCCESS_ID: SUCCESS.inserts}
"""What each id's data holds, in order (the catalogue's, and the success message's)."""
NAME = st.text("abcdefghijklmnopqrstuvwxyzé0123456789._-", min_size=1, max_size=12).filter(
    lambda name: name[0].isalpha()
)
HOST = st.from_regex(r"[a-z][a-z0-9]{0,7}(\.corp\.example\.com)?", fullmatch=True)
DCS = ("DC01.corp.example.com", "DC02.corp.example.com")
START = datetime(2026, 9, 14, tzinfo=timezone.utc)  # days over 12 in every zone: unambiguous
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "+05:30")
"""Exporting computers' zones (no daylight-saving change within the events' fortnight)."""


@st.composite
def event_lists(draw) -> list[WriterEvent]:
    """PSync events of every kind, with other providers' events among them."""
    count = draw(st.integers(1, 12))
    events = []
    for number in range(count):
        when = START + timedelta(seconds=draw(st.integers(0, 14 * 86400)))
        dc = draw(st.sampled_from(DCS))
        if draw(st.integers(0, 4)) == 0:
            data = (("param1", "Print Spooler"), ("param2", "running"))
            events.append(WriterEvent("Service Control Manager", 7036, when, 100 + number, dc,
                                      data=data))  # fmt: skip
            continue
        event_id = draw(st.sampled_from(sorted(SHAPES)))
        data = tuple(draw(NAME if what == "user" else HOST) for what in SHAPES[event_id])
        success = event_id == SUCCESS_ID
        events.append(
            WriterEvent(PSYNC, event_id, when, 100 + number, dc, level=4 if success else 2,
                        qualifiers=None if success else 0xC000, data=data)
        )  # fmt: skip
    return events


def found(path: Path, names_dc: bool, zone: tzinfo | None = None) -> tuple[set, object]:
    coverage, records = read_input(path, ProviderMatcher(), options=ReadOptions(export_tz=zone))
    events = extract(records, Catalogue([SUCCESS_ID]))
    rows = {
        (e.event_id, e.user, e.host, e.time.replace(microsecond=0) if e.time else None)
        + ((e.dc,) if names_dc else ())
        for e in events
    }
    return rows, coverage


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=event_lists(), zone=st.sampled_from(ZONES))
def test_every_form_gives_the_events_of_the_evtx(tmp_path_factory, events, zone) -> None:
    """Written by a computer in ``zone`` and read with ``--export-tz`` naming it."""
    folder = tmp_path_factory.mktemp("forms")
    evtx = folder / "log.evtx"
    evtx.write_bytes(write_evtx(events))
    exporting = export_zone(zone)
    for name, write in FORMS.items():
        expected, _ = found(evtx, write.names_dc)
        path = folder / name
        path.write_bytes(write(events, exporting))
        rows, coverage = found(path, write.names_dc, exporting)
        assert coverage.format not in ("skipped", "refused"), (name, coverage.note)
        assert rows == expected, name


def test_each_form_is_read_by_its_own_reader(tmp_path) -> None:
    events = [
        WriterEvent(PSYNC, 12294, START, 7, DCS[0], level=2, qualifiers=0xC000,
                    data=("alice", "web01"))
    ]  # fmt: skip
    formats = {}
    for name, write in FORMS.items():
        path = tmp_path / name
        path.write_bytes(write(events, timezone.utc))
        formats[name] = read_input(path, ProviderMatcher())[0].format
    assert {formats[n] for n in FORMS if n.startswith("wevtutil")} == {"wevtutil-text"}
    assert {formats[n] for n in FORMS if "json" in n} == {"json"}
    assert {formats[n] for n in FORMS if "clixml" in n} == {"clixml"}
    assert {formats[n] for n in FORMS if "csv" in n or "tsv" in n or "txt" in n} == {"csv"}
