"""A crafted report cannot drive the terminal: every string of the document, shown by
``render --format text -o -``, ``compare`` or the stderr summary of any format, and the
output names echoed, reach the terminal escaped (issue 26, item 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from tests.conftest import SAMPLE_REPORT_ARGS

OSC = "\x1b]0;PWNED\x07"
"""Sets the terminal's title; any raw ESC or BEL in an output is a failure."""
CODES = {"schema", "verdict", "scope", "severity", "cause_severity", "status", "outcome",
         "kind", "time", "first_seen", "last_seen", "last_failure", "resolved_at",
         "generated_at", "first_time", "last_time", "since", "until", "shell",
         "provenance", "latest_attempts", "first_failure", "recent_failures", "failure_times",
         "success_times"}  # fmt: skip
"""Fields the loader checks against a list of codes or as times: a crafted value there
is refused (tests/test_document.py), not rendered."""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), color=True)
    return result.exit_code, result.stdout, result.stderr


def poisoned(value: Any, key: str | None = None) -> Any:
    """``value`` with :data:`OSC` appended to every free string in it."""
    if isinstance(value, dict):
        return {k: poisoned(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poisoned(item, key) for item in value]
    if isinstance(value, str) and key not in CODES:
        return value + OSC
    return value


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("escapes")
    code, out, err = run("report", *SAMPLE_REPORT_ARGS, "--format", "json", "-q")
    assert code == 1, err
    document = poisoned(json.loads(out))
    document["problems"][0]["basis"] = "documented"  # its doc_url is shown
    path = folder / "crafted.json"
    path.write_text(json.dumps(document))
    return path


def assert_escaped(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b]0;PWNED\\x07" in text


def test_the_text_report_escapes_every_string(crafted: Path) -> None:
    code, out, err = run("render", str(crafted), "--format", "text", "-o", "-")
    assert code == 1, err
    assert_escaped(out)
    for shown in ("encryption-key-mismatch", "Encryption key differs", "doc: https://",
                  "sync-users-all-keyword"):  # fmt: skip
        assert any(shown in line and "\\x1b" in line for line in out.splitlines()), shown


@pytest.mark.parametrize("fmt", ["html", "json", "text"])
def test_the_stderr_summary_escapes_every_string(crafted: Path, tmp_path: Path, fmt: str) -> None:
    code, _, err = run("render", str(crafted), "--format", fmt, "-o", str(tmp_path / "r"))
    assert code == 1, err
    assert_escaped(err.replace("\x1b[", "").replace("\x1b(", ""))  # colours aside


def test_the_comparison_escapes_every_string(crafted: Path) -> None:
    code, out, err = run("compare", str(crafted), str(crafted))
    assert code == 0, err  # the same report: nothing new to compare
    assert_escaped(out)


def test_output_names_are_echoed_escaped(crafted: Path, tmp_path: Path) -> None:
    name = tmp_path / f"r{OSC}.json"
    for args in (("render", str(crafted), "--format", "json", "-q", "--redact"),
                 ("compare", str(crafted), str(crafted))):  # fmt: skip
        code, _, err = run(*args, "-o", str(name))
        assert code == (1 if args[0] == "render" else 0), err
        assert "\x1b" not in err and "\\x1b]0;PWNED\\x07.json" in err
        name.unlink()
    name.write_text("keep")
    code, _, err = run("render", str(crafted), "--format", "json", "-o", str(name))
    assert code == 2 and "already exists" in err and "\x1b" not in err
    code, _, err = run("render", str(crafted), "-o", str(tmp_path / OSC / "r.html"))
    assert code == 2 and "not an existing folder" in err and "\x1b" not in err
