"""docs/contract.md and docs/design.md cannot drift from the code.

The expected sets come from the code itself (the registries, ``ExitCode``, and the JSON
a real report of ``sample_logs/`` writes), so adding a field, a code or an exit code
without documenting it fails here, and so does documenting one that does not exist.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.cli.paths import command_paths
from evtdiag.compare import CATEGORIES, PROBLEM_FIELDS, Entry, ReportInfo, compare_reports
from evtdiag.diagnose.audit import audits
from evtdiag.diagnose.causes import causes
from evtdiag.document import EVIDENCE, INPUT, PROBLEM, load
from evtdiag.errors import ExitCode
from evtdiag.json_shape import Record
from evtdiag.psync import CATALOGUE
from evtdiag.publish.redact import redact_document
from evtdiag.render.compare_report import comparison_document
from evtdiag.render.timefmt import TimeFormatter
from tests.conftest import REPO, SAMPLE_REPORT_ARGS

CONTRACT = REPO / "docs" / "contract.md"
DESIGN = REPO / "docs" / "design.md"
SRC = REPO / "src"


def section(heading: str) -> str:
    """The text of docs/contract.md under ``heading`` (a whole heading line), up to the
    next heading of the same or a higher level."""
    text = CONTRACT.read_text(encoding="utf-8")
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    assert heading in lines, f"docs/contract.md has no heading {heading!r}"
    start = lines.index(heading) + 1
    end = next(
        (n for n in range(start, len(lines)) if re.match(rf"^#{{1,{level}}} ", lines[n])),
        len(lines),
    )
    return "\n".join(lines[start:end])


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown tables in ``text``, as cells (``\\|`` kept inside)."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if all(re.fullmatch(r":?-+:?", cell) for cell in cells):
            continue  # the separator row
        rows.append(cells)
    return rows[1:] if rows else rows  # the first row is the header


def first_column_names(heading: str) -> set[str]:
    """Every ``name`` in backticks in the first column of the tables under ``heading``."""
    return {
        name for row in table_rows(section(heading)) for name in re.findall(r"`([^`]+)`", row[0])
    }


def contract_fields(heading: str) -> set[str]:
    """The keys the tables under ``heading`` mark as the contract's (origin column)."""
    return {
        name
        for row in table_rows(section(heading))
        if len(row) > 2 and row[2] == "contract"
        for name in re.findall(r"`([^`]+)`", row[0])
    }


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The JSON report of the demo site, as ``evtdiag report --format json`` writes it."""
    result = CliRunner().invoke(cli, ["report", *SAMPLE_REPORT_ARGS, "--format", "json", "-q"])
    assert result.exit_code == ExitCode.PROBLEMS_FOUND, result.output
    return json.loads(result.stdout)


# -- codes --------------------------------------------------------------------------------


def test_every_cause_code_is_documented_and_no_other() -> None:
    documented = first_column_names("## Cause codes")
    assert documented == set(causes.codes)


def test_cause_table_matches_the_registry() -> None:
    """Basis, severity, natural scope and documenting event ids, as registered."""
    ids = {kind.kind: kind.event_id for kind in CATALOGUE}
    rows = {re.sub(r"`", "", row[0]): row for row in table_rows(section("## Cause codes"))}
    for rule in causes.rules:
        _code, basis, severity, scope, documented_by, *_ = rows[rule.code]
        assert (basis, severity, scope) == (rule.basis, rule.severity, rule.scope), rule.code
        assert set(re.findall(r"\b(\d{4,5})\b", documented_by)) == {
            str(ids[kind]) for kind in rule.documented_by
        }, rule.code


def test_every_audit_code_is_documented_and_no_other() -> None:
    documented = first_column_names("## Audit codes")
    assert documented == set(audits.codes)


def test_audit_table_matches_the_registry() -> None:
    rows = {re.sub(r"`", "", row[0]): row for row in table_rows(section("## Audit codes"))}
    for rule in audits.rules:
        _code, basis, severity, *_ = rows[rule.code]
        assert (basis, severity) == (rule.basis, rule.severity), rule.code


def test_every_event_kind_is_documented_and_no_other() -> None:
    rows = table_rows(section("## Event kinds"))
    documented = {(int(row[0]), row[1].strip("`")) for row in rows}
    assert documented == {(kind.event_id, kind.kind) for kind in CATALOGUE}


def test_every_exit_code_is_listed_and_no_other() -> None:
    rows = table_rows(section("## Exit codes"))
    documented = {(int(row[0]), row[1].strip("`")) for row in rows}
    assert documented == {(int(code), code.name) for code in ExitCode}


# -- the report's fields --------------------------------------------------------------------


def test_every_top_level_key_is_documented_and_no_other(document: dict[str, Any]) -> None:
    redacted, _ = redact_document(document, bytes(32), command_paths)
    assert "redaction" in redacted  # the one key only a redacted report has
    assert first_column_names("### Top level") == set(redacted)


def test_every_problem_key_is_documented_and_no_other(document: dict[str, Any]) -> None:
    written = {key for problem in document["problems"] for key in problem}
    assert document["problems"] and first_column_names("### `problems`") == written


def test_every_input_key_is_documented_and_no_other(document: dict[str, Any]) -> None:
    written = {key for entry in document["inputs"] for key in entry}
    assert first_column_names("### `inputs`") == written


def test_every_events_key_is_documented_and_no_other(document: dict[str, Any]) -> None:
    assert first_column_names("### `events`") == set(document["events"])


@pytest.mark.parametrize("name", ["matrix", "host_lanes", "attempts"])
def test_every_key_of_what_a_report_keeps_of_its_events_is_documented(
    document: dict[str, Any], name: str
) -> None:
    assert first_column_names(f"### `{name}`") == set(document[name])
    rows = document[name].get("rows") or document[name].get("lanes") or []
    assert rows
    text = section(f"### `{name}`")
    assert all(f'"{key}"' in text or f"`{key}`" in text for row in rows for key in row)


def test_every_event_of_the_events_file_is_documented(tmp_path: Path) -> None:
    listing = tmp_path / "events.jsonl"
    result = CliRunner().invoke(cli, ["report", *SAMPLE_REPORT_ARGS, "--format", "json", "-q",
                                      "--events", str(listing)])  # fmt: skip
    assert result.exit_code == ExitCode.PROBLEMS_FOUND, result.output
    written = {key for line in listing.read_text().splitlines() for key in json.loads(line)}
    assert first_column_names("## Events listing") == written


def test_every_count_is_documented_and_no_other(document: dict[str, Any]) -> None:
    assert first_column_names("### `counts`") == set(document["counts"])


def test_nested_keys_are_named(document: dict[str, Any]) -> None:
    """Keys inside problems, audit findings, evidence and the other top-level lists."""
    text = CONTRACT.read_text(encoding="utf-8")
    nested: set[str] = set(document["tool"]) | set(document["run"])
    for problem in document["problems"]:
        nested |= set(problem["subject"])
        for cause in problem["causes"]:  # the first names its code only
            nested |= set(cause)
            for evidence in [*cause.get("evidence", []), *problem["evidence"]]:
                nested |= set(evidence)
        for ref in problem["events"]:
            nested |= set(ref)
    for finding in document["audit"]:
        nested |= set(finding)
    for name in ("success_id_details", "host_identities", "host_configs", "windows_groups"):
        for item in document[name]:
            nested |= set(item)
    missing = sorted(key for key in nested if f'"{key}"' not in text and f"`{key}`" not in text)
    assert not missing, f"docs/contract.md does not name {missing}"


@pytest.mark.parametrize(
    "events", [{"total": 0}, {"items": []}], ids=["evtdiag/2", "evtdiag/1"]
)
def test_older_report_keys_the_loader_fills_are_documented(events: dict[str, Any]) -> None:
    """What ``document.load`` requires or fills in is named on the page."""
    schema = "evtdiag/1" if "items" in events else "evtdiag/2"
    minimal = {"schema": schema, "verdict": "operational", "inputs": [], "problems": [],
               "audit": [], "events": events}  # fmt: skip
    filled = load(json.dumps(minimal).encode(), "minimal.json")
    assert set(filled) <= first_column_names("### Top level")
    assert set(filled["events"]) == first_column_names("### `events`")


@pytest.mark.parametrize(
    ("heading", "shape"),
    [("### `problems`", PROBLEM), ("### `inputs`", INPUT), ("### Evidence", EVIDENCE)],
)
def test_the_loader_requires_the_contract_fields_only(heading: str, shape: Record) -> None:
    """A saved report must have what the contract marks ``contract``; every later field
    is optional, and the loader knows each documented field."""
    assert set(shape.required) == contract_fields(heading)
    assert shape.known == first_column_names(heading)


# -- the comparison -------------------------------------------------------------------------


def test_comparison_fields_are_documented(document: dict[str, Any]) -> None:
    comparison = compare_reports(document, document, TimeFormatter())
    written = comparison_document(comparison)
    text = section("## Comparison JSON (`evtdiag-compare/1`)")
    assert first_column_names("## Comparison JSON (`evtdiag-compare/1`)") == set(written)
    names = (
        {field.name for field in fields(ReportInfo)}
        | {field.name for field in fields(Entry)}
        | set(PROBLEM_FIELDS)
        | set(CATEGORIES)
        | {"subject"}
    )
    assert comparison.entries and set(asdict(comparison.entries[0])) <= names
    missing = sorted(name for name in names if f"`{name}`" not in text and f'"{name}"' not in text)
    assert not missing, f"the comparison section does not name {missing}"
    assert '"evtdiag-compare/1"' in text


# -- the references -------------------------------------------------------------------------


def test_no_source_file_cites_the_old_design_brief() -> None:
    citing = [str(p.relative_to(REPO)) for p in SRC.rglob("*.py") if "DESIGN.md" in p.read_text()]
    assert not citing, f"cite docs/design.md or docs/contract.md instead: {citing}"


def test_the_fact_base_is_cited_by_its_path() -> None:
    """psync-facts.md lives outside the repository: a source file names it by its path."""
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        bare = text.count("psync-facts.md") - text.count("../shared/reference/psync-facts.md")
        assert not bare, f"{path.relative_to(REPO)} cites psync-facts.md without its path"


def test_readme_links_the_design_and_the_contract() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/design.md)" in readme and "(docs/contract.md)" in readme
    assert DESIGN.is_file() and CONTRACT.is_file()


def test_design_module_map_lists_every_module() -> None:
    """docs/design.md's module map names every module of src/evtdiag, and no other."""
    text = DESIGN.read_text(encoding="utf-8")
    mapped = set(re.findall(r"^\| `([\w/]+\.py)` \|", text, flags=re.MULTILINE))
    modules = {p.relative_to(SRC / "evtdiag").as_posix() for p in (SRC / "evtdiag").rglob("*.py")}
    assert mapped == modules
