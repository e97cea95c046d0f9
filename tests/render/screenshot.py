"""Write the README's screenshot of the sample report: ``python -m tests.render.screenshot``.

Builds the report of ``sample_logs/`` with relative paths (as the README's quick start
does) and captures the top of the page in headless Chromium.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import REPO
from tests.render.cdp import Browser, find_browser


def main(output: Path = REPO / "docs" / "report.png", height: int = 1500) -> None:
    executable = find_browser()
    if executable is None:
        sys.exit("no Chromium found (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.html"
        logs = sorted(str(p.relative_to(REPO)) for p in (REPO / "sample_logs").glob("*.evtx"))
        inputs = ["--hosts", "sample_logs/hosts", "--windows", "sample_logs/windows"]
        command = [sys.executable, "-m", "evtdiag", "report", *logs, *inputs]
        command += ["--success-id", "12291", "-q", "-o", str(report)]
        subprocess.run(command, cwd=REPO, check=False)
        browser = Browser(executable, height=height)
        try:
            browser.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": height,
                         "deviceScaleFactor": 1, "mobile": False}, session=True)  # fmt: skip
            browser.open(report.as_uri())
            output.parent.mkdir(parents=True, exist_ok=True)
            browser.screenshot(output, full_page=False)
        finally:
            browser.close()
    print(f"{output}: {output.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:2]))
