"""The reader on real exported logs (../shared/evtx-samples, see its SOURCES.md).

These files hold no PSync events; they prove the reader survives what admins hand
over (dirty, damaged, filtered, forwarded logs) and that the chunk prefilter, which
makes the common case fast, never loses a record.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.inputs import read_input
from evtdiag.logs.providers import AllProviders
from tests.conftest import CORPUS, corpus_counts, needs_corpus

COUNTS = corpus_counts()
FILES = sorted(COUNTS)

pytestmark = needs_corpus


@pytest.mark.parametrize("relative", FILES or ["(corpus absent)"])
def test_every_record_the_reference_parser_finds_is_counted(relative: str) -> None:
    coverage, _ = read_input(CORPUS / relative, ProviderMatcher())
    assert coverage.format == "evtx"
    assert coverage.records >= COUNTS[relative]["records"], coverage.skipped
    assert coverage.sha256 == COUNTS[relative]["sha256"]


def test_corpus_has_all_310_files() -> None:
    assert len(FILES) == 310


def test_header_that_undercounts_chunks_is_not_trusted() -> None:
    # python-evtx's own iteration yields 326 of these records.
    coverage, _ = read_input(CORPUS / "omerbenamram-evtx/samples/system.evtx", ProviderMatcher())
    assert coverage.records == 1881


def _full_read(path: Path) -> dict[str, set[tuple]]:
    _, records = read_input(path, AllProviders())
    by_provider: dict[str, set[tuple]] = defaultdict(set)
    for record in records:
        by_provider[record.provider].add((record.record_id, record.event_id, record.time_created))
    return by_provider


@pytest.mark.parametrize("relative", FILES or ["(corpus absent)"])
def test_prefilter_finds_exactly_what_a_full_read_finds(relative: str) -> None:
    path = CORPUS / relative
    for provider, expected in _full_read(path).items():
        if not provider:
            continue
        _, records = read_input(path, ProviderMatcher([provider]))
        found = {(r.record_id, r.event_id, r.time_created) for r in records}
        assert found == expected, provider


def test_template_less_records_are_decoded() -> None:
    # A filtered export: python-evtx fails on every record of it.
    path = CORPUS / "EVTX-to-MITRE-Attack/Antivirus/ID1151-Defender health status.evtx"
    _, records = read_input(path, AllProviders())
    assert len(records) == COUNTS[str(path.relative_to(CORPUS))]["records"]
    assert {r.provider for r in records} == {"Microsoft-Windows-Windows Defender"}
    assert all(r.event_id == 1151 for r in records)


def test_ansi_strings_and_lone_surrogates_do_not_abort_records() -> None:
    for name in ("dns_log_malformed.evtx", "issue_43.evtx"):
        path = CORPUS / "python-evtx/tests/data" / name
        coverage, records = read_input(path, AllProviders())
        assert len(records) == coverage.records
        assert not [s for s in coverage.skipped if s.lost]


def test_damage_is_reported_with_its_place() -> None:
    path = CORPUS / "omerbenamram-evtx/samples/sample_with_a_bad_chunk_magic.evtx"
    coverage, _ = read_input(path, ProviderMatcher())
    bad = [s for s in coverage.skipped if "ElfChnk" in s.reason]
    assert bad and bad[0].place.chunk is not None and bad[0].place.offset is not None


def _rust_systems(evtx, path: Path) -> list[dict]:
    """The System blocks the Rust parser reads; it raises on damaged records, skip those."""
    systems = []
    records = evtx.PyEvtxParser(str(path)).records_json()
    while True:
        try:
            item = next(records)
        except StopIteration:
            return systems
        except (RuntimeError, OSError, ValueError):
            continue
        system = json.loads(item["data"])["Event"].get("System") or {}
        if system.get("EventRecordID") is not None:
            systems.append(system)


def test_rust_parser_agrees_on_every_record_it_reads() -> None:
    evtx = pytest.importorskip("evtx")
    disagreements = []
    compared = 0
    for relative in FILES:
        path = CORPUS / relative
        _, records = read_input(path, AllProviders())
        ours = {(r.record_id, r.channel): r for r in records}  # merged exports repeat ids
        for system in _rust_systems(evtx, path):
            event_id = system["EventID"]
            event_id = int(event_id["#text"] if isinstance(event_id, dict) else event_id)
            provider = (system.get("Provider") or {}).get("#attributes", {}).get("Name") or ""
            mine = ours.get((int(system["EventRecordID"]), system.get("Channel") or ""))
            compared += 1
            if mine is None or (mine.provider, mine.event_id) != (provider, event_id & 0xFFFF):
                disagreements.append((relative, system["EventRecordID"]))
    assert compared > 30000
    assert disagreements == []
