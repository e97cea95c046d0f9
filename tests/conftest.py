"""Shared fixtures: the CLI runner and the real-log corpus in ../shared/evtx-samples."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LOGS = REPO / "sample_logs"
CORPUS = REPO.parent / "shared" / "evtx-samples"


def corpus_counts() -> dict[str, dict]:
    """``counts.json`` of the corpus, or {} when the folder is absent (tests then skip)."""
    counts = CORPUS / "counts.json"
    return json.loads(counts.read_text()) if counts.is_file() else {}


SAMPLE_REPORT_ARGS = (
    *map(str, sorted(SAMPLE_LOGS.glob("*.evtx"))),
    "--hosts",
    str(SAMPLE_LOGS / "hosts"),
    "--windows",
    str(SAMPLE_LOGS / "windows"),
    "--success-id",
    "12291",
)
"""The inputs of the demo scenario, as a report command takes them."""

OLD_DEMO_REPORT = Path(__file__).with_name("data") / "demo-report-evtdiag-1.json.gz"
"""The demo site's report as evtdiag wrote it before schema ``evtdiag/2`` (every event
listed; commit 62f508f), gzipped: what ``render`` and ``compare`` must still read."""

CONTRACT_INPUT_KEYS = frozenset(
    {
        "path",
        "sha256",
        "format",
        "records",
        "psync_events",
        "skipped",
        "dirty",
        "first_time",
        "last_time",
        "computers",
    }
)
"""The fields of an ``inputs`` entry (docs/contract.md, ``inputs``)."""

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"real-log corpus not found at {CORPUS}"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True, scope="session")
def _private_template_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The HTML report caches its compiled template under $XDG_CACHE_HOME: tests use
    their own folder, never the user's cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
