"""The report formats, registered in one place: each renders the JSON document."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from evtdiag.render.html.page import render_html
from evtdiag.render.json_report import document_parts
from evtdiag.render.text_report import render_text
from evtdiag.render.timefmt import TimeFormatter


def _json(document: dict[str, Any], times: TimeFormatter, every: bool) -> Iterable[str]:
    return document_parts(document)


def _html(document: dict[str, Any], times: TimeFormatter, every: bool) -> Iterable[str]:
    return (render_html(document, times),)


def _text(document: dict[str, Any], times: TimeFormatter, every: bool) -> Iterable[str]:
    return (render_text(document, times, every),)


REPORT_FORMATS: dict[str, Callable[[dict[str, Any], TimeFormatter, bool], Iterable[str]]] = {
    "html": _html,
    "json": _json,
    "text": _text,
}
"""Format name -> renderer of the (possibly redacted) document, as text parts to write one
after the other (a large JSON report is never held whole). HTML is the default. The
flag is ``--all``: every problem in the text report (JSON and HTML are not cut to it)."""


def render_document(
    document: dict[str, Any], output_format: str, times: TimeFormatter, every: bool = False
) -> Iterable[str]:
    """The report in ``output_format`` (a key of :data:`REPORT_FORMATS`), in parts;
    ``every``: the text report lists every problem (``--all``)."""
    return REPORT_FORMATS[output_format](document, times, every)
