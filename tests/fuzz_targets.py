"""Fuzz targets, their seed corpus (fuzz/corpus/<target>/) and a time-bounded mutator,
shared by the test run (tests/test_fuzz.py) and the atheris harness (fuzz/fuzz_evtdiag.py).

The contract they check: whatever the bytes, a log reader returns a coverage (an input
it cannot read becomes a ``refused`` or ``skipped`` coverage with a message), the
format readers themselves raise nothing but :class:`evtdiag.errors.InputFormatError`,
the config parsers raise nothing at all (they warn), and every renderer accepts what
came out. Warnings count as failures, as in the rest of the test suite.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import tempfile
import time
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from evtdiag.errors import InputFormatError
from evtdiag.hosts import load_host, load_windows, parse_group_members, parse_net_accounts
from evtdiag.hosts.model import FileStatus
from evtdiag.logs.exports.clixml import read_clixml
from evtdiag.logs.exports.csv import read_event_table
from evtdiag.logs.exports.pwsh_json import read_event_json
from evtdiag.logs.exports.wevtutil_text import read_wevtutil_text
from evtdiag.logs.exports.xml import read_xml_export
from evtdiag.logs.providers import AllProviders
from evtdiag.logs.sources import ReadContext, ReadOptions
from evtdiag.psync import Catalogue, extract
from evtdiag.render.config_text import format_host, format_windows
from evtdiag.render.events import coverage_text, events_csv, events_json, events_table
from tests.logs.reading import read_inputs

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"
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


def _mutants(seeds: Sequence[bytes], rng: random.Random, deadline: float) -> Iterator[bytes]:
    while time.monotonic() < deadline:
        yield mutate(rng.choice(seeds), rng, seeds)


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
        for data in chain(seeds, _mutants(seeds, rng, deadline)):
            run.cases += 1
            started = time.monotonic()
            try:
                TARGETS[target](data, Path(folder))
            except Exception as error:
                run.record(_where(error), traceback.format_exc(limit=-6), data)
            if time.monotonic() - started > SLOW_CASE:
                run.record("slow input", f"one case took over {SLOW_CASE} s", data)
    return run
