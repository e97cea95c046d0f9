"""An XML export's hostile shapes cost work linear in their size: an element with a
huge number of attributes is refused, with its place, before lxml reads one (lxml reads
them in time quadratic in their number, inside one C call no signal interrupts), and
the events after it are read. Work counted, not timed: see :mod:`tests.support.work`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.event_tree import MAX_ATTRIBUTES
from evtdiag.logs.exports.xml import read_xml_export
from tests.support.evtx_writer import WriterEvent
from tests.support.export_writer import events_xml
from tests.support.work import LINEAR, doubling_ratio, work

START = datetime(2026, 9, 14, 8, 0, tzinfo=timezone.utc)


def export(path: Path, attributes: int, after: int = 1) -> Path:
    """An XML export whose first event's ``<Security>`` carries ``attributes`` attributes,
    followed by ``after`` ordinary PSync events (one per line)."""
    events = [
        WriterEvent("Microsoft-Windows-IDMU-PSync", 12294, START + timedelta(seconds=n),
                    100 + n, "DC01.corp.example.com", level=2, data=(f"u{n}", "web01"))
        for n in range(after + 1)
    ]  # fmt: skip
    many = " ".join(f"a{n}=''" for n in range(attributes))
    text = events_xml(events).decode().replace("<Security/>", f"<Security {many}/>", 1)
    path.write_text(text, encoding="utf-8")
    return path


def test_doubling_the_attributes_of_an_element_at_most_doubles_the_work(tmp_path: Path) -> None:
    def work_at(attributes: int) -> int:
        path = export(tmp_path / f"{attributes}.xml", attributes)
        return work(read_xml_export, path, ProviderMatcher())

    assert doubling_ratio(work_at, 4_000) <= LINEAR


def test_an_event_with_too_many_attributes_is_skipped_with_its_place(tmp_path: Path) -> None:
    coverage, records = read_xml_export(export(tmp_path / "x.xml", MAX_ATTRIBUTES + 1, 2),
                                        ProviderMatcher())  # fmt: skip
    assert [r.data[0] for r in records] == ["u1", "u2"]
    assert coverage.records == 2
    (skipped,) = coverage.skipped
    assert skipped.place.file.endswith("x.xml") and skipped.place.line == 3 and skipped.lost
    assert f"<Security> with {MAX_ATTRIBUTES + 1} attributes" in skipped.reason


def test_an_element_within_the_limit_is_read(tmp_path: Path) -> None:
    coverage, records = read_xml_export(export(tmp_path / "x.xml", MAX_ATTRIBUTES),
                                        ProviderMatcher())  # fmt: skip
    assert len(records) == 2 and coverage.skipped == ()


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX")
def test_sigterm_stops_a_run_reading_an_element_of_many_attributes(tmp_path: Path) -> None:
    """200,000 attributes kept lxml busy for minutes in one C call, SIGTERM waiting; the
    events after them keep the run reading when the signal comes."""
    path = export(tmp_path / "many.xml", 200_000, after=30_000)
    child = subprocess.Popen(
        [sys.executable, "-m", "evtdiag", "events", "-q", "-j", "1", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    time.sleep(2)
    child.send_signal(signal.SIGTERM)
    try:
        _, err = child.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail("evtdiag still running 10 s after SIGTERM")
    assert child.returncode in (143, -signal.SIGTERM), err.decode()
