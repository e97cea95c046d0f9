"""The whole-window prefilter finds exactly the chunks ``chunk_may_hold`` finds: any
ASCII casing of a name, anywhere in a chunk, and never a name that crosses a chunk's
edge, the start of the range or its end."""

from __future__ import annotations

import mmap
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evtdiag.logs.evtx.layout import CHUNK_SIZE
from evtdiag.logs.evtx.prefilter import candidate_chunks, needle_pattern
from evtdiag.logs.providers import ProviderMatcher

PSYNC = "Microsoft-Windows-IDMU-PSync"
NAMES = [
    PSYNC,
    "PSync",  # letters only: no literal anchor
    "Ünïcode-Prövider",  # anchored on a non-ASCII byte
    "Service Control Manager",
    "-x",  # anchor at the start: no look-behind
    "a-",  # anchor at the end: look-behind only
    "x-y-x",
    "--",  # overlaps itself
    "aa",
    "Ła",  # U+0141 is b"A\x01" in UTF-16LE: bytes.lower() folds its 0x41 as well
]


def expected(matcher: ProviderMatcher, buf: bytes, start: int, count: int) -> set[int]:
    return {
        i
        for i in range(count)
        if matcher.chunk_may_hold(buf[start + i * CHUNK_SIZE : start + (i + 1) * CHUNK_SIZE])
    }


def recase(text: str, rng: random.Random, ascii_only: bool = True) -> bytes:
    """``text`` as UTF-16LE with each ASCII letter (each letter: ``ascii_only=False``)
    in a random case."""
    return "".join(
        (c.upper() if rng.random() < 0.5 else c.lower()) if c.isascii() or not ascii_only else c
        for c in text
    ).encode("utf-16-le")


def noise(names: list[str], size: int, rng: random.Random) -> bytearray:
    """Bytes dense in near misses: pieces of the names in random cases, hyphens, NULs."""
    out = bytearray()
    while len(out) < size:
        kind = rng.random()
        if kind < 0.5:
            name = rng.choice(names)
            a = rng.randrange(len(name))
            out += recase(name[a : rng.randrange(a, len(name) + 1)], rng, rng.random() < 0.9)
        elif kind < 0.8:
            out += rng.choice([b"-\x00", b"\x00-\x00", b"\x00", b" \x00", b"\xf6\x00"])
        else:
            out += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    return out[:size]


names = st.lists(
    st.sampled_from(NAMES) | st.text(alphabet="abAB- ü", min_size=1, max_size=5),
    min_size=1,
    max_size=3,
).filter(lambda names: any(name.strip() for name in names))

PLACES = ("across", "ends at", "starts at", "just after", "anywhere")
"""Where a name is put, relative to an edge: across it, ending or starting exactly at
it, a few bytes after it, or anywhere in the chunk before it."""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=names,
    count=st.integers(1, 3),
    start=st.integers(0, 70),
    seed=st.integers(0, 2**32),
    density=st.sampled_from([0.0, 0.02, 0.3]),
    placements=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(PLACES), st.integers(0, 2**32)),
        max_size=8,
    ),
)
@example(names=[PSYNC], count=2, start=0, seed=0, density=0.0, placements=[(1, "across", 1)])
@example(names=["PSync"], count=2, start=3, seed=0, density=0.0, placements=[(1, "across", 1)])
@example(names=["--"], count=2, start=0, seed=0, density=0.0, placements=[(1, "ends at", 0)])
@example(names=["--"], count=2, start=0, seed=0, density=0.0, placements=[(1, "across", 21)])
@example(
    names=["aa"],
    count=3,
    start=5,
    seed=1,
    density=0.0,
    placements=[(1, "across", 3), (2, "across", 4)],
)
@example(
    names=["a-"],
    count=3,
    start=0,
    seed=1,
    density=0.0,
    placements=[(1, "anywhere", 0), (1, "starts at", 0)],
)
def test_candidate_chunks_are_the_chunks_that_may_hold(
    names: list[str], count: int, start: int, seed: int, density: float, placements: list
) -> None:
    """Names in random ASCII cases, at random places: inside chunks, across the edge
    between two chunks, across the start of the range and its end (the buffer goes on
    past the range, as a map window holding a partial last chunk does), one after the
    other (overlapping matches)."""
    matcher = ProviderMatcher(names)
    rng = random.Random(seed)
    size = start + count * CHUNK_SIZE + 100
    blob = bytearray(size)
    for at in range(0, size, 4096):  # near misses in patches, zeros elsewhere
        if rng.random() < density:
            blob[at : at + 512] = noise(matcher.names, 512, rng)[: size - at]
    for edge, place, case_seed in placements:
        case = random.Random(case_seed)
        needle = recase(case.choice(matcher.names), case)
        length = len(needle)
        shift = {
            "across": -case.randrange(1, max(2, length)),
            "ends at": -length,
            "starts at": 0,
            "just after": case.randrange(1, 5),
            "anywhere": -case.randrange(length, 4000),
        }[place]
        at = max(0, start + edge * CHUNK_SIZE + shift)
        blob[at : at + length] = needle
        if place in ("across", "ends at") and case.random() < 0.5:  # and again at once
            at += case.choice([1, 2, 2, 2, 3, 4])
            blob[at : at + length] = needle
        del blob[size:]
    buf = bytes(blob)
    assert candidate_chunks(matcher, buf, start, count) == expected(matcher, buf, start, count)


@pytest.mark.parametrize("name", NAMES)
def test_every_casing_of_a_name_at_every_place_near_an_edge(name: str) -> None:
    """A name slid across the edge of chunks 1 and 2, one byte at a time: found in chunk
    1 while wholly inside it, in chunk 2 from where it wholly is, in neither between."""
    matcher = ProviderMatcher([name])
    needle = recase(name, random.Random(name))
    blob = bytearray(3 * CHUNK_SIZE)
    for shift in range(-len(needle) - 2, 3):
        buf = bytearray(blob)
        at = 2 * CHUNK_SIZE + shift
        buf[at : at + len(needle)] = needle
        got = candidate_chunks(matcher, bytes(buf), 0, 3)
        assert got == expected(matcher, bytes(buf), 0, 3), shift
        if shift <= -len(needle):
            assert got == {1}
        elif shift >= 0:
            assert got == {2}
        else:
            assert got == set()


def test_the_default_name_is_anchored_on_its_last_hyphen() -> None:
    """The speed of the search depends on it: the anchor starts with ``-``, not NUL."""
    (needle,) = ProviderMatcher([PSYNC]).needles
    pattern, anchor = needle_pattern(needle)
    assert pattern.pattern.startswith(b"\\-\x00[pP]\x00")
    assert needle[anchor:].startswith("-psync".encode("utf-16-le"))


def test_works_on_a_map_window(tmp_path: Path) -> None:
    matcher = ProviderMatcher([PSYNC, "PSync"])
    blob = bytearray(4 * CHUNK_SIZE + 4096)
    upper = PSYNC.upper().encode("utf-16-le")
    at = 4096 + CHUNK_SIZE + 10
    blob[at : at + len(upper)] = upper
    at = 4096 + 3 * CHUNK_SIZE + 10
    blob[at : at + 10] = "pSynC".encode("utf-16-le")
    path = tmp_path / "blob"
    path.write_bytes(bytes(blob))
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        assert candidate_chunks(matcher, m, 4096, 4) == {1, 3}
