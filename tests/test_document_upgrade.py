"""Reports of schema ``evtdiag/1`` (every event listed) are still read: ``render`` and
``compare`` bring them to ``evtdiag/2`` (:func:`evtdiag.document.upgraded`), summarising
their events as a new report summarises them.

``data/demo-report-evtdiag-1.json.gz`` is the demo site's report as evtdiag wrote it
before ``evtdiag/2`` (commit 62f508f, ``report sample_logs/*.evtx --hosts ... --windows
... --format json``).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evtdiag.document import LISTING_SCHEMA, SCHEMA, load
from evtdiag.event_summary import EVENT_SAMPLE
from tests.conftest import OLD_DEMO_REPORT, SAMPLE_REPORT_ARGS
from tests.render.test_report_outputs import run

SECTIONS = ("events", "matrix", "host_lanes", "attempts")


@pytest.fixture(scope="module")
def old_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("old") / "demo-v1.json"
    path.write_bytes(gzip.decompress(OLD_DEMO_REPORT.read_bytes()))
    assert json.loads(path.read_text())["schema"] == LISTING_SCHEMA
    return path


@pytest.fixture(scope="module")
def new_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("new")
    report, events = folder / "demo.json", folder / "demo-events.jsonl"
    code, _, err = run("report", *SAMPLE_REPORT_ARGS, "--format", "json", "-o", str(report),
                       "--events", str(events), "-q")  # fmt: skip
    assert code == 1, err
    return report, events


def test_an_old_report_renders_in_every_format(old_demo: Path, tmp_path: Path) -> None:
    for fmt in ("html", "text", "json"):
        out = tmp_path / f"r.{fmt}"
        code, _, err = run("render", str(old_demo), "--format", fmt, "-o", str(out))
        assert code == 1, err  # the demo's open problems
    rendered = json.loads((tmp_path / "r.json").read_text())
    assert rendered["schema"] == SCHEMA and "items" not in rendered["events"]
    assert "555 PSync events" in (tmp_path / "r.text").read_text()
    page = (tmp_path / "r.html").read_text()
    assert 'class="matrix' in page and "KSmith" in page


def test_an_old_report_and_a_new_one_of_the_same_logs_compare_as_the_same(
    old_demo: Path, new_demo: tuple[Path, Path]
) -> None:
    for pair in ((old_demo, new_demo[0]), (new_demo[0], old_demo)):
        code, out, err = run("compare", *map(str, pair), "--format", "json")
        assert code == 0, err
        document = json.loads(out)
        assert document["nothing_new"] is True, document["summary"]
        assert {e["category"] for e in document["problems"]} == {"unchanged", "intended"}


def test_an_old_report_is_summarised_as_a_new_report_summarises_its_events(
    old_demo: Path, new_demo: tuple[Path, Path]
) -> None:
    """The same events (the old report's list, the new report's events file) give the
    same summary, whichever path summarised them; problems keep their samples."""
    upgraded = load(old_demo.read_bytes(), "old.json")
    new = load(new_demo[0].read_bytes(), "new.json")
    lines = new_demo[1].read_text().splitlines()
    assert len(lines) == new["events"]["total"] == upgraded["events"]["total"] == 555
    for section in SECTIONS:
        assert upgraded[section] == new[section], section
    assert [len(p["events"]) for p in upgraded["problems"]] == [
        len(p["events"]) for p in new["problems"]
    ]


def test_a_listing_report_made_from_a_new_one_and_its_events_reads_back_the_same(
    new_demo: tuple[Path, Path],
) -> None:
    """An ``evtdiag/1`` document whose ``events.items`` are the events file's lines reads
    as the report written with it: the summary of the one equals that of the other."""
    report, events = new_demo
    document = json.loads(report.read_text())
    listing = {key: value for key, value in document.items() if key not in SECTIONS[1:]}
    listing["schema"] = LISTING_SCHEMA
    items = [json.loads(line) for line in events.read_text().splitlines()]
    listing["events"] = {"total": len(items), "by_id": document["events"]["by_id"],
                         "items": items}  # fmt: skip
    upgraded = load(json.dumps(listing).encode(), "listing.json")
    new = load(report.read_bytes(), "new.json")
    assert {section: upgraded[section] for section in SECTIONS} == {
        section: new[section] for section in SECTIONS
    }


def test_an_old_problem_of_many_events_keeps_its_first_and_last() -> None:
    refs = [{"time": f"2026-09-01T10:{minute:02}:00Z", "record_id": minute} for minute in range(60)]
    document = json.loads(gzip.decompress(OLD_DEMO_REPORT.read_bytes()))
    document["problems"][0]["events"] = refs
    problem = load(json.dumps(document).encode(), "old.json")["problems"][0]
    kept = [ref["record_id"] for ref in problem["events"]]
    assert kept == [*range(EVENT_SAMPLE), *range(60 - EVENT_SAMPLE, 60)]
    assert problem["event_count"] == document["problems"][0]["event_count"]
