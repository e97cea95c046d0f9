"""The real-log corpus as a regression gate for every input path: each file zipped
(one archive of all of them) gives at least the records of counts.json, and the
records of filtered (template-less) exports, written out as an Event Viewer XML
export, read back as the same events."""

from __future__ import annotations

import zipfile
from pathlib import Path

from evtdiag.logs import ProviderMatcher
from evtdiag.logs.providers import AllProviders
from tests.conftest import CORPUS, corpus_counts, needs_corpus
from tests.logs.reading import read_input, read_inputs

COUNTS = corpus_counts()
pytestmark = needs_corpus


def test_every_corpus_file_read_from_one_zip(tmp_path: Path) -> None:
    archive = tmp_path / "corpus.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for relative in COUNTS:
            out.write(CORPUS / relative, relative)
    results = read_inputs(archive, ProviderMatcher())
    by_member = {coverage.path.split("!", 1)[1]: coverage for coverage, _ in results}
    assert set(by_member) == set(COUNTS)
    short = {
        relative: (coverage.records, COUNTS[relative]["records"])
        for relative, coverage in by_member.items()
        if coverage.format != "evtx" or coverage.records < COUNTS[relative]["records"]
    }
    assert short == {}
    for relative, coverage in by_member.items():
        assert coverage.sha256 == COUNTS[relative]["sha256"], relative


def _template_less(limit: int) -> list[str]:
    """Filtered exports: files python-evtx cannot read (SOURCES.md), a bounded sample."""
    names = sorted(r for r in COUNTS if r.startswith("EVTX-to-MITRE-Attack/"))
    return names[:: max(1, len(names) // limit)][:limit]


def test_template_less_exports_as_xml_give_the_same_events(tmp_path: Path) -> None:
    compared = 0
    for relative in _template_less(25):
        _, records = read_input(CORPUS / relative, AllProviders())
        if not records:
            continue
        xml = tmp_path / "export.xml"
        body = "\r\n".join(record.xml for record in records)
        xml.write_text(
            f'<?xml version="1.0" encoding="UTF-16"?>\r\n<Events>\r\n{body}\r\n</Events>',
            encoding="utf-16",
        )
        coverage, again = read_input(xml, AllProviders())
        assert coverage.format == "xml" and coverage.records == len(records), relative

        def key(r):  # an XML parser folds CRLF (and a lone CR) into LF
            data = tuple(v.replace("\r\n", "\n").replace("\r", "\n") for v in r.data)
            return (r.record_id, r.provider, r.event_id, r.time_created, r.computer, data)

        assert sorted(map(key, again)) == sorted(map(key, records)), relative
        compared += len(records)
    assert compared > 500
