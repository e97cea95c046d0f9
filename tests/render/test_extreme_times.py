"""Event times at the ends of what :class:`datetime` holds (the years 1 and 9999) are
shown in every zone: in UTC, marked so, where the zone's time cannot be written, and the
HTML timeline draws only the day boundaries that exist (issue 26, item 11)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from evtdiag.render.timefmt import TimeFormatter
from tests.render.test_report_outputs import run
from tests.support.evtx_writer import WriterEvent
from tests.support.export_writer import events_xml

LAST_HOUR = datetime(9999, 12, 31, 23, 0, tzinfo=timezone.utc)
PROVIDER = "Microsoft-Windows-IDMU-PSync"
ZONES = ("UTC", "Pacific/Kiritimati", "America/St_Johns", "local")


@pytest.fixture(scope="module")
def last_hour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two refusals in the last hour of the year 9999, as an XML export."""
    path = tmp_path_factory.mktemp("times") / "late.xml"
    events = [
        WriterEvent(PROVIDER, 12294, LAST_HOUR, n, "DC01.corp.example.com", data=("alice", "web01"))
        for n in (1, 2)
    ]
    path.write_bytes(events_xml(events))
    return path


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("fmt", ["html", "text"])
def test_a_report_of_the_last_hour_of_9999_renders(last_hour: Path, tmp_path: Path, tz: str,
                                                    fmt: str) -> None:  # fmt: skip
    out = tmp_path / f"r.{fmt}"
    code, _, err = run("report", str(last_hour), "-q", "--format", fmt, "--tz", tz, "-o", str(out))
    assert code == 1, err
    text = out.read_text()
    shown = "9999-12-31 23:00:00 UTC" if tz == "Pacific/Kiritimati" else "9999-12-31"
    assert shown in text


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("fmt", ["html", "text"])
def test_a_report_of_the_year_1_renders(last_hour: Path, tmp_path: Path, tz: str,
                                        fmt: str) -> None:  # fmt: skip
    code, out, err = run("report", str(last_hour), "-q", "--format", "json")
    assert code == 1, err
    early = tmp_path / "early.json"
    early.write_text(out.replace("9999-12-31T23:00:00", "0001-01-01T00:30:00"))
    target = tmp_path / f"r.{fmt}"
    code, _, err = run("render", str(early), "-q", "--format", fmt, "--tz", tz, "-o", str(target))
    assert code == 1, err
    shown = "0001-01-01 00:30:00 UTC" if tz == "America/St_Johns" else "0001-01-0"
    assert shown in target.read_text()
    code, out, err = run("compare", str(early), str(early), "--tz", tz)
    assert code == 0 and "0001-01-0" in out, err  # the same report: nothing new


def test_times_in_range_are_shown_in_the_zone_with_four_digit_years() -> None:
    st_johns = TimeFormatter("America/St_Johns")
    assert st_johns.moment("0001-01-01T05:00:00Z") == "0001-01-01 01:29:08"  # its LMT
    assert st_johns.moment("0001-01-01T01:00:00Z") == "0001-01-01 01:00:00 UTC"
    assert st_johns.day("0001-01-01T01:00:00Z") == "0001-01-01 UTC"
    kiritimati = TimeFormatter("Pacific/Kiritimati")
    assert kiritimati.moment("9999-12-31T09:59:59Z") == "9999-12-31 23:59:59"
    assert kiritimati.moment("9999-12-31T10:00:00Z") == "9999-12-31 10:00:00 UTC"
    assert json.dumps(kiritimati.span("9999-12-31T09:00:00Z", "9999-12-31T11:00:00Z")) == (
        '"9999-12-31 23:00:00 .. 9999-12-31 11:00:00 UTC"'
    )
