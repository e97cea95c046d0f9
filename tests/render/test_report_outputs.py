"""The report's outputs: HTML structure and safety, render, safe writing, redaction, secrets."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
import re
import stat
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.cli.paths import command_paths
from evtdiag.document import failing_pairs, impact_order, load, triage_rows
from evtdiag.event_summary import EVENT_SAMPLE
from evtdiag.publish.redact import redact_document
from evtdiag.publish.unredact import unredact
from evtdiag.render.formats import REPORT_FORMATS
from evtdiag.render.html.page import (
    CARDS_PER_SCOPE,
    NAMES_PER_CARD,
    ROWS_PER_SCOPE,
    render_html,
)
from evtdiag.render.html.timeline import TIMELINE_LANES
from evtdiag.render.problems import TOP_PROBLEMS, TRIAGE_ROWS, problem_subject
from evtdiag.render.text_report import render_text
from evtdiag.render.timefmt import TimeFormatter
from tests.conftest import OLD_DEMO_REPORT, SAMPLE_LOGS, SAMPLE_REPORT_ARGS

INPUTS = [*SAMPLE_REPORT_ARGS, "-q"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("findings") / "findings.json"
    code, _, err = run("report", *INPUTS, "--format", "json", "-o", str(path))
    assert code == 1, err
    return path


@pytest.fixture(scope="module")
def document(findings: Path) -> dict:
    return json.loads(findings.read_text())


@pytest.fixture()
def listing() -> dict:
    """The demo's report as an ``evtdiag/1`` document (every event in ``events.items``),
    to be edited event by event and read back as ``render`` reads it (:func:`load`)."""
    return json.loads(gzip.decompress(OLD_DEMO_REPORT.read_bytes()))


def read_back(document: dict) -> dict:
    return load(json.dumps(document).encode(), "edited.json")


@pytest.fixture(scope="module")
def html(document: dict) -> str:
    return render_html(document, TimeFormatter("UTC"))


def test_formats_registry_is_exhaustive() -> None:
    assert set(REPORT_FORMATS) == {"html", "json", "text"}


def test_html_is_self_contained_with_a_strict_csp(html: str) -> None:
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert csp, "no CSP meta tag"
    policy = csp.group(1).replace("&#39;", "'")
    assert policy.startswith("default-src 'none';")
    for tag in ("style", "script"):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", html, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in policy
    assert html.count("<script") == 1 and html.count("<style") == 1
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"\ssrc=", html)
    assert "url(" not in html and "@import" not in html
    assert all(h.startswith(("#", "https://")) for h in re.findall(r'href="([^"]*)"', html))


def test_html_sections_in_order(html: str) -> None:
    ids = ["verdict", "triage", "scope-host", "scope-account", "scope-dc", "scope-pair", "matrix",
           "timeline", "audit", "coverage", "run"]  # fmt: skip
    positions = [html.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)
    assert "s inference (heuristic)" in html and "Documented by Microsoft" in html
    assert "EventRecordID 48233" in html and "<summary>Raw event XML</summary>" in html
    assert "sample_logs/hosts/build06/sso.conf:12" in html
    assert "@media print" in html and "<svg" in html


def test_sample_report_is_small(html: str) -> None:
    assert len(html.encode()) < 1_000_000


def test_html_caps_large_reports(listing: dict) -> None:
    """10,000 failures: the page shows capped lists, says so, and stays small."""
    big = listing
    template = next(e for e in big["events"]["items"] if e["outcome"] == "failure")
    items = []
    for n in range(10_000):
        item = dict(template, user=f"user{n % 400}", host=f"host{n % 150}", record_id=n)
        item["time"] = f"2026-09-{1 + n % 28:02d}T10:00:00.000000Z"
        items.append(item)
    big["events"]["items"] = items
    big["events"]["total"] = len(items)
    problem = big["problems"][0]
    ref = problem["events"][0]
    problem["events"] = [dict(ref, record_id=n) for n in range(10_000)]
    problem["event_count"] = 10_000
    page = render_html(read_back(big), TimeFormatter("UTC"))
    assert len(page.encode()) < 3_000_000
    assert f"the first and the last {EVENT_SAMPLE} shown; <code>evtdiag report --events" in page
    assert "account(s) and 110 host(s) with the fewest failures are not shown" in page
    # 10,000 failures of one problem: one mark per slot of its lane, not one per event.
    lane = re.search(r'<g class="tl-lane">.*?</g>', page).group()
    assert lane.count("l7 7m0-7l-7 7") < 300


def test_a_card_lists_its_first_names_and_how_many_more(document: dict) -> None:
    """A host refusing everyone names thousands of accounts: its card (and what its
    filter finds) lists the first :data:`NAMES_PER_CARD`, and says how many more."""
    doc = copy.deepcopy(document)
    doc["problems"][0]["accounts"] = [f"acct{n:05d}" for n in range(5_000)]
    page = render_html(doc, TimeFormatter("UTC"))
    card = re.search(r'<article class="card[^>]*>.*?</article>', page, re.S).group()
    assert f"acct{NAMES_PER_CARD - 1:05d}" in card and f"acct{NAMES_PER_CARD:05d}" not in card
    assert f"and {5_000 - NAMES_PER_CARD} more (all in the JSON)" in card
    assert len(card) < 20_000


def test_html_caps_the_number_of_problem_cards(document: dict) -> None:
    """Thousands of problems (e.g. 10,000 failures of distinct pairs): full cards for the
    first ones, a table for the next ones, the rest only in the JSON, and the page says so."""
    big = copy.deepcopy(document)
    pair = next(p for p in big["problems"] if p["scope"] == "pair")
    big["problems"] = [dict(pair, id=f"P-{n:010d}", account=f"user{n}") for n in range(2_000)]
    page = render_html(big, TimeFormatter("UTC"))
    assert len(page.encode()) < 3_000_000
    assert page.count('<article class="card') == CARDS_PER_SCOPE
    assert page.count("user1999") == 0 and f"user{CARDS_PER_SCOPE + ROWS_PER_SCOPE - 1}" in page
    hidden = 2_000 - CARDS_PER_SCOPE - ROWS_PER_SCOPE
    assert f"and {hidden} more are only in the JSON report" in page


def _section(page: str, name: str) -> str:
    return re.search(rf'<section id="{name}".*?</section>', page, re.S).group()


def _resolve_last(document: dict) -> dict:
    """The document with its last problem fixed two hours after its last failure."""
    resolved = copy.deepcopy(document)
    problem = resolved["problems"][-1]
    problem.update(status="resolved", severity="info", resolved_at="2026-10-06T11:00:00Z",
                   last_failure=problem["last_seen"], verified_by=None)  # fmt: skip
    return resolved


def test_triage_table_links_each_problem_to_its_card_open_ones_first(document: dict) -> None:
    page = render_html(_resolve_last(document), TimeFormatter("UTC"))
    triage = _section(page, "triage")
    targets = re.findall(r'<a href="#([^"]+)">', triage)
    cards = re.findall(r'<article class="card[^"]*" id="([^"]+)"', page)
    rows = triage_rows(_resolve_last(document)["problems"])
    assert targets == [row["id"] for row in rows] and set(targets) <= set(cards)
    assert sorted(i for row in rows for i in row["grouped"]) == sorted(cards)
    assert targets[-1] == document["problems"][-1]["id"]  # resolved: after the open ones
    assert '<th scope="col">Resolved at</th>' in triage and "2026-10-06 11:00" in triage
    assert triage.count('class="status-resolved"') == 1


def test_verdict_tiles_count_pairs_accounts_and_hosts_with_open_problems(
    document: dict, html: str
) -> None:
    counts = document["counts"]
    verdict = _section(html, "verdict")
    assert f"{counts['pairs_open']} <small>of {counts['pairs']} tried" in verdict
    assert f"{counts['accounts_open']} <small>of {counts['accounts']}</small>" in verdict
    assert f"{counts['hosts_open']} <small>of {counts['hosts']}</small>" in verdict


def test_text_report_lists_every_subject_on_one_line_after_the_verdict(document: dict) -> None:
    text = render_text(_resolve_last(document), TimeFormatter("UTC")).splitlines()
    start = text.index(f"Problems: {len(document['problems']) - 1} open, 1 resolved")
    assert text[0].startswith("VERDICT") and start < 10
    count = len(triage_rows(_resolve_last(document)["problems"]))
    header, *rows = text[start + 1 : start + 2 + count]
    assert header.split()[:5] == ["STATUS", "SEVERITY", "SCOPE", "SUBJECT", "CAUSE"]
    assert header.endswith("RESOLVED")
    assert [row.split()[0] for row in rows] == ["open"] * (len(rows) - 1) + ["resolved"]
    assert rows[0].split()[3:5] == ["build06", "encryption-key-mismatch"]
    assert rows[-1].endswith("2026-10-06")


def test_triage_tables_are_capped_and_say_so(document: dict) -> None:
    many = copy.deepcopy(document)
    pair = next(p for p in many["problems"] if p["scope"] == "pair")
    many["problems"] = [  # of 300 causes: no two are grouped
        dict(pair, id=f"P-{n:010d}", account=f"u{n}", cause=f"cause-{n}") for n in range(300)
    ]
    text = render_text(many, TimeFormatter("UTC"))
    assert f"  and {300 - TOP_PROBLEMS} more (--all lists every one;" in text
    triage = _section(render_html(many, TimeFormatter("UTC")), "triage")
    assert triage.count("<tr class=") == TRIAGE_ROWS
    assert f"The first {TRIAGE_ROWS} of 300 rows (300 problems)" in triage


def test_matrix_has_a_row_per_host_and_a_column_per_account_identity(listing: dict) -> None:
    """``web01`` and ``web01.corp.example.com`` are one host, ``KSmith`` and ``CORP\\ksmith``
    one account, as the problems count them; the names the events use are listed."""
    for event in listing["events"]["items"][::2]:
        if event["user"] == "KSmith":
            event["user"] = "CORP\\ksmith"
    matrix = _section(render_html(read_back(listing), TimeFormatter("UTC")), "matrix")
    columns = re.findall(r'<th scope="col" data-type="num">([^<]+)', matrix)
    assert columns.count("ksmith") == 1 and "KSmith" not in columns
    assert re.search(r"ksmith<small class=\"spellings\">(KSmith, CORP\\ksmith|CORP\\ksmith, "
                     r"KSmith)</small>", matrix)  # fmt: skip
    rows = re.findall(r'<th scope="row">([^<]+)(?:<small class="spellings">([^<]+))?', matrix)
    assert ("web01", "web01, web01.corp.example.com") in rows
    assert ("fin04", "FIN04") in rows and ("app03", "") in rows
    assert not any(name.endswith(".corp.example.com") for name, _ in rows)


def test_a_report_without_host_identities_folds_hosts_by_short_name(
    document: dict, listing: dict
) -> None:
    """A report written before ``host_identities`` (loaded as ``evtdiag render`` loads it)
    folds each host to its short name, as the diagnosis and ``compare`` do: ``web01`` and
    ``web01.corp.example.com`` are one matrix row and one timeline lane, not two."""
    older = listing
    del older["host_identities"]
    for problem in older["problems"]:
        del problem["subject"]
    spellings = {e["host"] for e in older["events"]["items"] if e["host"]}
    assert {"web01", "web01.corp.example.com"} <= spellings
    older = read_back(older)
    matrix = _section(render_html(older, TimeFormatter("UTC")), "matrix")
    rows = re.findall(r'<th scope="row">([^<]+)(?:<small class="spellings">([^<]+))?', matrix)
    assert ("web01", "web01, web01.corp.example.com") in rows
    assert ("db02", "db02.corp.example.com") in rows
    assert not any("." in name for name, _ in rows)
    many = dict(older, problems=[dict(p, id=f"{p['id']}-{n}") for n in range(20)
                                 for p in older["problems"]])  # fmt: skip
    timeline = _section(render_html(many, TimeFormatter("UTC")), "timeline")
    lanes = re.findall(r'<g class="tl-lane"><title>([^:<]+):', timeline)
    identities = {item["identity"] for item in document["host_identities"]}
    assert sorted(lanes) == sorted(identities | {"(no host)"})  # one lane per short name


def test_timeline_draws_a_lane_per_problem_then_per_host(document: dict) -> None:
    page = render_html(document, TimeFormatter("UTC"))
    timeline = _section(page, "timeline")
    assert timeline.count('<g class="tl-lane">') == len(document["problems"])
    assert "One lane per problem" in timeline
    many = copy.deepcopy(document)
    many["problems"] = [dict(p, id=f"{p['id']}-{n}") for n in range(20) for p in many["problems"]]
    timeline = _section(render_html(many, TimeFormatter("UTC")), "timeline")
    hosts = {item["identity"] for item in document["host_identities"]}
    assert "One lane per host" in timeline
    assert timeline.count('<g class="tl-lane">') == min(len(hosts) + 1, TIMELINE_LANES)


def test_a_problem_lane_shows_the_success_the_diagnosis_verified_it_by(document: dict) -> None:
    """A problem's lane draws no success of a scope the page would have to rebuild: an
    open problem's lane has none (the demo has successes on the same hosts and accounts),
    a resolved one's the success at its ``resolved_at``, where its check mark stands."""
    assert document["events"]["outcomes"]["success"] > 0
    timeline = _section(render_html(document, TimeFormatter("UTC")), "timeline")
    lanes = re.findall(r'<g class="tl-lane">.*?</g>', timeline, re.S)
    assert len(lanes) == len(document["problems"])
    assert not any('class="tl-ok"' in lane for lane in lanes)
    assert all(lane.endswith(" / 0</text></g>") for lane in lanes)
    resolved = _resolve_last(document)
    timeline = _section(render_html(resolved, TimeFormatter("UTC")), "timeline")
    lanes = re.findall(r'<g class="tl-lane">.*?</g>', timeline, re.S)
    (fixed,) = [lane for lane in lanes if 'class="tl-fixed"' in lane]
    dots = re.findall(r'<path d="M([\d.]+) [\d.]+a3\.2[^"]*" class="tl-ok"/>', fixed)
    check = re.search(r'<path d="M([\d.]+) [^"]*" class="tl-fixed"/>', fixed).group(1)
    assert len(dots) == 1 and abs(float(dots[0]) + 3.2 - float(check)) < 4.1
    assert fixed.endswith(" / 1</text></g>") and "verified fixed 2026-10-06 11:00:00" in fixed
    assert sum('class="tl-ok"' in lane for lane in lanes) == 1


def test_long_timeline_names_are_cut_in_the_middle_and_titled_whole(document: dict) -> None:
    doc = copy.deepcopy(document)
    long_name = "a-very-long-host-name-" + "x" * 40 + ".corp.example.com"
    doc["problems"][0]["host"] = long_name
    timeline = _section(render_html(doc, TimeFormatter("UTC")), "timeline")
    assert f"<title>{long_name}: " in timeline
    assert re.search(r'class="tl-label">a-very-long-host-na[^<]*…[^<]*\.example\.com<', timeline)


def test_printed_footer_names_the_version_and_time_safely(document: dict) -> None:
    doc = copy.deepcopy(document)
    doc["tool"]["version"] = '1.0"; } </style><script>alert(1)</script>'
    page = render_html(doc, TimeFormatter("UTC"))
    assert page.count("</style>") == 1 and "<script>alert" not in page
    footer = re.search(r"@bottom-left \{ content: (\"[^\"]*\"); \}", page).group(1)
    assert footer.startswith('"evtdiag 1.0\\22 \\3b  \\7d  \\3c \\2f style\\3e ')


def test_hostile_strings_are_escaped(document: dict) -> None:
    doc = copy.deepcopy(document)
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\u202e'
    doc["problems"][0]["host"] = evil
    doc["problems"][0]["evidence"][0]["text"] = evil
    doc["matrix"]["accounts"][0]["name"] = evil
    doc["host_lanes"]["lanes"][0]["host"] = evil
    doc["problems"][0]["doc_url"] = "javascript:alert(3)"
    page = render_html(doc, TimeFormatter("UTC"))
    assert "<script>alert" not in page and "<img" not in page
    assert "\u202e" not in page and "\\u202e" in page
    assert "javascript:" not in page


def test_report_writes_html_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("report", *INPUTS)
    assert code == 1
    written = re.search(r"Report written to (evtdiag-report-\d{8}T\d{6}Z\.html)", err)
    assert written and out == ""
    assert (tmp_path / written.group(1)).read_text().startswith("<!DOCTYPE html>")


def test_report_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("keep me")
    code, _, err = run("report", *INPUTS, "-o", str(target))
    assert code == 2 and "already exists; use --force" in err
    assert target.read_text() == "keep me"
    code, _, _ = run("report", *INPUTS, "-o", str(target), "--force")
    assert code == 1 and target.read_text().startswith("<!DOCTYPE html>")


def test_render_rebuilds_the_same_report(findings: Path, document: dict, tmp_path: Path) -> None:
    out = tmp_path / "again.html"
    code, _, err = run("render", str(findings), "-o", str(out))
    assert code == 1, err  # render exits as report did: problems
    assert out.read_text() == render_html(document, TimeFormatter("UTC"))
    code, text_from_json, _ = run("render", str(findings), "--format", "text")
    code2, text_direct, _ = run("report", *INPUTS, "--format", "text")
    assert (code, code2) == (1, 1) and text_from_json == text_direct


def test_render_refuses_other_json(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something/2"}')
    code, _, err = run("render", str(other), "--format", "text")
    assert code == 2 and "not an evtdiag report (schema 'something/2'" in err
    other.write_text("not json")
    code, _, err = run("render", str(other), "--format", "text")
    assert code == 2 and "is not a JSON report" in err


def _original_names() -> set[str]:
    """User, host, DC and domain names and IP addresses as the inputs spell them (not
    ``root``: a built-in account, named by the rules' own text, "The account is root or
    has uid 0", which redaction leaves as it is)."""
    names = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "KSmith", "ksmith",
             "svc_backup", "adm.jones", "DC01", "DC02", "corp.example.com",
             "web01", "db02", "fin04", "app03", "mail05", "build06", "legacy07"}  # fmt: skip
    toml = (SAMPLE_LOGS / "hosts" / "hosts.toml").read_text()
    names |= set(re.findall(r"\d+\.\d+\.\d+\.\d+", toml))
    return names


def test_redaction_hides_every_name_in_every_format(tmp_path: Path, monkeypatch) -> None:
    # Inputs named relative to the repository: the clone's own folder name is not an
    # input's name and could contain one of the names by chance (e.g. ".../ciroot/...").
    monkeypatch.chdir(SAMPLE_LOGS.parent)
    inputs = [arg.replace(f"{SAMPLE_LOGS.parent}/", "") for arg in INPUTS]
    # A fixed key: pseudonyms and re-keyed ids are hex, and a random key's could spell
    # "db02" or "dc01" by chance (a false leak about once in a hundred runs).
    key_file = tmp_path / "key.hex"
    key_file.write_text("5e" * 32)
    first = tmp_path / "r.html"
    code, _, err = run("report", *inputs, "--redact-key", str(key_file), "-o", str(first))
    assert code == 1, err
    mapping_file = tmp_path / "r.html.redaction.json"
    assert stat.S_IMODE(mapping_file.stat().st_mode) == 0o600
    outputs = {"html": first.read_text()}
    for fmt in ("json", "text"):
        target = tmp_path / f"r.{fmt}"
        code, _, err = run("report", *inputs, "--format", fmt, "-o", str(target),
                           "--redact-key", str(mapping_file))  # fmt: skip
        assert code == 1, err
        outputs[fmt] = target.read_text()
    mapping = json.loads(mapping_file.read_text())
    assert mapping["key"] not in "".join(outputs.values())
    for fmt, text in outputs.items():
        lowered = text.casefold()
        leaked = sorted(n for n in _original_names() if n.casefold() in lowered)
        assert leaked == [], f"{fmt} leaks {leaked}"
    # The same key gives the same pseudonyms: the reports stay comparable.
    again = json.loads((tmp_path / "r.json.redaction.json").read_text())
    assert again["key"] == mapping["key"]
    assert again["mapping"] == mapping["mapping"]
    # Decoding gives the names back.
    decoded = unredact(outputs["text"], mapping["mapping"])
    for name in ("frank", "build06", "DC02", "corp.example.com", "svc_backup"):
        assert name.casefold() in decoded.casefold()
    code, out, _ = run("unredact", str(mapping_file), outputs["text"][:4000])
    assert code == 0 and "build06" in out


def test_render_redacts_a_saved_report(findings: Path, tmp_path: Path) -> None:
    out = tmp_path / "red.txt"
    code, _, err = run("render", str(findings), "--format", "text", "--redact", "-o", str(out))
    assert code == 1, err  # render exits as report did: problems
    assert "frank" not in out.read_text() and (tmp_path / "red.txt.redaction.json").is_file()


def test_a_redacted_report_is_not_redacted_again(findings: Path, tmp_path: Path) -> None:
    """Its pseudonyms would be taken for names and the new mapping lead only to them."""
    once = tmp_path / "red.json"
    code, _, err = run("render", str(findings), "--format", "json", "--redact", "-o", str(once))
    assert code == 1, err  # render exits as report did: problems
    twice = tmp_path / "twice.json"
    code, _, err = run("render", str(once), "--format", "json", "--redact", "-o", str(twice))
    assert code == 2 and "redacted already" in err
    assert not twice.exists() and not (tmp_path / "twice.json.redaction.json").exists()


def test_redaction_is_keyed_and_stable(document: dict) -> None:
    a, ra = redact_document(document, b"k" * 32, command_paths)
    b, rb = redact_document(document, b"k" * 32, command_paths)
    c, _ = redact_document(document, b"x" * 32, command_paths)
    assert a == b and ra.originals == rb.originals and a != c
    assert {p["id"] for p in a["problems"]}.isdisjoint(p["id"] for p in document["problems"])
    assert a["redaction"]["scheme"] == "hmac-sha256" and "key" not in a["redaction"]


def _secrets() -> set[str]:
    """ENCRYPT_KEY values and password hashes of the sample configurations."""
    found: set[str] = set()
    files = [p for p in (SAMPLE_LOGS / "hosts").rglob("*") if p.is_file()]
    texts = [p.read_text(errors="replace") for p in files if not p.name.endswith(".gz")]
    with tarfile.open(SAMPLE_LOGS / "hosts" / "db02.tar.gz") as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member)
            if handle:
                texts.append(handle.read().decode(errors="replace"))
    for text in texts:
        found.update(m.strip() for m in re.findall(r"ENCRYPT_KEY\s*=\s*(\S+)", text))
        found.update(re.findall(r"\$(?:1|5|6|2[aby]?)\$[^:\s]+", text))
        found.update(re.findall(r"\{ssha\d*\}[^:\s]+", text))
        found.update(re.findall(r"password\s*=\s*([A-Za-z0-9./]{13})\b", text))
    return {s for s in found if len(s) >= 8 and not s.startswith("<")}


@pytest.mark.parametrize("redact", [False, True], ids=["plain", "redacted"])
def test_no_secret_in_any_format(tmp_path: Path, redact: bool) -> None:
    """Canary: the sample configs' keys and hashes never reach any output."""
    secrets = _secrets()
    assert len(secrets) >= 5, secrets
    for fmt in REPORT_FORMATS:
        target = tmp_path / f"r.{fmt}"
        extra = ["--redact"] if redact else []
        code, _, err = run("report", *INPUTS, "--format", fmt, "-o", str(target), *extra)
        assert code == 1, err
        text = target.read_text()
        assert [s for s in secrets if s in text] == [], fmt


def test_large_json_reports_are_compact_small_ones_indented(document: dict) -> None:
    from evtdiag.render.json_report import PRETTY_LIMIT, document_parts

    def dump_document(document: dict) -> str:
        return "".join(document_parts(document))

    assert dump_document(document).startswith('{\n  "schema": "evtdiag/2"')
    problems = document["problems"]
    copies = PRETTY_LIMIT // len(json.dumps(problems, separators=(",", ":"))) + 1
    big = dict(document, problems=problems * copies)
    assert len(json.dumps(big, ensure_ascii=False, separators=(",", ":"))) > PRETTY_LIMIT
    text = dump_document(big)
    assert text.startswith('{"schema":"evtdiag/2"') and json.loads(text) == big


def test_a_large_json_report_is_written_in_parts_that_make_the_one_shot_text(
    document: dict,
) -> None:
    """The parts must join to exactly what one ``json.dumps`` writes, and none may hold
    more than a slice of a long list (the point of writing in parts)."""
    from evtdiag.render.json_report import ITEMS_PER_PART, PRETTY_LIMIT, document_parts

    problems = [dict(p, account=f"{p['account']}-ü{i}") for i, p in enumerate(document["problems"])]
    many = (problems * (3 * ITEMS_PER_PART // len(problems) + 2))[: 3 * ITEMS_PER_PART + 7]
    # One problem explaining most events: its short list of long items is split too.
    crowded = dict(document["problems"][0], events=[{"ref": "é" * 1000}] * (ITEMS_PER_PART - 1))
    assert len(json.dumps(many, separators=(",", ":"))) > PRETTY_LIMIT
    big = dict(
        document,
        problems=[crowded, *many],
        run={"numbers": {1: "a key that is not a string"}, "empty": [], "none": None},
    )
    parts = list(document_parts(big))
    one_shot = json.dumps(big, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert "".join(parts) == one_shot
    longest_item = max(len(json.dumps(p, ensure_ascii=False)) for p in big["problems"])
    assert max(map(len, parts)) <= (longest_item + 1) * ITEMS_PER_PART


def test_an_error_while_writing_parts_leaves_the_old_report_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    from evtdiag.publish.output import write_report

    target = tmp_path / "report.json"
    target.write_text("old report\n")

    def failing_parts():
        yield "the start of a new report"
        raise ValueError("rendering failed")

    with pytest.raises(ValueError, match="rendering failed"):
        write_report(target, failing_parts(), force=True)
    assert target.read_text() == "old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]

    def renderer_os_error():
        yield "the start"
        raise OSError(5, "a renderer's own error")  # not a failure to write the report

    with pytest.raises(OSError, match="a renderer's own error"):
        write_report(target, renderer_os_error(), force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_file_name_with_undecodable_bytes_is_written_as_an_escape(tmp_path: Path) -> None:
    """Python keeps a file name's undecodable bytes as lone surrogates; the report stays
    UTF-8 (JSON reads the escape back as the same string)."""
    from evtdiag.publish.output import write_report

    target = tmp_path / "report.json"
    name = "/logs/bad\udcff.evtx"
    write_report(target, [json.dumps({"path": name}, ensure_ascii=False)])
    assert target.read_bytes() == b'{"path": "/logs/bad\\udcff.evtx"}'
    assert json.loads(target.read_text())["path"] == name


def test_an_output_name_the_system_refuses_is_a_usage_error(tmp_path: Path) -> None:
    from evtdiag.errors import UsageError
    from evtdiag.publish.output import write_report

    with pytest.raises(UsageError, match=r"cannot use .* as an output"):
        write_report(tmp_path / ("a" * 300 + ".json"), ["{}"])


def test_redaction_covers_every_windows_group_member(tmp_path: Path) -> None:
    from tests.diagnose.scenario import Scenario

    sc = Scenario(tmp_path)
    sc.host("web01")
    sc.attempt("alice", "web01")
    sc.windows(
        "PasswordPropAllow.txt", 'name,SamAccountName\n"John Smith",jsmith\n"Mary Major",mmajor\n'
    )
    sc.windows("Domain Admins.txt", "Ann Other\nDomain Admins\n")
    out = tmp_path / "r.json"
    code, _, err = run("report", *map(str, sc.write_logs()), "--hosts", str(sc.hosts_dir),
                       "--windows", str(sc.windows_dir), "--format", "json", "--redact",
                       "-o", str(out))  # fmt: skip
    assert code == 1, err
    text = out.read_text().casefold()
    for name in ("john smith", "jsmith", "mary major", "mmajor", "ann other", "alice", "web01"):
        assert name not in text, name
    assert "domain admins" in text  # a well-known group name is not a secret


@pytest.mark.parametrize("fmt", ["html", "text", "json"])
def test_render_completes_an_older_report_without_the_later_keys(findings: Path, tmp_path: Path,
                                                                  fmt: str) -> None:  # fmt: skip
    document = json.loads(findings.read_text())
    for key in ("verdict_reasons", "notes", "unmatched_hosts", "unreferenced_hosts",
                "config_warnings", "success_ids", "run", "tool", "counts", "host_configs",
                "windows_groups", "success_id_details", "success_candidates",
                "host_identities"):  # fmt: skip
        document.pop(key, None)
    for problem in document["problems"]:  # before diagnosis v2: no status
        for key in ("status", "last_failure", "resolved_at", "verified_by", "subject",
                    "cause_severity"):  # fmt: skip
            problem.pop(key)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document))
    code, _, err = run("render", str(old), "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"))
    assert code == 1, err  # render exits as report did: problems


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("audit"), "report: audit: missing (expected a list)"),
        (lambda d: d.update(events=[]), "report: events: expected an object, got a list"),
        (
            lambda d: d["problems"][0].update(event_count="12", user=42, causes=None),
            'report: problems[0].event_count: expected an integer, got "12"',
        ),
        (
            lambda d: d["problems"][0].pop("severity"),
            "report: problems[0].severity: missing (expected one of error, warning, info)",
        ),
    ],
)
def test_render_refuses_a_broken_report_clearly(findings: Path, tmp_path: Path, edit,
                                                message: str) -> None:  # fmt: skip
    document = json.loads(findings.read_text())
    edit(document)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    for fmt in ("html", "text"):
        code, _, err = run("render", str(broken), "--format", fmt, "-o", str(tmp_path / f"x.{fmt}"))
        assert code == 2 and message in err, (fmt, err)
        assert "Traceback" not in err


def test_unredact_reads_a_file_given_as_text(findings: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, _, err = run("render", str(findings), "--format", "json", "--redact", "-o", str(report))
    assert code == 1, err  # render exits as report did: problems
    assert "dave" not in report.read_text()
    answer = tmp_path / "answer.txt"
    answer.write_text(report.read_text())
    code, out, err = run("unredact", str(tmp_path / "r.json.redaction.json"), str(answer))
    assert code == 0, err
    assert out != str(answer) + "\n" and "dave" in out


def test_triage_rows_come_by_impact_intended_refusals_last_and_greyed(document: dict) -> None:
    """Issue 25, item 4: the ticket reader sees the widest damage first; the refusals
    that protect an account on purpose close the table, greyed in the HTML."""
    text = render_text(document, TimeFormatter("UTC"))
    table = text.split("Problems: ", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    ordered = impact_order(document["problems"])
    pairs = [failing_pairs(p) for p in ordered if p["severity"] != "info"]
    assert pairs == sorted(pairs, reverse=True)
    assert [p["severity"] for p in ordered][-2:] == ["info", "info"]
    rows = triage_rows(document["problems"])
    assert [line.split()[3] for line in table] == [problem_subject(r).split()[0] for r in rows]
    page = render_html(document, TimeFormatter("UTC"))
    triage = _section(page, "triage")
    found = re.findall(r'<tr class="status-open( intended)?">.*?href="#([^"]+)"', triage)
    assert [pid for _, pid in found] == [row["id"] for row in rows]
    assert [bool(mark) for mark, _ in found] == [row["severity"] == "info" for row in rows]


def test_a_subject_with_two_causes_is_one_triage_row_naming_both(document: dict) -> None:
    """Issue 25, item 4: legacy07 (unknown host on some DCs, no configuration for the
    rest) is one row that names both causes and adds their events; both cards stay."""
    host = [p for p in document["problems"] if p["host"] == "legacy07.corp.example.com"]
    assert len(host) == 2
    (row,) = [r for r in triage_rows(document["problems"]) if len(r["grouped"]) > 1]
    assert sorted(row["grouped"]) == sorted(p["id"] for p in host)
    assert set(row["cause"].split(", ")) == {p["cause"] for p in host}
    assert row["event_count"] == sum(p["event_count"] for p in host)
    assert row["severity"] == "error"
    text = render_text(document, TimeFormatter("UTC"))
    table = text.split("Problems: ", 1)[1].split("\n\n", 1)[0]
    assert table.count("legacy07") == 1 and row["cause"] in table


def test_the_verdict_names_the_success_id_and_the_notes_say_how_it_was_inferred() -> None:
    """Issue 25, item 4: the verdict speaks to the reader; how the id was inferred, and
    the options that confirm it or turn it off, are in the notes."""
    logs = map(str, sorted(SAMPLE_LOGS.glob("*.evtx")))
    result = CliRunner().invoke(cli, ["report", *logs, "--format", "json", "-q"])
    document = json.loads(result.stdout)
    reasons = " ".join(document["verdict_reasons"])
    assert "Successes recognised: id 12291 (inferred)." in reasons
    assert "--no-success-inference" not in reasons  # the command line, for the notes
    assert any("--no-success-inference" in note for note in document["notes"])
