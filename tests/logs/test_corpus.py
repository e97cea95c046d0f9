"""The reader on real exported logs (../shared/evtx-samples, see its SOURCES.md).

These files hold no PSync events; they prove the reader survives what admins hand
over (dirty, damaged, filtered, forwarded logs) and that the chunk prefilter, which
makes the common case fast, never loses a record.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.providers import AllProviders
from tests.conftest import CORPUS, corpus_counts, needs_corpus
from tests.logs.reading import read_input

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


def _python_evtx_records(path: Path, per_chunk: int) -> list[tuple]:
    """(record id, provider, event id, data values) for the first records python-evtx
    renders in each chunk, one 64 KiB buffer at a time (fast failures, see SOURCES.md)."""
    from Evtx.Evtx import ChunkHeader, Record
    from lxml import etree

    raw = path.read_bytes()
    rendered = []
    for start in range(4096, len(raw) - 65535, 65536):
        chunk = raw[start : start + 65536]
        if chunk[:8] != b"ElfChnk\x00":
            continue
        header, offset = ChunkHeader(chunk, 0), 512
        for _ in range(per_chunk):
            try:
                record = Record(chunk, offset, header)
                if record.magic() != 0x2A2A or record.size() < 28:
                    break
                offset += record.size()
                root = etree.fromstring(record.xml().encode())
            except Exception:  # python-evtx fails in many ways; those records are not compared
                continue
            ns = {"e": root.nsmap.get(None, "")}
            values = tuple(d.text or "" for d in root.iterfind("e:EventData/e:Data", ns))
            rendered.append(
                (
                    int(root.findtext("e:System/e:EventRecordID", namespaces=ns)),
                    root.find("e:System/e:Provider", ns).get("Name"),
                    int(root.findtext("e:System/e:EventID", namespaces=ns)),
                    values,
                )
            )
    return rendered


_TIME = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d*))?(?:Z|\+00:00)?")


def _normal(value: str) -> str:
    value = value.strip().replace("\r\n", "\n")  # an XML parser folds CRLF
    if value in ("True", "False") or value.startswith("{"):  # true/false, GUIDs: case only
        return value.lower()
    time = _TIME.fullmatch(value)
    if time:  # python-evtx writes "2017-04-21 10:41:25", Windows "2017-04-21T10:41:25.000Z";
        # python-evtx converts FILETIMEs through a float: compare to the millisecond.
        return f"{time[1]} {time[2]}.{(time[3] or '')[:3].ljust(3, '0')}"
    try:
        return str(int(value, 16) if value.lower().startswith("0x") else int(value))
    except ValueError:
        return value


def _hex_if_base64(mine: str, theirs: str) -> str:
    try:
        decoded = base64.b64decode(theirs, validate=True).hex().upper()
    except (ValueError, binascii.Error):
        return theirs
    return decoded if decoded == mine else theirs


def test_python_evtx_agrees_on_the_records_it_can_render() -> None:
    compared = 0
    for relative in FILES:
        if not relative.startswith("python-evtx/") and "Security" not in relative:
            continue
        path = CORPUS / relative
        _, records = read_input(path, AllProviders())
        ours = {
            r.record_id: (
                r.record_id,
                r.provider,
                r.event_id,
                r.data if "<EventData" in r.xml else (),
            )
            for r in records
        }
        for theirs in _python_evtx_records(path, per_chunk=3):
            mine = ours.get(theirs[0])
            assert mine is not None, (relative, theirs[0])
            assert mine[:3] == theirs[:3], relative
            # python-evtx strips control characters, renders empty values as None and
            # hexadecimal integers in decimal or zero-padded.
            # Binary values: python-evtx shows base64, Windows (and we) hexadecimal.
            theirs_values = [_hex_if_base64(m, t) for m, t in zip(mine[3], theirs[3], strict=False)]
            assert [_normal(v) for v in mine[3]] == [_normal(v) for v in theirs_values], relative
            compared += 1
    assert compared > 50
