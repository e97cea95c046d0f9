"""Check a parsed JSON value against a declared shape, and complete it with defaults.

A small hand-written validator rather than a JSON Schema library: it fills in the
defaults of missing optional fields in the same pass, names the first bad field by its
JSON path (``problems[0].severity``), and costs a few microseconds per object, so a
report of 200,000 events is checked in about a second.

Untrusted depth never becomes recursion: the checker descends only where the shape
says a list or an object is, so its depth is the shape's, fixed in the code; a value
under a key the shape does not know (a later evtdiag's field) is kept, after an
iterative walk refuses one nested deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

MAX_DEPTH = 32
"""Nesting allowed under a key the shape does not describe. Whatever reads the document
later (the renderers, redaction, the JSON encoder) may recurse through such a value."""


class Invalid(ValueError):
    """A value that does not fit its shape; :attr:`path` is filled in on the way out."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.steps: list[str | int] = []
        """The path from the value up to the root, innermost first."""

    @property
    def path(self) -> str:
        """The JSON path of the bad value: ``problems[0].severity``."""
        text = ""
        for step in reversed(self.steps):
            text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else step
        return text or "(the document)"

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def shown(value: Any) -> str:
    """A value as an error message quotes it: JSON, strings cut short."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str) and len(value) > 40:
        value = value[:40] + "…"
    return json.dumps(value, ensure_ascii=False)[:60]


class Shape:
    """What a value must be. :meth:`check` returns it (completed, for a record) or
    raises :class:`Invalid`."""

    expected = "a value"

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def wrong(self, value: Any) -> Invalid:
        return Invalid(f"expected {self.expected}, got {shown(value)}")


class Scalar(Shape):
    """A string, an integer (true and false are not integers) or a boolean."""

    def __init__(self, kind: type, expected: str) -> None:
        self.kind = kind
        self.expected = expected

    def check(self, value: Any) -> Any:
        if type(value) is not self.kind:  # bool is an int subclass: compared exactly
            raise self.wrong(value)
        return value


TEXT = Scalar(str, "a string")
INTEGER = Scalar(int, "an integer")
FLAG = Scalar(bool, "true or false")


class OneOf(Shape):
    """One of a few strings (a code whose value the renderers act on)."""

    def __init__(self, *values: str) -> None:
        self.values = frozenset(values)
        self.expected = f"one of {', '.join(values)}"

    def check(self, value: Any) -> Any:
        if not isinstance(value, str) or value not in self.values:
            raise self.wrong(value)
        return value


class Time(Shape):
    """An ISO 8601 moment with its zone (``2026-09-01T10:48:54.021733Z``) that is a
    moment in UTC too: an offset at the ends of the years 1 to 9999 may not be."""

    expected = "an ISO 8601 time with a zone (2026-09-01T10:48:54Z)"

    def check(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise self.wrong(value)
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            moment.astimezone(timezone.utc)
        except (ValueError, OverflowError):
            raise self.wrong(value) from None
        if moment.tzinfo is None:
            raise self.wrong(value)
        return value


class Nullable(Shape):
    def __init__(self, inner: Shape) -> None:
        self.inner = inner
        self.expected = f"{inner.expected} or null"

    def check(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            return self.inner.check(value)
        except Invalid as error:
            if error.steps:  # inside the value: its own message says what
                raise
            raise self.wrong(value) from None


class ListOf(Shape):
    def __init__(self, item: Shape) -> None:
        self.item = item
        self.expected = "a list"

    def check(self, value: Any) -> Any:
        if type(value) is not list:
            raise self.wrong(value)
        check = self.item.check
        for index, item in enumerate(value):
            try:
                value[index] = check(item)
            except Invalid as error:
                error.steps.append(index)
                raise
        return value


class MapOf(Shape):
    """An object whose keys are data (event ids, count names), each value of one shape."""

    def __init__(self, value: Shape) -> None:
        self.value = value
        self.expected = "an object"

    def check(self, value: Any) -> Any:
        if type(value) is not dict:
            raise self.wrong(value)
        for key, item in value.items():
            try:
                self.value.check(item)
            except Invalid as error:
                error.steps.append(json.dumps(key, ensure_ascii=False))
                raise
        return value


Default = Callable[[dict[str, Any]], Any]
"""Gives a missing optional field its value, from the object it is missing in (so a
derived default, such as a problem's ``last_failure`` from its ``last_seen``, is
written once, where the field is declared)."""


def empty(value: Any) -> Default:
    """A default that is ``value`` (a fresh copy for a list or an object)."""
    if isinstance(value, (list, dict)):
        return lambda _: type(value)(value)
    return lambda _: value


def copied(name: str) -> Default:
    """A default that is the value of the field ``name`` (checked before it)."""
    return lambda record: record[name]


KEEP_ABSENT: Default = lambda record: None  # noqa: E731
"""Marks an optional field whose absence means something: it is not filled in."""


class Record(Shape):
    """An object with named fields: ``required`` must be there, ``optional`` ones get
    their default when absent, keys of neither kind are kept (checked for depth only).
    ``complete`` finishes the object after its fields are checked."""

    expected = "an object"

    def __init__(
        self,
        required: dict[str, Shape],
        optional: dict[str, tuple[Shape, Default]] | None = None,
        complete: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.required = required
        self.optional = optional or {}
        self.complete = complete
        self.known = frozenset(required) | frozenset(self.optional)

    def check(self, value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise self.wrong(value)
        name = ""
        try:
            for name, shape in self.required.items():
                if name not in value:
                    raise Invalid(f"missing (expected {shape.expected})")
                value[name] = shape.check(value[name])
            for name, (shape, default) in self.optional.items():
                if name in value:
                    value[name] = shape.check(value[name])
                elif default is not KEEP_ABSENT:
                    value[name] = default(value)
            for name in value.keys() - self.known:
                within_depth(value[name])
        except Invalid as error:
            error.steps.append(name)
            raise
        if self.complete is not None:
            self.complete(value)
        return value


def within_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse ``value`` when lists and objects nest in it more than ``limit`` deep;
    walked with a stack, never by recursion."""
    stack: list[tuple[Iterable[Any], int]] = [((value,), 0)]
    while stack:
        items, depth = stack.pop()
        for item in items:
            if isinstance(item, (list, dict)):
                if depth >= limit:
                    raise Invalid(f"nested more than {limit} levels deep")
                stack.append((item.values() if isinstance(item, dict) else item, depth + 1))
