"""The account x host matrix of the report (``matrix``, counted by
:class:`~evtdiag.event_summary.EventSummary`) as the page's cells: ``KSmith`` and
``CORP\\ksmith`` one column, ``web01`` and its FQDN one row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


def matrix(counted: dict[str, Any]) -> dict[str, Any]:
    """The report's matrix with a :class:`Cell` for each count pair and a name for the
    row of failures that name no host."""
    return {
        **counted,
        "rows": [
            {
                **row,
                "host": row["host"] or "(no host)",
                "cells": [Cell(failures, successes) for failures, successes in row["cells"]],
            }
            for row in counted["rows"]
        ],
    }
