"""The HTML report in a real browser: headless Chromium driven over DevTools.

Skipped when no Chromium is installed (``apt-get install chromium``; ``.ci/run`` does it).
Set ``EVTDIAG_SCREENSHOT_DIR`` to keep the screenshots (the README's comes from here).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evtdiag.cli import cli
from tests.conftest import SAMPLE_REPORT_ARGS
from tests.evtx_writer import WriterEvent, write_evtx_file

pytest.importorskip(
    "websocket", reason="websocket-client is not installed (pip install -e '.[test]')"
)
from tests.render.cdp import Browser, find_browser

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium found (install it: apt-get install chromium); browser tests skipped",
)
SECTIONS = ("verdict", "scope-host", "scope-account", "scope-dc", "scope-pair", "matrix",
            "timeline", "audit", "coverage", "run")  # fmt: skip

PAYLOADS = {
    "script": "<script>window.__pwned=1</script>",
    "img": '"><img src=x onerror="window.__pwned=2">',
    "js_url": "javascript:window.__pwned=3",
    "svg": "<svg onload=window.__pwned=4>",
    "style": "</style><script>window.__pwned=5</script>",
    "rtl": "evil\u202egnp.exe",
    "long": "L" * 3000,
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert BROWSER is not None
    instance = Browser(BROWSER)
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("EVTDIAG_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("shots")


def _report(args: list[str], output: Path) -> Path:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["report", *args, "-q", "-o", str(output)])
    assert result.exit_code in (0, 1), result.output
    return output


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    return _report(
        list(SAMPLE_REPORT_ARGS),
        folder / "report.html",
    )


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report whose users, hosts, DC and config lines are attack strings."""
    folder = tmp_path_factory.mktemp("hostile")
    start = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
    users = [PAYLOADS["script"], PAYLOADS["img"], PAYLOADS["long"], "alice"]
    hosts = [PAYLOADS["svg"], PAYLOADS["js_url"], PAYLOADS["rtl"], "web01"]
    events = []
    for n, (user, host) in enumerate((u, h) for u in users for h in hosts):
        events.append(
            WriterEvent(
                provider="Microsoft-Windows-IDMU-PSync",
                event_id=12291 if (user, host) == ("alice", "web01") else 12294,
                time_created=start + timedelta(hours=n * 7),
                record_id=100 + n,
                computer=PAYLOADS["style"] + ".corp.example.com",
                level=2,
                qualifiers=0xC000,
                data=(user, host),
            )
        )
    write_evtx_file(folder / "dc.evtx", events)
    hosts_dir = folder / "hosts"
    for name in ("web01", PAYLOADS["img"].replace("/", "")):
        host = hosts_dir / name
        host.mkdir(parents=True)
        (host / "sso.conf").write_text(
            f"SYNC_HOSTS=({PAYLOADS['style']})\n"
            f"SYNC_USERS=-{PAYLOADS['script']} +{PAYLOADS['js_url']}\n"
            f"CASE_IGNORE_NAME=1 {PAYLOADS['rtl']}\n"
        )
        (host / "passwd").write_text(
            f"alice:x:1000:1000:{PAYLOADS['img']}:/home/alice:/bin/sh\n"
            f"{PAYLOADS['svg']}:x:1001:1001::/tmp:/bin/sh\n"
        )
    return _report(
        [str(folder / "dc.evtx"), "--hosts", str(hosts_dir), "--success-id", "12291"],
        folder / "hostile.html",
    )


def _assert_clean(browser: Browser, url: str) -> None:
    problems = browser.problems(url)
    assert problems == {"console": [], "exceptions": [], "log": [], "requests": []}


def test_sample_report_with_javascript(browser: Browser, sample_report: Path, shots: Path) -> None:
    url = sample_report.as_uri()
    browser.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900,
                 "deviceScaleFactor": 1, "mobile": False}, session=True)  # fmt: skip
    browser.open(url)
    _assert_clean(browser, url)
    assert browser.evaluate("document.documentElement.dataset.enhanced") == "1"
    for section in SECTIONS:
        assert browser.evaluate(f"!!document.getElementById('{section}')"), section
    order = browser.evaluate(
        "Array.from(document.querySelectorAll('main section[id]')).map(s => s.id)"
    )
    assert [s for s in order if s in SECTIONS] == list(SECTIONS)
    assert browser.evaluate("document.querySelectorAll('article.card').length") == 12

    host_column = """Array.from(document.querySelectorAll('table.audit tbody tr'))
                       .map(r => r.cells[2].textContent.trim().toLowerCase())"""
    browser.evaluate("document.querySelectorAll('table.audit th button.sort')[2].click()")
    ascending = browser.evaluate(host_column)
    assert ascending == sorted(ascending) and len(set(ascending)) > 1
    browser.evaluate("document.querySelectorAll('table.audit th button.sort')[2].click()")
    assert browser.evaluate(host_column) == sorted(ascending, reverse=True)

    browser.evaluate(
        "const f = document.getElementById('problem-filter'); f.value = 'build06';"
        "f.dispatchEvent(new Event('input'))"
    )
    visible = browser.evaluate(
        "Array.from(document.querySelectorAll('article.card')).filter(c => c.offsetParent)"
        ".map(c => c.querySelector('h3').textContent)"
    )
    assert visible == ["build06"]
    browser.evaluate(
        "const g = document.getElementById('problem-filter'); g.value = '';"
        "g.dispatchEvent(new Event('input'))"
    )
    browser.evaluate("window.scrollTo(0, 0)")
    top = browser.screenshot(shots / "report-top.png", full_page=False)
    full = browser.screenshot(shots / "report-full.png")
    assert top.stat().st_size > 10_000 and full.stat().st_size > top.stat().st_size
    _assert_clean(browser, url)


def test_sample_report_without_javascript(
    browser: Browser, sample_report: Path, shots: Path
) -> None:
    url = sample_report.as_uri()
    browser.open(url, javascript=False)
    try:
        _assert_clean(browser, url)
        assert browser.evaluate("document.documentElement.dataset.enhanced") is None
        assert browser.evaluate("document.querySelectorAll('button').length") == 0
        for section in SECTIONS:
            assert browser.evaluate(f"!!document.getElementById('{section}')"), section
        # Collapsed parts open natively, without script.
        browser.evaluate("document.querySelector('details.xml').open = true")
        assert browser.evaluate("document.querySelector('details.xml pre').offsetHeight") > 0
        browser.screenshot(shots / "report-nojs.png", full_page=False)
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", {"value": False}, session=True)


def test_phone_width_and_print(browser: Browser, sample_report: Path, shots: Path) -> None:
    url = sample_report.as_uri()
    browser.call("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844,
                 "deviceScaleFactor": 1, "mobile": True}, session=True)  # fmt: skip
    try:
        browser.open(url)
        _assert_clean(browser, url)
        assert browser.evaluate("document.documentElement.scrollWidth") <= 392
        browser.screenshot(shots / "report-phone.png", full_page=False, width=390)
        browser.call("Emulation.setEmulatedMedia", {"media": "print"}, session=True)
        assert (
            browser.evaluate("getComputedStyle(document.querySelector('.filter')).display")
            == "none"
        )
        assert browser.evaluate("getComputedStyle(document.querySelector('.toc')).display") == (
            "none"
        )
        # Everything expanded: the content of a closed <details> is laid out.
        assert browser.evaluate("document.querySelector('details.xml').open") is False
        assert browser.evaluate("document.querySelector('details.xml pre').offsetHeight") > 0
    finally:
        browser.call("Emulation.setEmulatedMedia", {"media": ""}, session=True)
        browser.call("Emulation.clearDeviceMetricsOverride", {}, session=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_hostile_names_do_not_run(
    browser: Browser, hostile_report: Path, shots: Path, javascript: bool
) -> None:
    url = hostile_report.as_uri()
    browser.open(url, javascript=javascript)
    try:
        _assert_clean(browser, url)
        assert browser.evaluate("window.__pwned === undefined")
        assert (
            browser.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        )
        assert browser.evaluate("document.querySelectorAll('body script').length") == 1
        assert browser.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
        text = browser.evaluate("document.body.innerText")
        assert PAYLOADS["script"] in text  # shown as text
        assert "\u202e" not in text and "\\u202e" in text  # the override made visible
        assert browser.evaluate("!!document.getElementById('matrix')")
        if javascript:
            assert browser.evaluate("document.documentElement.dataset.enhanced") == "1"
            browser.screenshot(shots / "hostile.png", full_page=False)
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", {"value": False}, session=True)
