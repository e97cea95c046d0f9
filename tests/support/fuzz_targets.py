"""Fuzz targets, their seed corpus (fuzz/corpus/<target>/) and a time-bounded mutator,
shared by the test run (tests/test_fuzz.py) and the atheris harness (fuzz/fuzz_evtdiag.py).

The contract they check: whatever the bytes, a log reader returns a coverage (an input
it cannot read becomes a ``refused`` or ``skipped`` coverage with a message), the
format readers themselves raise nothing but :class:`evtdiag.errors.InputFormatError`,
the config parsers raise nothing at all (they warn), a saved report is refused by the
loader (:class:`evtdiag.errors.UsageError`) or rendered and compared in full, every
renderer accepts what came out, and the collect script lets no key evtdiag reads in
sso.conf leave the host. Warnings count as failures, as in the rest of the test suite.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import random
import re
import shutil
import tarfile
import tempfile
import time
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.cli.paths import command_paths
from evtdiag.compare import compare_reports
from evtdiag.document import load
from evtdiag.errors import InputFormatError, UsageError
from evtdiag.hosts import (
    load_host,
    load_windows,
    parse_group_members,
    parse_net_accounts,
    parse_sso_conf,
    ssoconf,
)
from evtdiag.hosts._text import decode
from evtdiag.hosts.model import FileStatus, KeyInfo
from evtdiag.logs.exports.clixml import read_clixml
from evtdiag.logs.exports.csv import read_event_table
from evtdiag.logs.exports.pwsh_json import read_event_json
from evtdiag.logs.exports.wevtutil_text import read_wevtutil_text
from evtdiag.logs.exports.xml import read_xml_export
from evtdiag.logs.providers import AllProviders
from evtdiag.logs.sources import ReadContext, ReadOptions
from evtdiag.psync import Catalogue, extract
from evtdiag.publish.redact import redact_document
from evtdiag.render.compare_report import COMPARE_FORMATS
from evtdiag.render.config_text import format_host, format_windows
from evtdiag.render.events import coverage_text, events_csv, events_json, events_table
from evtdiag.render.formats import REPORT_FORMATS, render_document
from evtdiag.render.summary import terminal_summary
from evtdiag.render.timefmt import TimeFormatter
from tests.hosts.collector_run import collect, shell_command
from tests.logs.reading import read_inputs

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus"
"""One folder of seed inputs per target, committed (see fuzz/corpus/README.md)."""

_CATALOGUE = Catalogue([12291])
FORMAT_NAMES = frozenset(
    {"evtx", "xml", "csv", "json", "wevtutil-text", "clixml", "skipped", "refused"}
)
TEXT_READERS = (read_event_table, read_wevtutil_text, read_event_json, read_clixml)
"""The readers of text exports that take the bytes whole."""


def read_log_bytes(data: bytes, folder: Path) -> None:
    """Any bytes as a log input: reading, extraction and every renderer must cope.

    Half the inputs (chosen by checksum, so that an input alone reproduces its run)
    are read with ``--carve``, which takes other paths through the EVTX reader.
    """
    path = folder / "input"
    path.write_bytes(data)
    options = ReadOptions(carve=bool(zlib.crc32(data) & 1))
    results = read_inputs(path, AllProviders(), options=options)
    assert results, "every input gets a coverage"
    coverages = [coverage for coverage, _ in results]
    records = [record for _, found in results for record in found]
    for coverage in coverages:
        assert coverage.format in FORMAT_NAMES, coverage
        if coverage.format in ("skipped", "refused"):
            assert coverage.note
    found = extract(records, _CATALOGUE)
    events_table(found)
    events_csv(found)
    events_json(found, coverages)
    coverage_text(coverages)
    with contextlib.suppress(InputFormatError):  # the readers themselves, directly
        read_xml_export(path, AllProviders())
    for read_text in TEXT_READERS:
        with contextlib.suppress(InputFormatError):
            read_text(data, "input", ReadContext(AllProviders(), options))


def parse_config_bytes(data: bytes, folder: Path) -> None:
    """Any bytes as every configuration file of a UNIX host and of the Windows side:
    the parsers only warn, and check-config's text accepts what they produced."""
    host = load_host("fuzz", "fuzz", lambda rel: (data, FileStatus(rel, "present", rel)))
    format_host(host)
    parse_group_members(data, "PasswordPropAllow.csv", "PasswordPropAllow")  # as CSV too
    parse_net_accounts(data, "net-accounts.txt")
    for name in ("PasswordPropAllow.txt", "net-accounts.txt"):
        (folder / name).write_bytes(data)
    format_windows(load_windows(str(folder)))


@contextlib.contextmanager
def keys_read() -> Iterator[list[str]]:
    """Every key text evtdiag's sso.conf parser reduces while inside (the values passed
    to :func:`~evtdiag.hosts.ssoconf.key_info`): what it holds to be a key."""
    seen: list[str] = []
    reduce = ssoconf.key_info

    def recording(value: str) -> KeyInfo:
        seen.append(value)
        return reduce(value)

    ssoconf.key_info = recording
    try:
        yield seen
    finally:
        ssoconf.key_info = reduce


_COLLECTOR = shell_command("sh", Path(tempfile.gettempdir()))
_TOKEN = re.compile(r"<redacted length=[0-9]+ classes=[a-z,]*>")


def collect_sso_conf(data: bytes, folder: Path) -> None:
    """Any bytes as a host's sso.conf, through the collector script (sh) and back.

    The script must write its archive, and no key may leave: every key evtdiag reads
    in the collected file is one of the collector's ``<redacted ...>`` tokens, and a key
    evtdiag reads in the raw bytes (8 characters or more) shows in the collected file
    less often than in the raw text (continued lines joined): only where the raw text
    also has it outside a key. Skipped where sh or tar is missing.
    """
    if _COLLECTOR is None:
        return
    case = Path(tempfile.mkdtemp(dir=folder))
    try:
        (case / "root" / "etc").mkdir(parents=True)
        (case / "root" / "etc" / "sso.conf").write_bytes(data)
        (case / "out").mkdir()
        proc = collect(_COLLECTOR, case / "root", case / "out")
        assert proc.returncode == 0, proc.stderr
        with tarfile.open(case / "out" / "web01.tar.gz") as tar:
            member = tar.extractfile("web01/sso.conf")
            assert member is not None
            collected = member.read()
    finally:
        shutil.rmtree(case)
    with keys_read() as raw_keys:
        parse_sso_conf(data, "raw")
    with keys_read() as collected_keys:
        parse_sso_conf(collected, "collected")
    assert all(_TOKEN.fullmatch(key) for key in collected_keys), collected_keys
    joined = re.sub(r"\\[ \t]*(?:\r\n|\r|\n)", "", decode(data)[0])  # continued lines
    collected_text = _TOKEN.sub("", decode(collected)[0])  # its own tokens name no key
    for key in raw_keys:
        if len(key) >= 8 and not _TOKEN.fullmatch(key):
            assert collected_text.count(key) < joined.count(key), f"key {key!r} left"


_ZONE = TimeFormatter("Pacific/Kiritimati")
"""A zone 14 hours ahead of UTC: times near 9999-12-31 cannot be written in it."""


def render_report_bytes(data: bytes, folder: Path) -> None:
    """Any bytes as a saved report (``evtdiag render``): the loader refuses them with a
    :class:`UsageError`, or every format, the stderr summary and redaction accept what it
    returned."""
    try:
        document = load(data, "fuzz.json")
    except UsageError:
        return
    terminal_summary(document, colour=True)
    for output_format in REPORT_FORMATS:
        "".join(render_document(document, output_format, _ZONE))
    try:
        redacted, _ = redact_document(document, bytes(32), command_paths)
    except UsageError:  # redacted already, or evidence without a subject
        return
    "".join(render_document(redacted, "text", _ZONE))


def compare_report_bytes(data: bytes, folder: Path) -> None:
    """Any bytes as either report of ``evtdiag compare``, the other a seed: refused by
    the loader, or compared and shown in every format."""
    try:
        crafted = load(data, "fuzz.json")
    except UsageError:
        return
    for before, after in ((crafted, _compare_seed()), (_compare_seed(), crafted)):
        comparison = compare_reports(before, after, _ZONE)
        for show in COMPARE_FORMATS.values():
            "".join(show(comparison, _ZONE))


def _compare_seed() -> dict[str, Any]:
    """The first seed of the ``compare`` corpus, loaded afresh (the loader completes it
    in place, and a comparison must not see another's changes)."""
    return load(corpus("compare")[0], "seed.json")


def unredact_bytes(data: bytes, folder: Path) -> None:
    """Any bytes as a redaction mapping file (up to a ``--`` line) and the text to decode on
    standard input (after it): ``evtdiag unredact`` puts names back (escaping the control
    characters a name holds: it adds no ESC to the text) or refuses with exit 2, never
    an internal error."""
    mapping_bytes, _, text_bytes = data.partition(b"\n--\n")
    mapping = folder / "mapping.json"
    mapping.write_bytes(mapping_bytes)
    result = CliRunner().invoke(cli, ["unredact", str(mapping)], input=text_bytes)
    assert result.exit_code in (0, 2) and isinstance(result.exception, (SystemExit, type(None))), (
        result.exit_code,
        result.output,
    )
    text = text_bytes.decode("utf-8", errors="replace")
    assert result.stdout.count("\x1b") <= text.count("\x1b"), result.stdout


Target = Callable[[bytes, Path], None]
LOG_TARGETS = ("evtx", "xml", "csv", "json", "wevtutil-text", "clixml", "archive")
CONFIG_TARGETS = (
    "sso.conf",
    "passwd",
    "shadow",
    "security-passwd",
    "security-user",
    "login.defs",
    "pwquality.conf",
    "group",
    "net-accounts",
)
TARGETS: dict[str, Target] = {
    **dict.fromkeys(LOG_TARGETS, read_log_bytes),
    **dict.fromkeys(CONFIG_TARGETS, parse_config_bytes),
    "collector": collect_sso_conf,
    "render": render_report_bytes,
    "compare": compare_report_bytes,
    "unredact": unredact_bytes,
}
"""Each corpus folder and the function its inputs (seeds and mutants) go through."""


def corpus(target: str) -> list[bytes]:
    """The seed inputs of ``target``, in file-name order."""
    files = sorted(p for p in (CORPUS / target).iterdir() if not p.name.startswith("."))
    return [p.read_bytes() for p in files]


# --- the mutator ----------------------------------------------------------------------

_BYTES = b"\x00\x01\x7f\x80\xb2\xff\n\r\t :=(),<>&\"'#$-+9"
"""Single bytes that matter to some parser (latin-1 0xB2 is a superscript two)."""
_TOKENS = (
    "\u00b2".encode(),  # superscript two: str.isdigit() accepts it, int() raises
    "\u0663".encode(),  # Arabic-Indic three: int() reads it as 3
    "\uff11".encode(),  # full-width one
    "\u202e".encode(),
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r\n",
    b"9" * 5000,  # more digits than int() converts
    b"-1",
    b"4294967296",
    b"0x7fffffff",
    b"&amp;",
    b"&#0;",
    b"<![CDATA[",
    b"]]>",
    b'<!DOCTYPE x [<!ENTITY a "b">]>',
    b"(dc03 6677 k)",
    b"<redacted length=99 classes=upper>",
    b"<active/sha512>",
    b"$6$salt$hash",
    b"ENCRYPT_KEY=",
    b"\n\tpassword = ",
    b"-" * 79,
    b"null",
    b"[[[[[[[[",
    b'{"a": {}}',
    b"1e999",
    b"NaN",
    b'"9999-12-31T23:59:59Z"',
    b'"0001-01-01T00:00:00+00:01"',
    b'"\\u001b]0;x\\u0007"',
)
"""Runs inserted whole: what random bytes would take long to spell."""
_NEAR_START = 16 * 1024
"""Half the changes fall in the first 16 KiB, where an EVTX file's headers and records
are (the rest of its 64 KiB chunk is mostly zeros)."""

Mutation = Callable[[bytearray, random.Random, Sequence[bytes]], None]


def _at(data: bytearray, rng: random.Random, end: int = 0) -> int:
    """A position in ``data`` (``end=1``: also just after its last byte)."""
    size = len(data) + end
    limit = size if rng.random() < 0.5 else min(size, _NEAR_START)
    return rng.randrange(limit) if limit else 0


def _set_byte(data: bytearray, rng: random.Random, _seeds: Sequence[bytes]) -> None:
    if data:
        data[_at(data, rng)] = rng.choice((rng.randrange(256), rng.choice(_BYTES)))


def _add_to_byte(data: bytearray, rng: random.Random, _seeds: Sequence[bytes]) -> None:
    """Sizes, counts and offsets are bytes of binary headers: nudge one."""
    if data:
        at = _at(data, rng)
        data[at] = (data[at] + rng.choice((-1, 1)) * rng.randint(1, 35)) % 256


def _insert(data: bytearray, rng: random.Random, run: bytes) -> None:
    at = _at(data, rng, 1)
    data[at:at] = run


def _token(data: bytearray, rng: random.Random, _seeds: Sequence[bytes]) -> None:
    _insert(data, rng, rng.choice(_TOKENS))


def _random_run(data: bytearray, rng: random.Random, _seeds: Sequence[bytes]) -> None:
    run = rng.randbytes(rng.randint(1, 64))
    if data and rng.random() < 0.5:
        at = _at(data, rng)
        data[at : at + len(run)] = run
    else:
        _insert(data, rng, run)


def _erase(data: bytearray, rng: random.Random, _seeds: Sequence[bytes]) -> None:
    if data:
        at = _at(data, rng)
        del data[at : at + rng.randint(1, 64)]


def _splice(data: bytearray, rng: random.Random, seeds: Sequence[bytes]) -> None:
    """A run of this input or another seed, inserted: lines and records repeat."""
    source = rng.choice((bytes(data), *seeds))
    if source:
        start = rng.randrange(len(source))
        _insert(data, rng, source[start : start + rng.randint(1, 256)])


def _truncate(data: bytearray, rng: random.Random, _seeds: Sequence[bytes]) -> None:
    del data[_at(data, rng, 1) :]


_MUTATIONS: tuple[Mutation, ...] = (
    _set_byte,
    _set_byte,
    _add_to_byte,
    _token,
    _token,
    _random_run,
    _erase,
    _splice,
    _truncate,
)
"""Drawn with equal chances: a byte set and a token inserted twice as often as the
rest, since they reach most new paths in text formats."""


def mutate(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    """``data`` after one to four changes of the kinds libFuzzer makes."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        rng.choice(_MUTATIONS)(out, rng, seeds)
    return bytes(out)


_JSON_VALUES: tuple[Any, ...] = (
    None, True, 0, -1, 2**70, 1.5, "", "x" * 300, "\x1b]0;PWNED\x07\u202e\n", [], {},
    [[[[[[[[[[]]]]]]]]]], {"a": [{}]}, "9999-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z",
    "2026-09-01T10:00:00", "2026-09-01T10:00:00+14:00", "open", "resolved", "info", "pair",
    "dc", "failure", "success", "event", "config", "redaction",
)  # fmt: skip
"""What a structure-aware mutation puts in place of a value of a saved report: wrong
types, codes of other fields, times at the ends of the years, escapes, nesting."""


def mutate_json(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    """``data`` (a JSON document) with one to three values replaced, keys dropped or
    added, or lists cut or repeated, so that most mutants still parse and reach the
    checks and renderers behind the parser; a fifth get byte mutations instead."""
    try:
        document = json.loads(data)
    except ValueError:
        return mutate(data, rng, seeds)
    if rng.random() < 0.2 or not isinstance(document, (dict, list)):
        return mutate(data, rng, seeds)
    for _ in range(rng.randint(1, 3)):
        places = _json_places(document)
        container, key = rng.choice(places)
        choice = rng.random()
        value = copy.deepcopy(rng.choice(_JSON_VALUES))
        if choice < 0.7 and isinstance(container, dict) and choice >= 0.5:
            del container[key]
        elif choice < 0.8 and isinstance(container, dict) and choice >= 0.7:
            container[rng.choice(("later", "status", "subject", "counts"))] = value
        elif choice >= 0.8 and isinstance(container[key], list):
            kept = container[key][: rng.randint(0, len(container[key]))]
            copies = rng.randint(1, 3)
            container[key] = [copy.deepcopy(item) for _ in range(copies) for item in kept]
        else:
            container[key] = value
    return json.dumps(document).encode()


def _json_places(document: dict[str, Any] | list[Any]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of ``document``, walked without recursion."""
    places: list[tuple[Any, Any]] = []
    stack: list[Any] = [document]
    while stack:
        container = stack.pop()
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in keys:
            places.append((container, key))
            if isinstance(container[key], (dict, list)):
                stack.append(container[key])
    return places or [({"": None}, "")]


MUTATORS: dict[str, Callable[[bytes, random.Random, Sequence[bytes]], bytes]] = {
    "render": mutate_json,
    "compare": mutate_json,
}
"""Targets whose inputs are JSON documents: mutated by structure (bytes otherwise)."""


# --- the bounded run ------------------------------------------------------------------

SLOW_CASE = 5.0
"""Seconds after which one input counts as a finding (a hang in the making)."""


@dataclass
class FuzzRun:
    """What fuzzing one target found: cases run, and one report per distinct failure."""

    target: str
    seed: int
    cases: int = 0
    findings: dict[str, str] = field(default_factory=dict)
    """Where it failed (exception type, file:line) -> a report with the input."""

    def record(self, where: str, what: str, data: bytes) -> None:
        """Keep the first input of each distinct failure, saved for reproduction."""
        if where in self.findings:
            return
        saved = Path(tempfile.gettempdir()) / (
            f"evtdiag-fuzz-{self.target}-{hashlib.sha256(data).hexdigest()[:12]}"
        )
        saved.write_bytes(data)
        self.findings[where] = (
            f"{self.target}: {where} after {self.cases} cases (seed {self.seed})\n{what}\n"
            f"input ({len(data)} bytes, saved as {saved}): {data[:400]!r}"
        )


def _mutants(
    target: str, seeds: Sequence[bytes], rng: random.Random, deadline: float
) -> Iterator[bytes]:
    change = MUTATORS.get(target, mutate)
    while time.monotonic() < deadline:
        yield change(rng.choice(seeds), rng, seeds)


def _where(error: BaseException) -> str:
    """The exception and the innermost line of evtdiag that let it through."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f"{os.sep}evtdiag{os.sep}" in f.filename] or frames
    return f"{type(error).__name__} at {Path(ours[-1].filename).name}:{ours[-1].lineno}"


def fuzz(target: str, seconds: float, seed: int = 0) -> FuzzRun:
    """Run ``target`` on its seeds, then on mutants of them until ``seconds`` have passed.

    The mutants depend only on ``target`` and ``seed``, so a longer run repeats a
    shorter one's cases first.
    """
    seeds = corpus(target)
    run = FuzzRun(target, seed)
    rng = random.Random(f"{target}:{seed}")
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="evtdiag-fuzz-") as folder, warnings.catch_warnings():
        warnings.simplefilter("error")
        for data in chain(seeds, _mutants(target, seeds, rng, deadline)):
            run.cases += 1
            started = time.monotonic()
            try:
                TARGETS[target](data, Path(folder))
            except Exception as error:
                run.record(_where(error), traceback.format_exc(limit=-6), data)
            if time.monotonic() - started > SLOW_CASE:
                run.record("slow input", f"one case took over {SLOW_CASE} s", data)
    return run
