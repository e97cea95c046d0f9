"""Summaries that scale: the terminal summary and the text report list the first
TOP_PROBLEMS lines by impact and say how many more (``--all`` lists every one); many
problems of one cause and scope are one group line, the same in the terminal, the text
and the HTML report. Checked on the demo's real report, on that report grown to many
problems, and on the benchmark's dense log (a real run)."""

from __future__ import annotations

import copy
import html as html_module
import json
from pathlib import Path

import pytest

from evtdiag.document import impact_order, is_open, load, triage_rows
from evtdiag.render.html.page import render_html
from evtdiag.render.problems import GROUP_ABOVE, TOP_PROBLEMS, grouped
from evtdiag.render.summary import terminal_summary
from evtdiag.render.text_report import render_text
from evtdiag.render.timefmt import TimeFormatter
from tests.conftest import SAMPLE_REPORT_ARGS
from tests.render.test_report_outputs import run
from tests.support.dense import write_dense_log

UTC = TimeFormatter("UTC")
DENSE_EVENTS = 3000
"""The benchmark's dense pattern at 3,000 events: 1,751 problems, in 2 s."""
TEXT_BUDGET = 200_000
"""Issue 24's target for the text report at 200,000 events (bytes)."""


@pytest.fixture(scope="module")
def demo() -> dict:
    """The demo's JSON report, as a real run writes it."""
    return json.loads(run("report", *SAMPLE_REPORT_ARGS, "-q", "--format", "json")[1])


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The JSON report of the benchmark's dense log, written by a real run."""
    folder = tmp_path_factory.mktemp("dense")
    log = write_dense_log(folder / "dense.evtx", DENSE_EVENTS)
    report = folder / "dense.json"
    code, _, err = run("report", str(log), "-q", "--format", "json", "-o", str(report))
    assert code == 1, err
    return report


def _summary_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    return lines[next(i for i, line in enumerate(lines) if line.startswith("VERDICT")) :]


def _locked_pairs(demo: dict, spread: dict[str, int]) -> dict:
    """The demo with its unix-account-disabled pair copied onto hosts: ``spread`` says
    how many accounts each host refuses so."""
    grown = copy.deepcopy(demo)
    pair = next(p for p in grown["problems"] if p["cause"] == "unix-account-disabled")
    grown["problems"].remove(pair)
    for host, accounts in spread.items():
        for n in range(accounts):
            grown["problems"].append(
                {**pair, "id": f"P-{host}{n:04}", "account": f"u{n}", "host": host,
                 "accounts": [f"u{n}"], "hosts": [host]}
            )
    return grown


SPREAD = {"web01": 12, "db02": 9, "mail05": 7, "app03": 5, "build06": 3}
GROUP = "36 pairs: unix-account-disabled — web01 (12 pairs), db02 (9), mail05 (7) and 2 more"


def test_many_problems_of_one_cause_are_one_line_in_every_output(demo: dict) -> None:
    grown = _locked_pairs(demo, SPREAD)
    summary = terminal_summary(grown, colour=False)
    assert [line for line in summary.splitlines() if "unix-account-disabled" in line] == [
        f"  ERROR   pair     {GROUP}"
    ]
    text = render_text(grown, UTC)
    (row,) = [line for line in text.splitlines() if line.startswith("  open  ") and "36" in line]
    assert row.split()[:5] == ["open", "error", "pair", "36", "pairs"]
    assert row.split()[5:7] == ["unix-account-disabled", f"{11 * 36:,}"]
    assert GROUP.split(" — ")[1] in text.splitlines()[text.splitlines().index(row) + 1]
    assert "the first of 36 pairs of this cause" in text
    page = html_module.unescape(render_html(grown, UTC))
    assert f"<strong>36 pairs</strong> — {GROUP.split(' — ')[1]}</summary>" in page
    members = page.split('<details class="group-members">')[1].split("</details>")[0]
    assert members.count("<li>") == 36  # each member reachable from the group
    assert members.count('<a href="#P-') == 36


def test_a_group_needs_more_than_the_threshold(demo: dict) -> None:
    at = _locked_pairs(demo, {"web01": GROUP_ABOVE})
    assert all(not e.is_group for e in grouped(impact_order(at["problems"])))
    assert "pairs: unix-account-disabled" not in terminal_summary(at, colour=False)
    above = _locked_pairs(demo, {"web01": GROUP_ABOVE + 1})
    assert f"{GROUP_ABOVE + 1} pairs: unix-account-disabled — web01 ({GROUP_ABOVE + 1} pairs)" in (
        terminal_summary(above, colour=False)
    )


def _many_causes(demo: dict, count: int) -> dict:
    """The demo with ``count`` pair problems of as many causes: none is grouped."""
    many = copy.deepcopy(demo)
    pair = next(p for p in many["problems"] if p["scope"] == "pair")
    many["problems"] += [
        dict(pair, id=f"P-{n:010d}", account=f"u{n}", cause=f"cause-{n}") for n in range(count)
    ]
    return many


def test_the_summary_lists_the_top_problems_and_names_the_report_written(
    demo: dict, tmp_path: Path
) -> None:
    many = _many_causes(demo, 100)
    saved = tmp_path / "many.json"
    saved.write_text(json.dumps(many))
    still = sum(1 for p in many["problems"] if is_open(p))
    page = tmp_path / "report.html"
    code, _, err = run("render", str(saved), "-o", str(page))
    lines = _summary_lines(err)
    assert code == 1 and len(lines) == 1 + TOP_PROBLEMS + 1
    assert lines[-1] == f"  and {still - TOP_PROBLEMS} more (see {page})"
    top = [p for p in impact_order(many["problems"]) if is_open(p)][:TOP_PROBLEMS]
    assert [line.split()[-1] for line in lines[1:-1]] == [p["cause"] for p in top]
    code, out, err = run("render", str(saved), "--format", "text")
    assert f"and {still - TOP_PROBLEMS} more (--all lists every one; so does --format json " \
           "-o report.json)" in _summary_lines(err)[-1]  # fmt: skip
    assert out.count("\n  open ") == TOP_PROBLEMS  # the triage rows
    code, out, err = run("render", str(saved), "--format", "text", "--all")
    assert len(_summary_lines(err)) == 1 + still and "more (" not in err
    assert out.count("\n  open ") == len(triage_rows(many["problems"])) and "more (" not in out


def test_the_demo_is_listed_whole(demo: dict) -> None:
    """12 problems in 11 triage rows: under every bound, nothing is cut or grouped."""
    text = render_text(demo, UTC)
    assert "more (" not in text and "in full here" not in text
    assert text == render_text(demo, UTC, every=True)
    assert len(terminal_summary(demo, colour=False).splitlines()) == 1 + 12


def test_the_dense_log_gives_a_summary_and_a_text_report_that_fit(dense: Path) -> None:
    document = load(dense.read_bytes(), str(dense))
    still = [p for p in document["problems"] if is_open(p)]
    assert len(still) > 1500
    code, _, err = run("render", str(dense), "-o", str(dense.with_suffix(".html")))
    assert code == 1
    lines = _summary_lines(err)
    assert len(lines) <= 1 + TOP_PROBLEMS + 2
    counted = [int(line.split()[2]) for line in lines[1:] if " — " in line]
    assert sum(counted) == len(still)  # every problem is in a group line
    _, text, _ = run("render", str(dense), "--format", "text", "-q")
    assert len(text.encode()) < TEXT_BUDGET / 10
    assert text.count("\n  ERROR  ") <= TOP_PROBLEMS  # problems in full
    _, whole, _ = run("render", str(dense), "--format", "text", "-q", "--all")
    assert all(f"  ERROR  host {p['host']}\n" in whole for p in still if p["scope"] == "host")


def test_the_text_reports_lists_of_names_and_steps_are_bounded(demo: dict) -> None:
    wide = copy.deepcopy(demo)
    wide["unmatched_hosts"] = [f"host{n:03}" for n in range(50)]
    wide["unreferenced_hosts"] = [f"spare{n:03}" for n in range(30)]
    text = render_text(wide, UTC)
    assert f"host{TOP_PROBLEMS - 1:03} and {50 - TOP_PROBLEMS} more\n" in text
    assert f"spare{TOP_PROBLEMS - 1:03} and {30 - TOP_PROBLEMS} more\n" in text
    assert f"host{TOP_PROBLEMS:03}" not in text
    whole = render_text(wide, UTC, every=True)
    assert "host049\n" in whole and "spare029\n" in whole


def test_the_text_reports_checklist_shows_its_first_steps(demo: dict) -> None:
    many = _locked_pairs(demo, {"web01": 40})
    steps = sum(len(p["fix"]["steps"]) for p in many["problems"] if p["fix"])
    text = render_text(many, UTC)
    assert f"  and {steps - TOP_PROBLEMS} more step(s): evtdiag fixes writes every one" in text
    todo = text.split("What to do:")[1].split("\n\n")[0]
    assert todo.count("    [P-") == TOP_PROBLEMS
    assert render_text(many, UTC, every=True).split("What to do:")[1].count("    [P-") == steps
