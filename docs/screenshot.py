"""Redraw the README's picture of the report: ``python docs/screenshot.py [OUTPUT.png]``.

Builds the report of ``sample_logs/`` as the README's quick start does (relative paths,
so no folder of this machine shows) and captures its first screen at 1400 x 900 in
headless Chromium: the verdict and the problems at a glance. Needs the test extra
(``pip install -e '.[test]'``: Playwright) and Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the browser set-up is the tests' own

from tests.render.browser import find_browser, launch  # noqa: E402

SCREEN = {"width": 1400, "height": 900}


def build_report(target: Path) -> None:
    """The quick start's report; its exit code is 1 since the demo has open problems."""
    logs = sorted(str(p.relative_to(REPO)) for p in (REPO / "sample_logs").glob("*.evtx"))
    inputs = ["--hosts", "sample_logs/hosts", "--windows", "sample_logs/windows"]
    command = [sys.executable, "-m", "evtdiag", "report", *logs, *inputs, "-q", "-o", str(target)]
    if subprocess.run(command, cwd=REPO, check=False).returncode not in (0, 1):
        sys.exit("evtdiag report failed")


def main(output: Path = REPO / "docs" / "report.png") -> None:
    executable = find_browser()
    if executable is None:
        sys.exit("no Chromium found (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        report = Path(folder) / "report.html"
        build_report(report)
        browser = launch(playwright, executable)
        page = browser.new_page(viewport=SCREEN)
        page.goto(report.as_uri())
        page.screenshot(path=output)
        browser.close()
    print(f"{output}: {output.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:2]))
