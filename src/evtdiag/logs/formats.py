"""Recognise an input's format by its first bytes, and the options readers share.

Every format is recognised by content, never by the file name: admins rename, zip
and re-export things. :func:`sniff` is the one registry: adding a format means one
line here and one reader module.
"""

from __future__ import annotations

from dataclasses import dataclass

from evtdiag.logs.archives import archive_kind
from evtdiag.logs.csv_export import looks_like_event_csv
from evtdiag.logs.evtx import FILE_MAGIC
from evtdiag.logs.xml_export import looks_like_xml_export

SNIFF_SIZE = 8192
"""How many leading bytes :func:`sniff` is given."""


@dataclass(frozen=True)
class ReadOptions:
    """Reader options chosen on the command line."""

    carve: bool = False
    """Also read stale records found in chunk slack (after the free-space offset)."""
    csv_date_format: str | None = None
    """strptime format of the "Date and Time" column of CSV/TXT exports."""


def sniff(head: bytes) -> str | None:
    """``evtx``, ``zip``, ``gzip``, ``tar``, ``xml``, ``csv`` or None (not a log)."""
    if head[:8] == FILE_MAGIC:
        return "evtx"
    kind = archive_kind(head)
    if kind:
        return kind
    if looks_like_xml_export(head):
        return "xml"
    if looks_like_event_csv(head):
        return "csv"
    return None
