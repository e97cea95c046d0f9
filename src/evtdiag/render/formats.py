"""The report formats, registered in one place: each renders the JSON document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evtdiag.render.html_report import render_html
from evtdiag.render.json_report import dump_document
from evtdiag.render.text_report import render_text
from evtdiag.render.timefmt import TimeFormatter


def _json(document: dict[str, Any], times: TimeFormatter) -> str:
    return dump_document(document)


REPORT_FORMATS: dict[str, Callable[[dict[str, Any], TimeFormatter], str]] = {
    "html": render_html,
    "json": _json,
    "text": render_text,
}
"""Format name -> renderer of the (possibly redacted) document. HTML is the default."""


def render_document(document: dict[str, Any], output_format: str, times: TimeFormatter) -> str:
    """The report in ``output_format`` (a key of :data:`REPORT_FORMATS`)."""
    return REPORT_FORMATS[output_format](document, times)
