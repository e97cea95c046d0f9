"""Counting the work a call does, for the tests that double one input dimension and
check the work at most (about) doubles: counted, not timed, so a loaded machine cannot
make them flaky, and a quadratic step shows at any size.

The work is every function call the profiler sees (Python functions and built-ins),
plus what a few library calls are known to do inside one call, in proportion to their
input, where a count of calls would miss it:

- lxml reads an element's attribute values one by one by name (``xmlGetNsProp``), each
  lookup walking the element's attribute list: ``items()`` or ``values()`` on ``k``
  attributes costs ``k * k``, counting them ``k``;
- :mod:`textwrap` breaks a word longer than the line by copying what is left of it for
  every line: each ``_handle_long_word`` costs the length of that rest.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from types import FrameType
from typing import Any

from lxml import etree

LINEAR = 2.2
"""Doubling an input may multiply the work by this much at most (a quadratic step
gives 4, an n log n one a little over 2)."""

_LONG_WORD = textwrap.TextWrapper._handle_long_word.__code__


def work(function: Callable[..., Any], *args: Any) -> int:
    """The calls ``function(*args)`` makes, plus the hidden work of the library calls
    named in this module's docstring (lxml's compiled methods are invisible to the
    profiler: elements parsed meanwhile are :class:`_CountedElement`)."""
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1
        if event == "call" and frame.f_code is _LONG_WORD:
            count += len(frame.f_locals["reversed_chunks"][-1])

    _hidden.clear()
    etree.set_element_class_lookup(etree.ElementDefaultClassLookup(element=_CountedElement))
    sys.setprofile(profile)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
        etree.set_element_class_lookup()
    return count + sum(_hidden)


_hidden: list[int] = []
"""The hidden work of lxml attribute reads during :func:`work`."""


class _CountedAttributes:
    """An element's ``attrib`` that adds what lxml's reads cost to :data:`_hidden`."""

    def __init__(self, attributes: Any) -> None:
        self._attributes = attributes

    def __len__(self) -> int:
        _hidden.append(len(self._attributes))  # lxml counts them along their list
        return len(self._attributes)

    def items(self) -> Any:
        _hidden.append(len(self._attributes) ** 2)
        return self._attributes.items()

    def values(self) -> Any:
        _hidden.append(len(self._attributes) ** 2)
        return self._attributes.values()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._attributes, name)


class _CountedElement(etree.ElementBase):
    """An lxml element whose attribute reads are counted (see :class:`_CountedAttributes`)."""

    @property
    def attrib(self) -> Any:  # type: ignore[override]
        return _CountedAttributes(super().attrib)

    def items(self) -> Any:  # type: ignore[override]
        return self.attrib.items()

    def values(self) -> Any:  # type: ignore[override]
        return self.attrib.values()


def doubling_ratio(work_at: Callable[[int], int], n: int) -> float:
    """``work_at(2 * n) / work_at(n)``: what doubling the input does to the work."""
    return work_at(2 * n) / work_at(n)
