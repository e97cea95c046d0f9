"""A saved report read back (``evtdiag.document``): crafted, broken, deep, older or
contract-only documents are refused with the path of their first bad field (exit 2) or
rendered in full, never half rendered and never an internal error (exit 4)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.document import FIRST_CAUSE_FIELDS, load
from evtdiag.errors import UsageError
from evtdiag.json_shape import MAX_DEPTH
from tests.conftest import SAMPLE_REPORT_ARGS
from tests.test_contract_docs import contract_fields


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("saved") / "findings.json"
    result = CliRunner().invoke(
        cli, ["report", *SAMPLE_REPORT_ARGS, "--format", "json", "-o", str(path), "-q"]
    )
    assert result.exit_code == 1, result.output
    return path


def crafted(saved: Path, folder: Path, edit: Callable[[dict[str, Any]], Any]) -> Path:
    document = json.loads(saved.read_text())
    edit(document)
    path = folder / "crafted.json"
    path.write_text(json.dumps(document))
    return path


def refused_everywhere(path: Path, saved: Path, folder: Path, message: str) -> None:
    """``render`` in every format (and redacting) and ``compare`` on either side refuse
    ``path`` with exit 2 and ``message``, and write nothing."""
    for fmt in ("html", "text", "json"):
        for redact in ((), ("--redact",)):
            out = folder / f"out.{fmt}"
            code, err = run("render", str(path), "--format", fmt, "-o", str(out), *redact)
            assert (code, message in err) == (2, True), (fmt, redact, err)
            assert not out.exists()
    for pair in ((path, saved), (saved, path)):
        code, err = run("compare", *map(str, pair))
        assert (code, message in err) == (2, True), err


def _problem(field: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda d: d["problems"][0].__setitem__(field, value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _problem("severity", None),
            "problems[0].severity: expected one of error, warning, info, got null",
        ),
        (_problem("severity", 3), "problems[0].severity: expected one of error, warning, info"),
        (
            lambda d: d["problems"][0].pop("severity"),
            "problems[0].severity: missing (expected one of error, warning, info)",
        ),
        (
            lambda d: d["problems"][0]["subject"].__setitem__("account", ["x"]),
            "problems[0].subject.account: expected a string, got a list",
        ),
        (
            lambda d: d["events"].__setitem__("total", None),
            "events.total: expected an integer, got null",
        ),
        (
            lambda d: d["matrix"]["rows"][0]["cells"].pop(),
            "matrix.rows[0].cells: expected one [failures, successes] per account",
        ),
        (
            lambda d: d["attempts"]["rows"][0].__setitem__("scope", "galaxy"),
            "attempts.rows[0].scope: expected one of pair, host, host-dc, dc, account, got "
            '"galaxy"',
        ),
        (
            lambda d: d["attempts"]["rows"][0].__setitem__("last_failure", {"time": "soon"}),
            "attempts.rows[0].last_failure.time: expected an ISO 8601 time",
        ),
        (
            lambda d: d["host_lanes"]["lanes"][0]["failure_times"].append(None),
            "host_lanes.lanes[0].failure_times[",
        ),
        (
            _problem("scope", "galaxy"),
            'problems[0].scope: expected one of host, account, dc, pair, got "galaxy"',
        ),
        (_problem("event_count", True), "problems[0].event_count: expected an integer, got true"),
        (_problem("last_seen", "yesterday"), "problems[0].last_seen: expected an ISO 8601 time"),
        (_problem("last_seen", "2026-09-01T10:00:00"), "problems[0].last_seen: expected an ISO"),
        (
            _problem("first_seen", "0001-01-01T00:00:00+00:01"),
            "problems[0].first_seen: expected an ISO 8601 time",
        ),
        (
            lambda d: d["problems"][0]["evidence"][0].__setitem__("kind", {"a": 1}),
            "problems[0].evidence[0].kind: expected one of config, event, absence, got an object",
        ),
        (
            lambda d: d["events"]["by_id"].__setitem__("12294", "many"),
            'events.by_id."12294": expected an integer, got "many"',
        ),
        (lambda d: d.__setitem__("verdict", "\x1b]0;PWNED\x07"), "verdict: expected one of"),
        (lambda d: d["audit"][0].__setitem__("rule", None), "audit[0].rule: expected a string"),
        (lambda d: d.__setitem__("inputs", {}), "inputs: expected a list, got an object"),
        (  # found by fuzzing: the HTML's banner read counts.accounts
            lambda d: d.__setitem__("counts", {"x": 1}),
            "counts.accounts: missing (expected an integer)",
        ),
        (
            lambda d: d["problems"][0]["causes"][0].__setitem__("evidence", [[]]),
            "problems[0].causes[0].evidence[0]: expected an object, got a list",
        ),
    ],
)
def test_a_bad_field_is_refused_with_its_path(saved: Path, tmp_path: Path, edit,
                                              message: str) -> None:  # fmt: skip
    path = crafted(saved, tmp_path, edit)
    refused_everywhere(path, saved, tmp_path, f"crafted.json is not a valid evtdiag/2 report: "
                                              f"{message}")  # fmt: skip


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 1_000, 100_000])
def test_deep_nesting_is_refused_without_recursion(saved: Path, tmp_path: Path,
                                                   depth: int) -> None:  # fmt: skip
    """An unknown key (kept for a later evtdiag) nested deep, in a problem: refused
    before any renderer, redaction or encoder recurses through it."""
    text = saved.read_text().replace('"problems": [\n    {', '"problems": [\n    {"later": '
                                     + _nested(depth) + ",", 1)  # fmt: skip
    path = tmp_path / "deep.json"
    path.write_text(text)
    message = "problems[0].later: nested more than" if depth < 900 else "nested too deep"
    refused_everywhere(path, saved, tmp_path, message)


def test_nesting_up_to_the_limit_is_kept(saved: Path, tmp_path: Path) -> None:
    path = crafted(
        saved, tmp_path, lambda d: d.__setitem__("later", json.loads(_nested(MAX_DEPTH)))
    )
    out = tmp_path / "again.json"
    code, err = run("render", str(path), "--format", "json", "-o", str(out))
    assert code == 1, err
    assert json.loads(out.read_text())["later"] == json.loads(_nested(MAX_DEPTH))


def test_a_byte_order_mark_is_accepted(saved: Path, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + saved.read_bytes())
    code, err = run("render", str(path), "--format", "text", "-o", str(tmp_path / "r.txt"))
    assert code == 1, err
    code, err = run("compare", str(path), str(saved))
    assert code == 0 and "Error" not in err, err  # read, and the same report: nothing new


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"schema": "evtdiag/1", "verdict": NaN}', "NaN is not a JSON number"),
        (b"\xff\xfe{}", "is not a JSON report"),
        (b'{"schema": "evtdiag/1"}', "verdict: missing"),
        (b"[]", "is not an evtdiag report (schema None"),
    ],
)
def test_what_is_not_a_report_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        load(data, "x.json")


def contract_only(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with only what docs/contract.md marks as the contract's fields."""
    problem_keys = contract_fields("### `problems`")
    evidence_keys = contract_fields("### Evidence")
    input_keys = contract_fields("### `inputs`")
    audit_keys = {"id", "rule", "host", "severity", "evidence", "remediation"}

    def evidence(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in item.items() if k in evidence_keys} for item in items]

    return {
        "schema": document["schema"],
        "tool": document["tool"],
        "generated_at": document["generated_at"],
        "verdict": document["verdict"],
        "inputs": [{k: v for k, v in i.items() if k in input_keys} for i in document["inputs"]],
        "events": {"total": document["events"]["total"], "by_id": document["events"]["by_id"]},
        "problems": [
            {
                **{k: v for k, v in p.items() if k in problem_keys},
                "evidence": evidence(p["evidence"]),
            }
            for p in document["problems"]
        ],
        "audit": [
            {**{k: v for k, v in a.items() if k in audit_keys}, "evidence": evidence(a["evidence"])}
            for a in document["audit"]
        ],
    }


def test_a_contract_only_report_renders_and_compares(saved: Path, tmp_path: Path) -> None:
    document = contract_only(json.loads(saved.read_text()))
    assert document["problems"] and "title" not in document["problems"][0]
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(document))
    for fmt in ("html", "text", "json"):
        out = tmp_path / f"r.{fmt}"
        code, err = run("render", str(path), "--format", fmt, "-o", str(out))
        assert code == 1, (fmt, err)  # as the full report: open problems
        assert out.stat().st_size > 0
    text = (tmp_path / "r.text").read_text()
    assert document["problems"][0]["cause"] in text
    code, err = run("compare", str(path), str(saved))
    assert code == 1, err


def test_defaults_are_filled_once_and_kept_when_given(saved: Path) -> None:
    full = json.loads(saved.read_text())
    document = load(json.dumps(contract_only(copy.deepcopy(full))).encode(), "c.json")
    problem = document["problems"][0]
    assert problem["status"] == "open" and problem["last_failure"] == problem["last_seen"]
    assert problem["cause_severity"] == problem["severity"]
    assert problem["title"] == "" and problem["causes"] == [] and problem["events"] == []
    assert "subject" not in problem  # derived by identity where needed
    assert all("subject" not in item for item in problem["evidence"])  # redaction refuses
    assert document["events"] == {
        "total": full["events"]["total"],
        "by_id": full["events"]["by_id"],
        "outcomes": {},
        "first_time": None,
        "last_time": None,
        "dcs": [],
        "latest_attempts": [],
        "by_day": {},
    }
    assert document["matrix"]["rows"] == [] and document["host_lanes"]["lanes"] == []
    assert document["attempts"] == {"complete": False, "scopes": 0, "rows": []}
    # A complete report is unchanged, but for each problem's first cause, which the report
    # names by its code and the loader completes from the problem's own fields.
    loaded = load(saved.read_bytes(), "full.json")
    for problem in full["problems"]:
        assert problem["causes"][0] == {"cause": problem["cause"]}
        problem["causes"][0] = {
            "cause": problem["cause"],
            **{key: problem[field] for key, field in FIRST_CAUSE_FIELDS.items()},
        }
    assert loaded == full
    assert loaded["problems"][0]["causes"][0]["title"] == full["problems"][0]["title"] != ""
