"""The report as one self-contained HTML file, rendered from the JSON document.

Like the text report it computes nothing new: it arranges the document (groups,
counts, the account x host matrix and the failures-per-day timeline are tallies of
``events.items``) so that ``evtdiag render FINDINGS.json`` rebuilds the same page.

Safety: jinja2 autoescaping is on, every string from an input also goes through
:func:`~evtdiag.render.terminal.printable` (control and bidi-override characters shown
as escapes), the page loads nothing (a Content-Security-Policy forbids every network
load; the style and script are inline and allowed by their SHA-256), and it works with
JavaScript disabled (the script only adds sorting and filtering).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from evtdiag.render.fields import resolution_text, summary_counts
from evtdiag.render.terminal import printable
from evtdiag.render.timefmt import TimeFormatter

SCOPES = (
    ("host", "Per-host problems", "One host refuses many accounts."),
    ("account", "Per-account problems", "One account is refused by (nearly) every host."),
    ("dc", "Per-DC problems", "Only what one DC sends fails."),
    ("pair", "Per-pair problems", "One account on one host."),
    (
        "resolved",
        "Resolved problems",
        "Fixed during the period: after the last failure, the same scope succeeded.",
    ),
)
"""The sections of problems: the open ones by scope, then the resolved ones."""
EVENTS_PER_CARD = 25
"""Rows of a problem's event table; the JSON has every event."""
EVIDENCE_PER_CARD = 12
CARDS_PER_SCOPE = 50
"""Problems shown as full cards in one scope; the next ones are table rows."""
ROWS_PER_SCOPE = 500
"""Problems listed as table rows after the cards; the JSON has every problem."""
MATRIX_ACCOUNTS = 40
MATRIX_HOSTS = 40
TIMELINE_HOSTS = 30
TIMELINE_WIDTH = 960

_TEMPLATE_PACKAGE = "evtdiag.templates"


def _template_text(name: str) -> str:
    return resources.files(_TEMPLATE_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_text),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["p"] = lambda value: printable(str(value)) if value is not None else ""
    env.filters["num"] = lambda value: f"{value:,}" if isinstance(value, int) else value
    env.filters["safe_url"] = _safe_url
    return env


def _safe_url(url: Any) -> str | None:
    """Only plain https links to documentation are made clickable."""
    if isinstance(url, str) and url.startswith("https://") and not any(c in url for c in "\"'<> "):
        return url
    return None


@dataclass(frozen=True)
class Cell:
    failures: int
    successes: int

    @property
    def state(self) -> str:
        if self.failures and self.successes:
            return "mixed"
        if self.failures:
            return "bad"
        return "ok" if self.successes else "none"


def _matrix(events: list[dict[str, Any]]) -> dict[str, Any]:
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    fails_by_account: Counter[str] = Counter()
    fails_by_host: Counter[str] = Counter()
    for event in events:
        if event["outcome"] not in ("failure", "success") or not event["user"]:
            continue
        host = event["host"] or "(no host)"
        failed = event["outcome"] == "failure"
        cells[(event["user"], host)][0 if failed else 1] += 1
        fails_by_account[event["user"]] += failed
        fails_by_host[host] += failed
    accounts = sorted(fails_by_account, key=lambda a: (-fails_by_account[a], a.casefold()))
    hosts = sorted(fails_by_host, key=lambda h: (-fails_by_host[h], h.casefold()))
    shown_accounts = sorted(accounts[:MATRIX_ACCOUNTS], key=str.casefold)
    shown_hosts = sorted(hosts[:MATRIX_HOSTS], key=str.casefold)
    rows = [
        {
            "host": host,
            "failures": fails_by_host[host],
            "cells": [Cell(*cells.get((a, host), (0, 0))) for a in shown_accounts],
        }
        for host in shown_hosts
    ]
    return {
        "accounts": shown_accounts,
        "rows": rows,
        "hidden_accounts": len(accounts) - len(shown_accounts),
        "hidden_hosts": len(hosts) - len(shown_hosts),
    }


def _timeline_svg(failures: list[dict[str, Any]], times: TimeFormatter) -> Markup | None:
    """Failures per day per host as an inline SVG (every text escaped)."""
    per: Counter[tuple[str, str]] = Counter()
    per_host: Counter[str] = Counter()
    for event in failures:
        if not event["time"]:
            continue
        host = event["host"] or "(no host)"
        per[(host, times.day(event["time"]))] += 1
        per_host[host] += 1
    if not per:
        return None
    days_seen = sorted({day for _, day in per})
    first, last = date.fromisoformat(days_seen[0]), date.fromisoformat(days_seen[-1])
    days = [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]
    hosts = sorted(per_host, key=lambda h: (-per_host[h], h.casefold()))[:TIMELINE_HOSTS]
    label_w, row_h, top, bottom = 190, 26, 8, 34
    plot_w = TIMELINE_WIDTH - label_w - 50
    step = plot_w / len(days)
    bar_w = max(step * 0.8, 1.0)
    peak = max(per[(h, d)] for h in hosts for d in days) or 1
    height = top + row_h * len(hosts) + bottom
    out = [
        f'<svg class="timeline" viewBox="0 0 {TIMELINE_WIDTH} {height}" '
        f'role="img" aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="timeline-title">Failures per day ({escape(times.zone_name)}) for the '
        f"{len(hosts)} host name(s) with the most failures; tallest bar {peak}</title>",
    ]
    for row, host in enumerate(hosts):
        y = top + row * row_h
        label = printable(host)
        short = label if len(label) <= 28 else label[:27] + "…"
        out.append(
            f"<g><title>{escape(label)}: {per_host[host]} failure(s)</title>"
            f'<text x="{label_w - 8}" y="{y + row_h * 0.65:.1f}" text-anchor="end" '
            f'class="tl-label">{escape(short)}</text></g>'
        )
        out.append(
            f'<line x1="{label_w}" x2="{label_w + plot_w}" y1="{y + row_h - 3}" '
            f'y2="{y + row_h - 3}" class="tl-base"/>'
        )
        out.append(
            f'<text x="{label_w + plot_w + 6}" y="{y + row_h * 0.65:.1f}" '
            f'class="tl-total">{per_host[host]}</text>'
        )
        for index, day in enumerate(days):
            count = per[(host, day)]
            if not count:
                continue
            bar_h = max((row_h - 6) * count / peak, 2.0)
            x = label_w + index * step + (step - bar_w) / 2
            out.append(
                f'<rect x="{x:.1f}" y="{y + row_h - 3 - bar_h:.1f}" width="{bar_w:.1f}" '
                f'height="{bar_h:.1f}" class="tl-bar"><title>{escape(label)}, {day}: '
                f"{count} failure(s)</title></rect>"
            )
    axis_y = top + row_h * len(hosts) + 14
    ticks = max(1, len(days) // 8)
    for index in range(0, len(days), ticks):
        x = label_w + index * step + step / 2
        out.append(
            f'<text x="{x:.1f}" y="{axis_y}" text-anchor="middle" class="tl-axis">'
            f"{days[index][5:]}</text>"
        )
    out.append(
        f'<text x="{label_w}" y="{axis_y + 16}" class="tl-axis">{days[0]} .. {days[-1]}, '
        f"one bar per day ({escape(times.zone_name)}); bar height relative to {peak}</text>"
    )
    out.append("</svg>")
    hidden = len(per_host) - len(hosts)
    note = f"<p class=note>{hidden} more host name(s) not drawn; see the JSON.</p>"
    return Markup("".join(out) + (note if hidden else ""))


def _subject(problem: dict[str, Any]) -> str:
    if problem["scope"] == "dc" and not problem["host"]:
        return f"{problem['dc'] or '?'} (every host it sends to)"
    if problem["scope"] == "dc":
        return f"{problem['host']} via {problem['dc'] or '?'}"
    if problem["scope"] == "pair":
        return f"{problem['account'] or '?'} on {problem['host'] or '?'}"
    return problem["host"] or problem["account"] or problem["dc"] or "(no subject)"


def view(document: dict[str, Any], times: TimeFormatter) -> dict[str, Any]:
    """What the template shows, arranged from the document."""
    events = document["events"]["items"]
    failures = [e for e in events if e["outcome"] == "failure"]
    successes = [e for e in events if e["outcome"] == "success"]
    moments = [e["time"] for e in events if e["time"]]
    summary = summary_counts(document)
    groups = []
    open_problems = [p for p in document["problems"] if p.get("status", "open") == "open"]
    for scope, heading, blurb in SCOPES:
        if scope == "resolved":
            selected = [p for p in document["problems"] if p.get("status") == "resolved"]
        else:
            selected = [p for p in open_problems if p["scope"] == scope]
        groups.append(
            {
                "scope": scope,
                "heading": heading,
                "blurb": blurb,
                "total": len(selected),
                "problems": [
                    {
                        **p,
                        "subject": _subject(p),
                        "shown_events": p["events"][:EVENTS_PER_CARD],
                        "shown_evidence": p["evidence"][:EVIDENCE_PER_CARD],
                        "resolution": resolution_text(p, times)
                        if p.get("status") == "resolved"
                        else "",
                    }
                    for p in selected[:CARDS_PER_SCOPE]
                ],
                "rows": [
                    {**p, "subject": _subject(p)}
                    for p in selected[CARDS_PER_SCOPE : CARDS_PER_SCOPE + ROWS_PER_SCOPE]
                ],
                "hidden": max(0, len(selected) - CARDS_PER_SCOPE - ROWS_PER_SCOPE),
            }
        )
    return {
        "d": document,
        "times": times,
        "groups": groups,
        "counts": {
            "events": len(events),
            "failures": len(failures),
            "successes": len(successes),
            "accounts": summary["accounts_failing"],
            "accounts_all": summary["accounts"],
            "hosts": summary["hosts_failing"],
            "hosts_all": summary["hosts"],
            "dcs": summary["dcs"],
            "first": min(moments, default=None),
            "last": max(moments, default=None),
            "problems": len(open_problems),
            "resolved": len(document["problems"]) - len(open_problems),
            "audit": len(document["audit"]),
        },
        "matrix": _matrix(events),
        "timeline": _timeline_svg(failures, times),
        "caps": {
            "events": EVENTS_PER_CARD,
            "evidence": EVIDENCE_PER_CARD,
            "cards": CARDS_PER_SCOPE,
            "rows": ROWS_PER_SCOPE,
        },
        "redacted": "redaction" in document,
    }


def render_html(document: dict[str, Any], times: TimeFormatter) -> str:
    """The whole report as one HTML page."""
    env = _environment()
    style = _template_text("report.css")
    script = _template_text("report.js")
    csp = (
        "default-src 'none'; "
        f"style-src '{_csp_hash(style)}'; "
        f"script-src '{_csp_hash(script)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    template = env.get_template("report.html.j2")
    return template.render(
        **view(document, times), style=Markup(style), script=Markup(script), csp=csp
    )
