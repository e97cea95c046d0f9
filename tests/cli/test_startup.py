"""What starting evtdiag imports, which is what makes it slow or fast to start.

A time would be flaky on a busy machine; the modules imported are not. The diagnosis,
jinja2 and the log readers took most of ``evtdiag --version``'s 0.3 s when the CLI
imported them at the top: these tests fail when an import at the top of a module brings
one of them back, or when ``events`` starts importing what only ``report`` needs.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import evtdiag
from evtdiag.cli import options
from evtdiag.render.compare_report import COMPARE_FORMATS
from evtdiag.render.formats import REPORT_FORMATS
from tests.conftest import REPO, SAMPLE_LOGS

NOT_FOR_THE_CLI = (
    "jinja2",
    "Evtx",  # python-evtx, the fallback decoder, which pulls in urllib, http and ssl
    "evtdiag.diagnose",
    "evtdiag.render.html",
    "importlib.metadata",
)
"""What ``import evtdiag.cli`` must not import (modules and their submodules)."""

NOT_FOR_EVENTS = (
    "jinja2",
    "evtdiag.diagnose",
    "evtdiag.render.html",
    "Evtx",  # only for records evtdiag's decoder refuses, and the sample logs have none
)
"""What ``evtdiag events`` on the sample logs must not import: it diagnoses nothing."""

MODULES = "import json, sys; print(json.dumps(sorted(sys.modules)))"

EVENTS_RUN = """
import json, sys
from evtdiag import cli

out, sys.argv = sys.argv[1], ["evtdiag", "events", *sys.argv[2:]]
try:
    cli.main()
finally:
    with open(out, "w") as modules:
        json.dump(sorted(sys.modules), modules)
"""
"""``evtdiag events ARGS`` as the console script runs it, writing the names of the
modules imported by its end to the file named first."""


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True,
                          text=True, check=False)  # fmt: skip


def _at_start() -> set[str]:
    """The modules Python imports before any code runs (site hooks included), which
    evtdiag cannot be blamed for."""
    return set(json.loads(_python(MODULES).stdout))


def _among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


def test_importing_the_cli_imports_no_heavy_module() -> None:
    run = _python(f"import evtdiag.cli; {MODULES}")
    assert run.returncode == 0, run.stderr
    imported = set(json.loads(run.stdout)) - _at_start()
    assert "click" in imported  # the probe did import the CLI
    assert _among(imported, NOT_FOR_THE_CLI) == []


def test_listing_events_imports_neither_the_diagnosis_nor_the_html_renderer(
    tmp_path: Path,
) -> None:
    out = tmp_path / "modules.json"
    logs = map(str, sorted(SAMPLE_LOGS.glob("*.evtx")))
    run = _python(EVENTS_RUN, str(out), *logs, "--success-id", "12291", "-q", "--jobs", "1")
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 1 + 555  # the events were listed
    imported = set(json.loads(out.read_text()))
    assert "evtdiag.logs.evtx" in imported and "evtdiag.render.events" in imported
    assert _among(imported, NOT_FOR_EVENTS) == []


def test_the_options_offer_what_the_registries_hold() -> None:
    """The CLI writes the choices out rather than import the readers and renderers."""
    assert tuple(REPORT_FORMATS) == options.REPORT_FORMAT_NAMES
    assert tuple(COMPARE_FORMATS) == options.COMPARE_FORMAT_NAMES


def test_the_version_shown_is_the_version_installed() -> None:
    """``--version`` shows the constant the package is built from, not the installed
    metadata: they differ only in an install older than the source (reinstall it)."""
    assert importlib.metadata.version("evtdiag") == evtdiag.__version__
