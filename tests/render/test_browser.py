"""The HTML report in a real browser: headless Chromium driven by Playwright.

Skipped when Playwright (``pip install -e '.[test]'``) or Chromium (``apt-get install
chromium``; ``.ci/run`` does it) is missing; the accessibility check also needs
``axe-playwright-python`` (the same extra), which ships axe-core. Set
``EVTDIAG_SCREENSHOT_DIR`` to keep the screenshots (dark mode ones included).
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.render.html.page import render_html
from evtdiag.render.timefmt import TimeFormatter
from tests.conftest import SAMPLE_REPORT_ARGS
from tests.render.browser import Watch, find_browser, launch
from tests.render.test_report_colours import AA, contrast, luminance
from tests.support.dense import write_dense_log
from tests.support.evtx_writer import WriterEvent, write_evtx_file

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')"
)
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e '.[test]')")

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium found (install it: apt-get install chromium); browser tests skipped",
)
SECTIONS = ("verdict", "triage", "scope-host", "scope-account", "scope-dc", "scope-pair",
            "matrix", "timeline", "audit", "coverage", "run")  # fmt: skip
FIRST_SCREEN = {"width": 1400, "height": 900}
MAX_PRINTED_PAGES = 16
"""The demo report printed: 12 pages before each problem carried its fix (the diff or
commands, and the retry) and the page its "What to do" list; a budget, so that a page
that grows by accident fails here."""

PAYLOADS = {
    "script": "<script>window.__pwned=1</script>",
    "img": '"><img src=x onerror="window.__pwned=2">',
    "js_url": "javascript:window.__pwned=3",
    "svg": "<svg onload=window.__pwned=4>",
    "style": "</style><script>window.__pwned=5</script>",
    "rtl": "evil\u202egnp.exe",
    "long": "L" * 3000,
}

OVERFLOWS = """() => {
  // Elements whose content is wider than their box and not inside a scroll box: text
  // cut or running over its neighbours. Scroll boxes (.scroll) may be wider inside.
  const bad = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el instanceof SVGElement || !el.clientWidth) continue;
    if (getComputedStyle(el).overflowX !== "visible") continue;
    if (el.closest(".scroll") && el.closest(".scroll") !== el) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      bad.push(`${el.tagName}.${el.className} ${el.scrollWidth}>${el.clientWidth}`);
    }
  }
  if (document.documentElement.scrollWidth > innerWidth + 1) bad.push("page wider than window");
  return bad;
}"""

SVG_TEXT_OUTSIDE = """() => Array.from(document.querySelectorAll("svg.timeline text"))
  .filter(t => {
    const box = t.getBBox(), view = t.ownerSVGElement.viewBox.baseVal;
    return box.x < 0 || box.y < 0
      || box.x + box.width > view.width || box.y + box.height > view.height;
  }).map(t => t.textContent)"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert BROWSER is not None
    with sync_api.sync_playwright() as playwright:
        instance = launch(playwright, BROWSER)
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
    result = CliRunner().invoke(cli, ["report", *args, "-q", "-o", str(output)])
    assert result.exit_code in (0, 1), result.output
    return output


@pytest.fixture(scope="module")
def sample_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = _report(
        [*SAMPLE_REPORT_ARGS, "--format", "json"], tmp_path_factory.mktemp("j") / "r.json"
    )
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _report(list(SAMPLE_REPORT_ARGS), tmp_path_factory.mktemp("sample") / "report.html")


def _page_of(document: dict[str, Any], path: Path) -> Path:
    path.write_text(render_html(document, TimeFormatter("UTC")))
    return path


@pytest.fixture(scope="module")
def resolved_report(
    sample_document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The demo with its last problem fixed: a success in its scope after its last failure."""
    document = copy.deepcopy(sample_document)
    problem = document["problems"][-1]
    last = datetime.fromisoformat(problem["last_seen"].replace("Z", "+00:00"))
    fixed = (last + timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    problem.update(status="resolved", severity="info", last_failure=problem["last_seen"],
                   resolved_at=fixed, verified_by=None)  # fmt: skip
    return _page_of(document, tmp_path_factory.mktemp("resolved") / "resolved.html")


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


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Opens a report in a fresh page: (path, viewport, javascript) -> (page, watch)."""
    contexts = []

    def opener(path: Path, viewport: dict[str, int] = FIRST_SCREEN, *,
               javascript: bool = True) -> tuple[Any, Watch]:  # fmt: skip
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        watch = Watch(page)
        page.goto(path.as_uri())
        return page, watch

    yield opener
    for context in contexts:
        context.close()


def _assert_clean(watch: Watch, path: Path) -> None:
    assert watch.trouble(path.as_uri()) == {"console": [], "errors": [], "requests": []}


def test_sample_report_with_javascript(open_page, sample_report: Path, shots: Path) -> None:
    page, watch = open_page(sample_report)
    assert page.evaluate("document.documentElement.dataset.enhanced") == "1"
    order = page.evaluate(
        "Array.from(document.querySelectorAll('main section[id]')).map(s => s.id)"
    )
    assert [s for s in order if s in SECTIONS] == list(SECTIONS)
    assert page.locator("article.card").count() == 12

    host_column = """Array.from(document.querySelectorAll('table.audit tbody tr'))
                       .map(r => r.cells[2].textContent.trim().toLowerCase())"""
    page.locator("table.audit th button.sort").nth(2).click()
    ascending = page.evaluate(host_column)
    assert ascending == sorted(ascending) and len(set(ascending)) > 1
    page.locator("table.audit th button.sort").nth(2).click()
    assert page.evaluate(host_column) == sorted(ascending, reverse=True)

    page.fill("#problem-filter", "build06")
    assert page.locator("article.card:visible h3").all_inner_texts() == ["build06"]
    page.fill("#problem-filter", "")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=shots / "report-top.png")
    page.screenshot(path=shots / "report-full.png", full_page=True)
    _assert_clean(watch, sample_report)


def test_triage_is_on_the_first_screen_and_leads_to_each_card(
    open_page, sample_report: Path
) -> None:
    page, watch = open_page(sample_report)
    table = page.locator("#triage table").bounding_box()
    assert table is not None and table["y"] + table["height"] <= FIRST_SCREEN["height"]
    links = page.locator("#triage tbody a")
    assert links.count() == 11  # legacy07's two causes share a row
    targets = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    cards = page.evaluate(
        "Array.from(document.querySelectorAll('article.card')).map(c => '#' + c.id)"
    )
    assert set(targets) <= set(cards)  # a row per subject, in the order of impact
    for index, target in enumerate(targets):
        links.nth(index).click()
        assert page.evaluate("location.hash") == target
        card = page.locator(f"article.card[id='{target[1:]}']").bounding_box()
        assert card is not None and -1 <= card["y"] < FIRST_SCREEN["height"] / 2, target
    _assert_clean(watch, sample_report)


def test_timeline_marks_failures_successes_and_fixes_apart(
    open_page, resolved_report: Path
) -> None:
    page, watch = open_page(resolved_report)
    kinds = page.evaluate("""() => Object.fromEntries(["tl-fail", "tl-ok", "tl-fixed"].map(k => {
        const marks = document.querySelectorAll("#timeline g.tl-lane path." + k);
        const style = marks.length ? getComputedStyle(marks[0]) : null;
        return [k, {count: marks.length, fill: style && style.fill, stroke: style && style.stroke}];
    }))""")
    fail, ok, fixed = kinds["tl-fail"], kinds["tl-ok"], kinds["tl-fixed"]
    assert fail["count"] >= 10 and ok["count"] >= 1 and fixed["count"] == 1
    # Apart by colour and by shape: crosses are strokes without fill, successes filled dots.
    assert fail["stroke"] != ok["fill"] and fail["fill"] == "none" and ok["stroke"] == "none"
    assert page.locator("#timeline svg g.tl-lane").count() == 12
    assert page.evaluate(SVG_TEXT_OUTSIDE) == []
    last_row = page.locator("#triage tbody tr").last
    assert "status-resolved" in (last_row.get_attribute("class") or "")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", last_row.locator("td").last.inner_text())
    _assert_clean(watch, resolved_report)


@pytest.mark.parametrize("width", [390, 800, 1400])
def test_no_text_overflows_its_box(open_page, sample_report: Path, shots: Path,
                                   width: int) -> None:  # fmt: skip
    page, watch = open_page(sample_report, {"width": width, "height": 900})
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.evaluate(OVERFLOWS) == []
    assert page.evaluate(SVG_TEXT_OUTSIDE) == []
    page.screenshot(path=shots / f"report-{width}.png")
    _assert_clean(watch, sample_report)


def test_sample_report_without_javascript(open_page, sample_report: Path, shots: Path) -> None:
    page, watch = open_page(sample_report, javascript=False)
    assert page.evaluate("document.documentElement.dataset.enhanced") is None
    assert page.locator("button").count() == 0
    for section in SECTIONS:
        assert page.locator(f"#{section}").count() == 1, section
    # Collapsed parts open natively, without script.
    page.locator("details.xml summary").first.click()
    assert page.locator("details.xml pre").first.bounding_box()["height"] > 0
    page.locator("#triage tbody a").first.click()
    assert page.evaluate("location.hash") == page.locator("#triage tbody a").first.get_attribute(
        "href"
    )
    page.screenshot(path=shots / "report-nojs.png")
    _assert_clean(watch, sample_report)


def test_print_styles(open_page, sample_report: Path) -> None:
    page, _ = open_page(sample_report, {"width": 390, "height": 844})
    page.emulate_media(media="print")
    for hidden in (".filter", ".toc", "details.xml", "details.events"):
        assert page.locator(hidden).first.evaluate("e => getComputedStyle(e).display") == "none"
    # The audit findings are laid out expanded, without script.
    assert page.locator("details.finding").first.evaluate("d => d.open") is False
    assert page.locator("details.finding .fix").first.bounding_box()["height"] > 0


def _pdf_pages(page: Any, paper: str) -> list[list[str]]:
    """Each printed page's lines, the margin boxes' line (page number, version) first."""
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format=paper)))
    return [[" ".join(line.split()) for line in p.extract_text().splitlines() if line.strip()]
            for p in pdf.pages]  # fmt: skip


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_printed_report(open_page, sample_report: Path, sample_document: dict[str, Any],
                        paper: str) -> None:  # fmt: skip
    page, _ = open_page(sample_report)
    page.emulate_media(media="print")
    headings = set(
        page.evaluate("""Array.from(document.querySelectorAll(
        "h1, h2, h3, h4, .blurb, .card-head > header, .findings-heading"))
        .filter(h => h.offsetParent).map(h => h.textContent.split(/\\s+/).join(" ").trim())""")
    )
    # A heading's text that is also the text of body content (a host named in a card's
    # title and in the coverage's list) cannot be told apart on the printed page.
    headings -= set(
        page.evaluate("""Array.from(document.querySelectorAll("li, dd, td, p, code, span"))
        .filter(e => e.offsetParent && !e.closest(
            "h1, h2, h3, h4, .blurb, .card-head > header, .findings-heading"))
        .map(e => e.textContent.split(/\\s+/).join(" ").trim())""")
    )
    pages = _pdf_pages(page, paper)
    assert 1 < len(pages) <= MAX_PRINTED_PAGES
    version = f"evtdiag {sample_document['tool']['version']} · generated "
    for number, lines in enumerate(pages, 1):
        footer, *body = lines
        assert f"page {number} of {len(pages)}" in footer and version in footer, footer
        assert body and body[-1] not in headings, f"page {number} ends with {body[-1]!r}"


def test_printed_tables_repeat_their_headers(open_page, sample_document: dict[str, Any],
                                            tmp_path: Path) -> None:  # fmt: skip
    """A triage table over several pages: every page shows its column names."""
    document = copy.deepcopy(sample_document)
    pair = next(p for p in document["problems"] if p["scope"] == "pair")
    document["problems"] = [  # of 100 causes: none is grouped, a row each
        dict(pair, id=f"P-{n:010d}", account=f"user{n}", cause=f"cause-{n}") for n in range(100)
    ]
    page, _ = open_page(_page_of(document, tmp_path / "many.html"))
    page.emulate_media(media="print")
    header = "Status Severity Scope Subject Cause Events First failure Last failure"
    row = re.compile(r"^open error pair user\d+ on\b", re.IGNORECASE)
    with_rows = [p for p in _pdf_pages(page, "A4") if any(row.match(line) for line in p)]
    assert len(with_rows) >= 2
    assert all(header in lines for lines in with_rows)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_hostile_names_do_not_run(
    open_page, hostile_report: Path, shots: Path, javascript: bool
) -> None:
    page, watch = open_page(hostile_report, javascript=javascript)
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("img, iframe, object, embed").count() == 0
    assert page.locator("body script").count() == 1
    assert page.locator('a[href^="javascript"]').count() == 0
    text = page.evaluate("document.body.innerText")
    assert PAYLOADS["script"] in text  # shown as text
    assert "\u202e" not in text and "\\u202e" in text  # the override made visible
    assert page.locator("#matrix").count() == 1
    assert page.evaluate(SVG_TEXT_OUTSIDE) == []
    if javascript:
        assert page.evaluate("document.documentElement.dataset.enhanced") == "1"
        page.screenshot(path=shots / "hostile.png")
    _assert_clean(watch, hostile_report)


def test_what_to_do_starts_on_the_first_screen_and_each_step_reaches_its_card(
    open_page, sample_report: Path, shots: Path
) -> None:
    """Issue 23: the checklist right under the triage table, each line linking its card."""
    page, watch = open_page(sample_report)
    heading = page.locator("#what-to-do h2").bounding_box()
    assert heading is not None and heading["y"] < FIRST_SCREEN["height"]
    links = page.locator("#what-to-do ol.todo a")
    targets = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(targets) >= 10 and all(t.startswith("#P-") for t in targets)
    for index, target in enumerate(targets):
        links.nth(index).click()
        card = page.locator(f"article.card{target}")
        assert card.count() == 1, target
        box = card.bounding_box()
        assert box is not None and -1 <= box["y"] < FIRST_SCREEN["height"], target
        page.evaluate("window.scrollTo(0, 0)")
    card = page.locator("article.card:has(.fix pre.copy)").first
    card.locator("pre.copy").first.scroll_into_view_if_needed()
    assert card.locator("pre.copy button.copy-button").count() >= 1
    card.screenshot(path=shots / "card-fix.png")
    _assert_clean(watch, sample_report)


# Accessibility: the keyboard, the headings, the names, dark mode, narrow screens, and
# axe-core (the engine behind Lighthouse's accessibility audit) in both colour schemes.

BLOCKING_IMPACTS = ("serious", "critical")

STATUS_TEXT = (".verdict h2", ".sev.sev-error", ".sev.sev-warning", ".sev.sev-info",
               ".basis.documented", ".basis.inferred", ".fix strong", ".ev-absence .ev-kind",
               ".tl-key", ".tl-key.ok", ".cell.bad", ".cell.mixed", ".cell.ok",
               "tr.status-resolved td")  # fmt: skip

CONTRASTS = """selectors => selectors.map(selector => {
  // The text colour of the first element matching each selector, and the colour behind
  // it: the backgrounds of it and its ancestors composited (alpha included) over white.
  const element = document.querySelector(selector);
  if (!element) return [selector, null, null];
  const rgba = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const layers = [];
  for (let e = element; e; e = e.parentElement) {
    const [r, g, b, a = 1] = rgba(getComputedStyle(e).backgroundColor);
    if (a > 0) layers.push([r, g, b, a]);
    if (a === 1) break;
  }
  let under = [255, 255, 255];
  for (const [r, g, b, a] of layers.reverse()) {
    under = [r * a + under[0] * (1 - a), g * a + under[1] * (1 - a), b * a + under[2] * (1 - a)];
  }
  return [selector, rgba(getComputedStyle(element).color).slice(0, 3), under];
})"""


@pytest.fixture
def axe() -> Any:
    module = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed (pip install -e '.[test]')",
    )
    return module.Axe()


def _open_in(browser: Any, path: Path, scheme: str, width: int = FIRST_SCREEN["width"]) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": FIRST_SCREEN["height"]}, color_scheme=scheme
    )
    page = context.new_page()
    page.goto(path.as_uri())
    return context, page


def test_skip_link_is_the_first_tab_and_reaches_the_first_problem(
    open_page, sample_report: Path
) -> None:
    page, watch = open_page(sample_report)
    skip = page.locator("a.skip-link")
    assert skip.bounding_box()["y"] < 0  # out of sight until it has the focus
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 100
    first_card = page.locator("article.card").first.get_attribute("id")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == f"#{first_card}"
    assert page.evaluate("document.activeElement.id") == first_card
    card = page.locator(f"article.card[id='{first_card}']").bounding_box()
    assert card is not None and -1 <= card["y"] < FIRST_SCREEN["height"] / 2
    # The next Tab stays in that card: its first control, not the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate(f"document.activeElement.closest('article.card')?.id === '{first_card}'")
    _assert_clean(watch, sample_report)


def test_headings_and_names(open_page, sample_report: Path) -> None:
    page, watch = open_page(sample_report)
    assert page.locator("h1").all_inner_texts() == ["evtdiag IDMU password synchronization report"]
    assert page.get_by_role("heading", level=2, name=re.compile(r"^Verdict WARNING$")).count() == 1
    levels = page.evaluate(
        "Array.from(document.querySelectorAll('h1, h2, h3, h4')).map(h => +h.tagName[1])"
    )
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    timeline = page.get_by_role("img", name=re.compile(r"^Timeline of 12 lane\(s\), 2026-"))
    assert timeline.count() == 1
    assert timeline.evaluate("svg => svg.closest('#timeline') !== null")
    _assert_clean(watch, sample_report)


def test_triage_at_390_px_puts_the_cause_under_the_subject(open_page, sample_report: Path) -> None:
    width = 390
    page, watch = open_page(sample_report, {"width": width, "height": 844})
    table = page.locator("#triage table").bounding_box()
    assert table is not None and table["x"] >= 0 and table["x"] + table["width"] <= width
    assert not page.locator("#triage th", has_text="Cause").is_visible()
    rows = page.locator("#triage tbody tr")
    assert rows.count() == 11  # legacy07's two causes share a row
    for index in range(rows.count()):
        subject = rows.nth(index).locator("td.subject a").bounding_box()
        cause = rows.nth(index).locator("td.subject .cause-under")
        box = cause.bounding_box()
        assert subject is not None and box is not None
        assert box["y"] >= subject["y"] + subject["height"] - 1  # under the subject
        assert box["x"] + box["width"] <= width
        code = rows.nth(index).locator("td.cause-cell code").text_content()
        assert code and code in cause.inner_text()
    _assert_clean(watch, sample_report)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_status_colours_keep_aa_contrast_as_rendered(
    browser: Any, resolved_report: Path, scheme: str
) -> None:
    context, page = _open_in(browser, resolved_report, scheme)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    measured = page.evaluate(CONTRASTS, list(STATUS_TEXT))
    context.close()
    missing = [selector for selector, text, _ in measured if text is None]
    assert missing == []
    low = {s: round(contrast(t, b), 2) for s, t, b in measured if contrast(t, b) < AA}
    assert low == {}, scheme
    background = next(b for s, _, b in measured if s == ".verdict h2")
    assert (luminance(background) < 0.1) is (scheme == "dark")  # the scheme took effect


@pytest.mark.parametrize("width", [FIRST_SCREEN["width"], 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(
    browser: Any, axe: Any, sample_report: Path, resolved_report: Path, shots: Path,
    scheme: str, width: int,
) -> None:  # fmt: skip
    for report in (sample_report, resolved_report):
        context, page = _open_in(browser, report, scheme, width)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        results = axe.run(page).response
        if report == sample_report and scheme == "dark":
            page.screenshot(path=shots / f"report-dark-{width}.png")
            page.screenshot(path=shots / f"report-dark-{width}-full.png", full_page=True)
        context.close()
        assert results["testEngine"]["name"] == "axe-core"
        assert len(results["passes"]) > 20  # it ran its rules
        blocking = {
            v["id"]: [n["target"] for n in v["nodes"]][:3]
            for v in results["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        }
        assert blocking == {}, (report.name, scheme, width)


VISIBLE_ROWS = """selector => Array.from(document.querySelectorAll(selector))
  .filter(row => row.offsetParent !== null).map(row => row.textContent)"""


def test_the_filter_hides_rows_of_the_triage_and_of_the_tables_beyond_the_cards(
    open_page, tmp_path: Path
) -> None:
    """The benchmark's dense log (a real run, 1,751 problems): more than a scope's cards,
    so the next problems are table rows, and the triage holds groups. Typing a subject
    of those rows hides every row, card and group member that does not name it."""
    log = write_dense_log(tmp_path / "dense.evtx", 3000)
    page_path = _report([str(log)], tmp_path / "dense.html")
    page, watch = open_page(page_path)
    overflow = "#scope-host table.more-problems tbody tr"
    rows = page.evaluate(VISIBLE_ROWS, overflow)
    assert len(rows) > 100
    subject = page.locator(overflow).nth(7).locator("td").nth(1).inner_text()
    page.fill("#problem-filter", subject)
    shown = page.evaluate(VISIBLE_ROWS, overflow)
    assert 0 < len(shown) < len(rows) and all(subject in row for row in shown)
    assert page.evaluate(VISIBLE_ROWS, "table.more-problems tbody tr") == shown
    assert page.locator("article.card:visible").count() == 0
    triage = page.evaluate(VISIBLE_ROWS, "table.triage tbody tr")
    assert len(triage) == 1 and subject in triage[0]  # its group's row, unfolded to it
    members = page.evaluate(VISIBLE_ROWS, "details.group-members li")
    assert members and all(subject in member for member in members)
    page.fill("#problem-filter", "")
    assert page.evaluate(VISIBLE_ROWS, overflow) == rows
    assert len(page.evaluate(VISIBLE_ROWS, "table.triage tbody tr")) == page.locator(
        "table.triage tbody tr"
    ).count()
    _assert_clean(watch, page_path)
