"""Hostile and broken inputs: each gets a precise message, the others are still read,
and nothing a parser could read is lost.

Complements tests/logs/test_evtx_reader.py (bad chunk magic, data CRC, damaged record,
truncation inside a chunk, header undercount) and tests/hosts/ (config files).
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
import signal
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag import archives as archives_module
from evtdiag.cli import cli
from evtdiag.logs import ProviderMatcher
from evtdiag.logs.providers import AllProviders
from evtdiag.logs.sources import ReadOptions
from evtdiag.render.text_report import render_text
from evtdiag.render.timefmt import TimeFormatter
from tests.conftest import SAMPLE_REPORT_ARGS
from tests.logs.reading import read_input, read_inputs, read_logs
from tests.logs.test_evtx_reader import mixed_events
from tests.support.evtx_writer import write_evtx, write_evtx_file
from tests.support.export_writer import events_xml

CHUNK = 0x10000
HEADER = 0x1000
BLOCK = 4096


@pytest.fixture(scope="module")
def three_chunks() -> bytes:
    return write_evtx(mixed_events(300), records_per_chunk=100)


def _ids(path: Path, **kw) -> list[int]:
    _, records = read_input(path, AllProviders(), **kw)
    return sorted(r.record_id for r in records)


def test_truncated_at_every_4k_boundary_keeps_every_complete_record(tmp_path, three_chunks):
    full = tmp_path / "full.evtx"
    full.write_bytes(three_chunks)
    _, records = read_input(full, AllProviders())
    offsets = sorted((r.place.offset, r.record_id) for r in records)
    ends = {rid: nxt for (_, rid), (nxt, _) in itertools.pairwise(offsets)}
    path = tmp_path / "cut.evtx"
    for cut in range(0, len(three_chunks), BLOCK):
        path.write_bytes(three_chunks[:cut])
        coverage, got = read_input(path, AllProviders())
        read_ids = {r.record_id for r in got}
        # Every record followed by another record that starts before the cut is complete.
        complete = {rid for rid, end in ends.items() if end <= cut}
        assert complete <= read_ids, (cut, sorted(complete - read_ids)[:5])
        if cut > 0 and cut % CHUNK != HEADER % CHUNK and cut > HEADER:
            assert any("truncated" in s.reason for s in coverage.skipped), cut


def _fix_chunk_crcs(raw: bytearray, index: int) -> None:
    base = HEADER + index * CHUNK
    free = struct.unpack_from("<I", raw, base + 48)[0]
    struct.pack_into("<I", raw, base + 52, zlib.crc32(raw[base + 512 : base + free]))
    crc = zlib.crc32(bytes(raw[base : base + 120]) + bytes(raw[base + 128 : base + 512]))
    struct.pack_into("<I", raw, base + 124, crc)


def test_bad_chunk_header_crc_reads_records_unverified(tmp_path, three_chunks):
    raw = bytearray(three_chunks)
    raw[HEADER + CHUNK + 100] ^= 0xFF  # inside the CRC-covered header, unused bytes
    path = tmp_path / "a.evtx"
    path.write_bytes(bytes(raw))
    coverage, records = read_input(path, ProviderMatcher())
    assert coverage.records == 300 and len(records) == 30
    (skip,) = coverage.skipped
    assert not skip.lost and skip.place.chunk == 1 and "header checksum" in skip.reason
    assert sum(r.unverified for r in records) == 10


def test_bad_file_header_crc_marks_the_log_dirty_and_reads_everything(tmp_path, three_chunks):
    raw = bytearray(three_chunks)
    raw[124] ^= 0xFF
    path = tmp_path / "a.evtx"
    path.write_bytes(bytes(raw))
    coverage, records = read_input(path, ProviderMatcher())
    assert coverage.dirty is True and coverage.records == 300 and len(records) == 30


def test_zeroed_chunk_loses_only_that_chunk(tmp_path, three_chunks):
    raw = bytearray(three_chunks)
    raw[HEADER + CHUNK : HEADER + 2 * CHUNK] = bytes(CHUNK)
    path = tmp_path / "a.evtx"
    path.write_bytes(bytes(raw))
    coverage, records = read_input(path, ProviderMatcher())
    assert coverage.records == 200 and len(records) == 20


def test_header_that_overcounts_chunks(tmp_path):
    path = write_evtx_file(tmp_path / "a.evtx", mixed_events(50), header_chunk_count=200)
    coverage, records = read_input(path, ProviderMatcher())
    assert coverage.records == 50 and len(records) == 5 and not coverage.skipped


def test_slack_records_are_ignored_unless_carved(tmp_path):
    events = mixed_events(40)
    raw = bytearray(write_evtx(events))
    base = HEADER
    # Move the free-space offset back to the end of record 20: 20 records become slack.
    pos = base + 512
    for _ in range(20):
        last = pos
        pos += struct.unpack_from("<I", raw, pos + 4)[0]
    struct.pack_into("<I", raw, base + 48, pos - base)
    struct.pack_into("<I", raw, base + 44, last - base)  # last record offset
    struct.pack_into("<Q", raw, base + 16, 20)  # last record number
    _fix_chunk_crcs(raw, 0)
    path = tmp_path / "slack.evtx"
    path.write_bytes(bytes(raw))
    coverage, records = read_input(path, ProviderMatcher())
    assert coverage.records == 20 and not coverage.skipped
    assert not any(r.unverified for r in records)
    carved, found = read_input(path, ProviderMatcher(), options=ReadOptions(carve=True))
    assert carved.records == 40
    assert sorted(r.record_id for r in found) == [
        e.record_id for e in events if "PSync" in e.provider
    ]
    assert [r.unverified for r in sorted(found, key=lambda r: r.record_id)] == [False] * 2 + [
        True
    ] * 2
    (skip,) = carved.skipped
    assert not skip.lost and "carved" in skip.reason and skip.place.offset == pos


def test_a_header_naming_a_record_past_the_free_space_is_reported(tmp_path):
    events = mixed_events(40)
    raw = bytearray(write_evtx(events))
    pos = HEADER + 512
    for _ in range(30):
        pos += struct.unpack_from("<I", raw, pos + 4)[0]
    struct.pack_into("<I", raw, HEADER + 48, pos - HEADER)  # free space before the last 10
    _fix_chunk_crcs(raw, 0)
    path = tmp_path / "short.evtx"
    path.write_bytes(bytes(raw))
    for jobs in (1, 2):
        result = read_logs([str(path)], ProviderMatcher(), jobs=jobs)
        (skip,) = result.inputs[0].skipped
        assert skip.lost and "--carve" in skip.reason and result.inputs[0].records == 30
    carved = read_logs([str(path)], ProviderMatcher(), options=ReadOptions(carve=True))
    assert carved.inputs[0].records == 40


def test_not_evtx_with_an_evtx_name_and_an_empty_file_do_not_stop_the_others(
    tmp_path, runner, three_chunks
):
    (tmp_path / "fake.evtx").write_bytes(os.urandom(5000))
    (tmp_path / "empty.evtx").write_bytes(b"")
    (tmp_path / "empty.zip").write_bytes(b"")
    (tmp_path / "dc01.evtx").write_bytes(three_chunks)
    result = runner.invoke(cli, ["events", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1 + 30
    assert "fake.evtx: skipped, not an event log" in result.stderr
    assert "empty.evtx: skipped, empty file" in result.stderr
    assert "empty.zip: skipped, empty file" in result.stderr


def test_empty_and_broken_zip(tmp_path):
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"PK\x05\x06" + bytes(18))  # a valid zip without members
    ((coverage, _),) = read_inputs(empty, ProviderMatcher())
    assert coverage.format == "skipped" and "holds no file" in coverage.note
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + os.urandom(100))
    ((coverage, _),) = read_inputs(broken, ProviderMatcher())
    assert coverage.format == "refused" and str(broken) in coverage.note
    assert "not a readable zip" in coverage.note


def test_truncated_gzip_is_refused_with_its_name(tmp_path, three_chunks):
    path = tmp_path / "dc01.evtx.gz"
    path.write_bytes(gzip.compress(three_chunks)[:3000])
    ((coverage, _),) = read_inputs(path, ProviderMatcher())
    assert coverage.format == "refused" and str(path) in coverage.note
    assert "copy is complete" in coverage.note


def test_truncated_tar_gz_keeps_the_members_before_the_damage(tmp_path, three_chunks):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in (("dc01.evtx", three_chunks), ("noise.bin", os.urandom(400_000))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    path = tmp_path / "logs.tar.gz"
    path.write_bytes(out.getvalue()[: len(out.getvalue()) * 3 // 4])
    results = read_inputs(path, ProviderMatcher())
    by_name = {c.path.rsplit("!", 1)[-1]: (c, r) for c, r in results}
    coverage, records = by_name["dc01.evtx"]
    assert coverage.format == "evtx" and len(records) == 30
    damage, _ = by_name["*"]
    assert damage.format == "skipped" and "gzip data not readable" in damage.note


def test_zip_bomb_is_refused_and_the_other_members_read(tmp_path, monkeypatch, three_chunks):
    monkeypatch.setattr(archives_module, "RATIO_FLOOR", 1 << 20)
    monkeypatch.setattr(archives_module, "MAX_RATIO", 100)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.evtx", bytes(50 * 1024 * 1024))
        archive.writestr("dc01.evtx", three_chunks)
    path = tmp_path / "bomb.zip"
    path.write_bytes(out.getvalue())
    results = read_inputs(path, ProviderMatcher())
    by_name = {c.path.rsplit("!", 1)[-1]: (c, r) for c, r in results}
    bomb, _ = by_name["bomb.evtx"]
    assert bomb.format == "skipped" and "ratio" in bomb.note and "bomb" in bomb.note
    good, records = by_name["dc01.evtx"]
    assert good.format == "evtx" and len(records) == 30


def test_gzip_bomb_and_member_count_limits(tmp_path, monkeypatch, three_chunks):
    monkeypatch.setattr(archives_module, "MAX_MEMBER_SIZE", 1 << 20)
    path = tmp_path / "big.gz"
    path.write_bytes(gzip.compress(bytes(2 << 20)))
    ((coverage, _),) = read_inputs(path, ProviderMatcher())
    assert coverage.format == "refused" and "bomb" in coverage.note
    monkeypatch.setattr(archives_module, "MAX_MEMBERS", 3)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(6):
            archive.writestr(f"m{i}.txt", b"x")
    many = tmp_path / "many.zip"
    many.write_bytes(out.getvalue())
    results = read_inputs(many, ProviderMatcher())
    assert len(results) == 4 and "more than 3 members" in results[-1][0].note


def test_member_names_never_become_paths(tmp_path, three_chunks):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../../escaped.evtx", three_chunks)
        archive.writestr("/abs/escaped2.evtx", three_chunks)
    work = tmp_path / "work"
    work.mkdir()
    path = work / "evil.zip"
    path.write_bytes(out.getvalue())
    results = read_inputs(path, ProviderMatcher())
    assert [c.format for c, _ in results] == ["evtx", "evtx"]
    assert results[0][0].path == f"{path}!../../escaped.evtx"
    assert sorted(os.listdir(tmp_path)) == ["work"] and os.listdir(work) == ["evil.zip"]
    assert not Path("/abs/escaped2.evtx").exists()


def test_symlink_loop_and_dangling_link_are_reported(tmp_path, runner, three_chunks):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling.evtx").symlink_to(tmp_path / "nowhere")
    (tmp_path / "dc01.evtx").write_bytes(three_chunks)
    result = runner.invoke(
        cli, ["events", str(tmp_path / "loop"), str(tmp_path), "--format", "csv"]
    )
    assert result.exit_code == 0, result.stderr
    assert "loop: skipped, cannot be read: Too many levels of symbolic links" in result.stderr
    assert "dangling.evtx: skipped, cannot be read: No such file" in result.stderr
    assert result.stdout.count("\n") == 31


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path, three_chunks):  # pragma: no cover - CI runs as root
    path = tmp_path / "locked.evtx"
    path.write_bytes(three_chunks)
    path.chmod(0)
    coverage, _ = read_input(path, ProviderMatcher())
    assert coverage.format == "skipped" and "Permission denied" in coverage.note


def test_unreadable_file_by_oserror(tmp_path, monkeypatch, three_chunks):
    path = tmp_path / "locked.evtx"
    path.write_bytes(three_chunks)
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    coverage, _ = read_input(path, ProviderMatcher())
    assert coverage.format == "skipped" and coverage.note == "cannot be read: Permission denied"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Events [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<Events><Event><System><Provider Name="Microsoft-Windows-IDMU-PSync"/><EventID>12294</EventID>
</System><EventData><Data>&c;</Data><Data>web01</Data></EventData></Event></Events>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Event [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Event><System><Provider Name="Microsoft-Windows-IDMU-PSync"/><EventID>12294</EventID>
</System><EventData><Data>&xxe;</Data></EventData></Event>
"""


@pytest.mark.parametrize("attack", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_xml_bomb_and_xxe_are_refused_and_the_other_inputs_go_on(
    tmp_path, runner, attack, three_chunks
):
    (tmp_path / "attack.xml").write_bytes(attack)
    (tmp_path / "dc01.evtx").write_bytes(three_chunks)
    result = runner.invoke(cli, ["events", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 3
    assert result.stdout.count("\n") == 31  # the .evtx was read
    assert "root:" not in result.stdout + result.stderr
    assert f"Error: {tmp_path / 'attack.xml'}: XML with a document type declaration" in (
        result.stderr
    )
    assert f"{tmp_path / 'attack.xml'}: refused," in result.stderr


def test_xml_that_breaks_half_way_keeps_what_came_before(tmp_path):
    events = mixed_events(40)
    data = events_xml(events)
    cut = data.index(b"<Event ", len(data) // 2)
    path = tmp_path / "half.xml"
    path.write_bytes(data[:cut] + b"<Event><System><<garbage" + data[cut:])
    coverage, records = read_input(path, ProviderMatcher())
    assert coverage.format == "xml" and 0 < len(records) < 4
    (skip,) = coverage.skipped
    assert skip.lost and skip.place.line is not None and "rest of the file" in skip.reason


def test_xml_that_is_not_xml_at_all_is_refused(tmp_path):
    path = tmp_path / "x.xml"
    path.write_bytes(b"<Events><Event><<<")
    coverage, _ = read_input(path, ProviderMatcher())
    assert coverage.format == "refused" and "not well-formed XML at line 1" in coverage.note


def test_deeply_nested_xml_is_bounded(tmp_path):
    path = tmp_path / "deep.xml"
    path.write_bytes(b"<Events><Event>" + b"<a>" * 100000 + b"</a>" * 100000 + b"</Event></Events>")
    coverage, _ = read_input(path, ProviderMatcher())
    assert coverage.format == "refused" and str(path) in coverage.note


def test_duplicate_inputs_in_and_out_of_an_archive_are_counted_once(tmp_path, three_chunks):
    (tmp_path / "dc01.evtx").write_bytes(three_chunks)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dc01.evtx", three_chunks)
    (tmp_path / "dc01.zip").write_bytes(out.getvalue())
    result = read_logs([str(tmp_path)], ProviderMatcher())
    assert len(result.events) == 30
    assert sorted(c.duplicates for c in result.inputs) == [0, 30]


def test_zip_of_an_unsupported_version_is_refused(tmp_path, three_chunks):
    # Found by fuzzing: zipfile raises NotImplementedError for "zip file version 6.4".
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("dc01.evtx", three_chunks[:5000])
    data = bytearray(out.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 64  # "version needed to extract" 6.4
    path = tmp_path / "v64.zip"
    path.write_bytes(bytes(data))
    ((coverage, _),) = read_inputs(path, ProviderMatcher())
    assert coverage.format == "refused" and "zip file version 6.4" in coverage.note


def test_damaged_tar_keeps_the_members_before_the_damage(tmp_path, three_chunks):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name in ("a.evtx", "b.evtx"):
            info = tarfile.TarInfo(name)
            info.size = len(three_chunks)
            archive.addfile(info, io.BytesIO(three_chunks))
    data = bytearray(out.getvalue())
    second = 512 + len(three_chunks) + (-len(three_chunks) % 512)
    data[second + 148 : second + 156] = b"garbage!"  # the second header's checksum
    path = tmp_path / "logs.tar"
    path.write_bytes(bytes(data))
    results = read_inputs(path, ProviderMatcher())
    assert [c.format for c, _ in results] == ["evtx", "skipped"]
    assert len(results[0][1]) == 30 and "damaged" in results[1][0].note


def _within(seconds: int, call):
    def too_slow(*_):
        raise TimeoutError(f"more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(seconds)
    try:
        return call()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_cyclic_string_table_does_not_hang_the_fallback_decoder(tmp_path):
    # Found by fuzzing: python-evtx loops forever on a cycle in a chunk's string-table
    # chain; it is now only asked about chunks whose chains end.
    from evtdiag.logs.evtx.chunk import _tables_walkable

    raw = bytearray(write_evtx(mixed_events(20)))
    start = HEADER + 512 + 24
    raw[start : start + 8] = b"\x77" * 8  # the first record: not decodable by our decoder
    struct.pack_into("<I", raw, HEADER + 0x80, 0x300)  # bucket 0 -> 0x300
    struct.pack_into("<I", raw, HEADER + 0x300, 0x300)  # which points at itself
    chunk = bytes(raw[HEADER : HEADER + CHUNK])
    # (python-evtx's ChunkHeader(chunk, 0).strings() would loop forever on this chunk;
    # not shown here: an endless loop in a test suite is a hazard of its own.)
    assert not _tables_walkable(chunk)
    assert _tables_walkable(write_evtx(mixed_events(20))[HEADER : HEADER + CHUNK])
    path = tmp_path / "cycle.evtx"
    path.write_bytes(bytes(raw))
    coverage, _ = _within(20, lambda: read_input(path, AllProviders()))
    assert any("not decodable" in s.reason for s in coverage.skipped)


def _undeclared_prefix(events, *, from_middle: bool = False) -> bytes:
    """An XML export whose events (from the middle on) carry ``Cu:ture``, a prefix
    nothing declares, instead of ``Culture``."""
    data = events_xml(events)
    cut = data.index(b"<Event ", len(data) // 2 if from_middle else 0)
    return data[:cut] + data[cut:].replace(b"Culture=", b"Cu:ture=")


def test_xml_with_an_undeclared_prefix_is_refused_and_the_others_read(
    tmp_path, runner, three_chunks
):
    (tmp_path / "prefix.xml").write_bytes(_undeclared_prefix(mixed_events(40)))
    (tmp_path / "dc01.evtx").write_bytes(three_chunks)
    result = runner.invoke(cli, ["events", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 3, result.stderr
    assert result.stdout.count("\n") == 31  # the .evtx was read
    assert f"{tmp_path / 'prefix.xml'}: refused," in result.stderr
    assert "undeclared namespace prefix" in result.stderr and "Cu:ture" in result.stderr


def test_xml_with_an_undeclared_prefix_half_way_keeps_what_came_before(tmp_path):
    path = tmp_path / "half.xml"
    path.write_bytes(_undeclared_prefix(mixed_events(40), from_middle=True))
    coverage, records = read_input(path, ProviderMatcher())
    assert coverage.format == "xml" and 0 < coverage.records < 40 and records
    (skip,) = coverage.skipped
    assert skip.lost and skip.place.line is not None and "namespace prefix" in skip.reason


def test_line_breaks_in_file_names_forge_no_line(tmp_path, runner, three_chunks):
    (tmp_path / "dc01\n  forged row.evtx").write_bytes(three_chunks)
    (tmp_path / "notes\n  forged.evtx: skipped, empty file").write_bytes(b"not a log")
    (tmp_path / "x\nError: forged.xml").write_bytes(XXE)
    result = runner.invoke(cli, ["events", str(tmp_path)])
    assert result.exit_code == 3, result.stderr
    out, err = result.stdout.splitlines(), result.stderr.splitlines()
    assert len(out) == 1 + 30 and all("dc01\\x0a  forged row.evtx" in row for row in out[1:])
    assert not any(line.startswith(("  forged", "Error: forged")) for line in out + err)
    assert "notes\\x0a  forged.evtx: skipped, empty file: skipped, not an event log" in (
        result.stderr
    )
    (error,) = [line for line in err if line.startswith("Error:")]
    assert f"Error: {tmp_path}/x\\x0aError: forged.xml: XML with a document type" in error


def test_line_breaks_in_host_folder_names_forge_no_check_config_line(tmp_path, runner):
    hosts, windows = tmp_path / "hosts", tmp_path / "win\n   warning: forged"
    (hosts / "web01\n== forged").mkdir(parents=True)
    (hosts / "web01\n== forged" / "sso.conf").write_bytes(b"SYNC_USERS=ALL\n")
    (hosts / "notes\nwarning: forged").write_bytes(b"x")
    windows.mkdir()
    (windows / "PasswordPropDeny.txt").write_bytes(b"bob\n")  # warned about, with its path
    result = runner.invoke(cli, ["check-config", "--hosts", str(hosts), "--windows", str(windows)])
    assert result.exit_code == 1, result.stdout
    lines = result.stdout.splitlines()
    assert not any(line.lstrip().startswith(("== forged", "warning: forged")) for line in lines)
    assert "== web01\\x0a== forged  (" in result.stdout
    assert "notes\\x0awarning: forged: not a host folder" in result.stdout
    assert "win\\x0a   warning: forged/PasswordPropDeny.txt" in result.stdout


def test_a_line_break_in_a_name_cannot_forge_a_line_of_the_text_report() -> None:
    result = CliRunner().invoke(cli, ["report", *SAMPLE_REPORT_ARGS, "-q", "--format", "json"])
    document = json.loads(result.stdout)
    forged = "evil\nVERDICT: OPERATIONAL"
    document["problems"][0]["evidence"][0]["file"] = forged
    document["problems"][0]["host"] = forged
    document["config_warnings"].append({"file": forged, "line": None, "message": forged})
    lines = render_text(document, TimeFormatter()).splitlines()
    assert lines.count("VERDICT: WARNING") == 1
    assert not [line for line in lines if line.lstrip().startswith("VERDICT: OPERATIONAL")]


def test_every_part_of_a_folder_given_is_read_or_said(tmp_path, three_chunks, monkeypatch):
    """A file named "-" is a file, not standard input; a link to a folder inside a folder
    given is listed as not followed; a standard input that is closed is refused."""
    logs = tmp_path / "logs"
    (logs / "real").mkdir(parents=True)
    (logs / "-").write_bytes(three_chunks)
    (logs / "real" / "dc01.evtx").write_bytes(three_chunks)
    (logs / "linked").symlink_to(logs / "real")
    monkeypatch.chdir(logs)
    result = read_logs(["."], ProviderMatcher())
    by_path = {c.path: c for c in result.inputs}
    assert by_path[str(logs / "-")].format == "evtx"
    assert by_path["real/dc01.evtx"].format == "evtx"
    assert "a link to a folder: not followed" in by_path["linked"].note
    monkeypatch.setattr("sys.stdin", None)
    (closed,) = read_logs(["-"], ProviderMatcher()).inputs
    assert closed.format == "refused" and "standard input is closed" in closed.note


def test_a_folder_that_cannot_be_listed_is_said(tmp_path, three_chunks, monkeypatch):
    """(As root every folder can be listed: the refusal is simulated.)"""
    (tmp_path / "locked").mkdir()
    (tmp_path / "dc01.evtx").write_bytes(three_chunks)
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(path, real):
        if Path(path) == tmp_path / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", lambda path=".": refuse(path, real_scandir))
    monkeypatch.setattr(os, "listdir", lambda path=".": refuse(path, real_listdir))
    by_path = {c.path: c for c in read_logs([str(tmp_path)], ProviderMatcher()).inputs}
    assert by_path[str(tmp_path / "dc01.evtx")].format == "evtx"
    locked = by_path[str(tmp_path / "locked")]
    assert locked.format == "skipped"
    assert locked.note == "a folder that cannot be listed: Permission denied"
