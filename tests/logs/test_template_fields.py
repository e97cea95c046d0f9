"""Records read from their template's values are exactly the records built from the
filled tree: every field, and the XML kept for evidence."""

from __future__ import annotations

import pickle
import struct
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from evtdiag.logs.event_tree import Element, Substitution, event_record, to_xml
from evtdiag.logs.evtx.binxml import ChunkDecoder, ValueType, fill_template
from evtdiag.logs.evtx.chunk import read_chunk
from evtdiag.logs.evtx.layout import CHUNK_SIZE, FILE_HEADER_SIZE
from evtdiag.logs.evtx.template_fields import SubstitutionTexts, TemplateFields, TemplateXml
from evtdiag.logs.providers import AllProviders
from evtdiag.model import EventRecord, Place
from tests.conftest import CORPUS, SAMPLE_LOGS, corpus_counts
from tests.logs.reading import read_input
from tests.support.evtx_writer import WriterEvent, write_evtx

COUNTS = corpus_counts()


def _through_tree(self: TemplateFields, values, raw, *, place, header_time, unverified):
    """The reference: fill the template, then read the tree (the path for any record)."""
    filled = fill_template(self.template, values.all())
    return event_record(filled, place=place, header_time=header_time, unverified=unverified)


def _through_tree_fields(self: TemplateFields, decoder, spans, raw, *, header_time, **where):
    """The reference for the fields read straight from the values (the reader's plan)."""
    values = self.values(decoder, spans)
    record = _through_tree(self, values, raw, header_time=header_time(), **where)
    return tuple(getattr(record, item.name) for item in fields(EventRecord))


def _fields(record: EventRecord) -> tuple:
    """Every field, the XML as its text (and its type: a kept template must render)."""
    return (
        record.source,
        record.record_id,
        record.time_created,
        record.provider,
        record.event_id,
        record.qualifiers,
        record.level,
        record.channel,
        record.computer,
        record.data,
        record.data_names,
        record.place,
        record.unverified,
        record.message,
        record.xml,
    )


def _assert_same_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    _, fast = read_input(path, AllProviders())
    with monkeypatch.context() as patch:
        patch.setattr(TemplateFields, "record", _through_tree)
        patch.setattr(TemplateFields, "fields_of", _through_tree_fields)
        _, reference = read_input(path, AllProviders())
    assert [_fields(r) for r in fast] == [_fields(r) for r in reference], path
    assert fast == reference
    return len(fast)


def test_sample_logs_read_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = sum(
        _assert_same_both_ways(path, monkeypatch) for path in sorted(SAMPLE_LOGS.glob("*.evtx"))
    )
    assert compared > 100


@pytest.mark.skipif(not COUNTS, reason=f"real-log corpus not found at {CORPUS}")
def test_corpus_reads_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every corpus file: real templates (optional values, nested BinXml, arrays, SIDs)."""
    compared = sum(_assert_same_both_ways(CORPUS / name, monkeypatch) for name in sorted(COUNTS))
    assert compared > 30_000


def _one_record(folder: Path, event: WriterEvent) -> EventRecord:
    """The record as the chunk reader keeps it when its file is a temporary copy (an
    archive member): with its XML as the template and the values (a file that stays
    where it is keeps none: tests/logs/test_record_xml.py)."""
    chunk = write_evtx([event])[FILE_HEADER_SIZE : FILE_HEADER_SIZE + CHUNK_SIZE]
    tally = read_chunk(chunk, path=str(folder / "one.evtx"), index=0, wanted=AllProviders())
    (record,) = tally.events
    return record


WHEN = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)


def test_kept_xml_renders_compares_hashes_and_pickles(tmp_path: Path) -> None:
    event = WriterEvent("PSync", 12294, WHEN, 7, "DC01", data=("a<b&c", 'host"1'))
    record = _one_record(tmp_path, event)
    assert isinstance(record.xml_source, TemplateXml)
    assert "<Data>a&lt;b&amp;c</Data>" in record.xml
    assert record.xml_source == record.xml and hash(record.xml_source) == hash(record.xml)
    again = pickle.loads(pickle.dumps(record))
    assert again == record and again.xml == record.xml


def test_kept_xml_holds_only_the_value_array(tmp_path: Path) -> None:
    """What is kept is the record's own values, not the 64 KiB chunk around them."""
    record = _one_record(tmp_path, WriterEvent("P", 1, WHEN, 1, "C", data=("x" * 10,)))
    assert isinstance(record.xml_source, TemplateXml)
    assert len(record.xml_source.values) < 200
    values, _ = ChunkDecoder(record.xml_source.values).substitutions(0)
    assert "x" * 10 in [value.text for value in values]


def _value_array(values: list[tuple[int, bytes]]) -> bytes:
    """A substitution array: count, (size, type) descriptors, then the values."""
    head = struct.pack("<I", len(values))
    head += b"".join(struct.pack("<HBx", len(data), vtype) for vtype, data in values)
    return head + b"".join(data for _, data in values)


def _both_ways(template: Element, values: list[tuple[int, bytes]]) -> tuple:
    """The record read from the values, and the one read from the filled tree."""
    raw = _value_array(values)
    decoder = ChunkDecoder(raw)
    spans, _ = decoder.substitution_spans(0)
    fields = TemplateFields(template)
    where = {"place": Place("x"), "header_time": None, "unverified": False}
    fast = fields.record(fields.values(decoder, spans), raw, **where)
    reference = _through_tree(fields, fields.values(decoder, spans), raw, **where)
    return fast, reference


@pytest.mark.parametrize("present_first", [True, False])
def test_of_repeated_attributes_the_first_left_after_filling_counts(present_first: bool) -> None:
    """An attribute whose value is an empty optional substitution is dropped when the
    template is filled; the next of the same name is then the one a reader sees."""
    name, empty = [Substitution(0, False)], [Substitution(1, True)]
    first, second = (name, empty) if present_first else (empty, name)
    template = Element("Event", [], [
        Element("System", [], [
            Element("Provider", [("Name", first), ("Name", second)]),
            Element("EventID", [], ["12294"]),
        ]),
        Element("EventData", [], [Element("Data", [("Name", second), ("Name", first)], ["bob"])]),
    ])  # fmt: skip
    psync = "Microsoft-Windows-IDMU-PSync"
    fast, reference = _both_ways(
        template, [(ValueType.STRING, psync.encode("utf-16-le")), (0, b"")]
    )
    assert _fields(fast) == _fields(reference)
    assert fast.provider == psync and fast.data_names == (psync,)


_CHARACTERS = st.sampled_from([*"ab &<>\"'\x00\x01\x1f\t\n\r\ufffe\uffff\u00e9", "\ud83d"])
_TEXTS = st.text(alphabet=_CHARACTERS, max_size=4)
_VALUES = st.lists(
    st.one_of(
        st.just((0x00, b"")),
        st.just((0x00, b"ab")),  # a NULL that has bytes
        _TEXTS.map(lambda s: (ValueType.STRING, s.encode("utf-16-le", "surrogatepass"))),
        st.binary(max_size=3).map(lambda b: (ValueType.STRING, b)),  # odd-sized
        st.binary(max_size=4).map(lambda b: (0x02, b)),  # ANSI
        st.binary(max_size=4).map(lambda b: (0x0E, b)),  # binary
        st.binary(min_size=4, max_size=4).map(lambda b: (0x08, b)),
        st.binary(max_size=3).map(lambda b: (0x08, b)),  # a short integer
        st.binary(max_size=20).map(lambda b: (0x13, b)),  # SID
        st.binary(max_size=8).map(lambda b: (0x81, b)),  # array of strings
    ),
    max_size=5,
)
_PARTS = st.one_of(_TEXTS, st.builds(Substitution, st.integers(0, 6), st.booleans()))
_NAMES = st.sampled_from(["A", "B", "Data", "x:y"])


def _elements(children: st.SearchStrategy) -> st.SearchStrategy:
    attributes = st.lists(st.tuples(_NAMES, st.lists(_PARTS, max_size=3)), max_size=3)
    return st.builds(Element, _NAMES, attributes, children)


_TEMPLATES = st.recursive(
    _elements(st.lists(_PARTS, max_size=3)),
    lambda inner: _elements(st.lists(st.one_of(_PARTS, inner), max_size=4)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(_TEMPLATES, _VALUES)
@example(Element("X", [("a", [Substitution(0, True)])], [Substitution(0, True)]), [(0, b"")])
@example(Element("X", [], [Substitution(0, False), Substitution(0, True)]), [(0, b"")])
def test_kept_xml_renders_as_the_filled_template(template: Element, values: list) -> None:
    """Rendering a template with its values put in (no copy) is rendering the filled
    copy: left-out values, attributes left empty, elements left without children,
    escaping; one value read both as optional and as plain (found by review)."""
    raw = _value_array(values)
    decoder = ChunkDecoder(raw)
    expected = to_xml(fill_template(template, decoder.substitutions(0)[0]))
    assert TemplateXml(template, raw).render() == expected
    texts = SubstitutionTexts(decoder, decoder.substitution_spans(0)[0])
    assert to_xml(template, texts.text_of) == to_xml(template, texts.text_of) == expected
