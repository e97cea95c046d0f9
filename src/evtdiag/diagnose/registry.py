"""A pycodestyle-style registry: small functions registered with a code and metadata.

Registration order is the order of strength (the first cause that applies is the
problem's cause), duplicate codes are refused, and the function's docstring is the
explanation the report shows, so documentation cannot drift from behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from evtdiag.model import Evidence

Context = TypeVar("Context")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Finding:
    """What a rule returns when it applies."""

    evidence: tuple[Evidence, ...]
    basis: str | None = None
    """Overrides the rule's default basis (e.g. documented for one event id only)."""
    detail: str = ""
    """A sentence specific to this case, added to the rule's explanation."""


@dataclass(frozen=True)
class Rule(Generic[Context, Result]):
    code: str
    title: str
    basis: str
    severity: str
    remediation: str
    explanation: str
    check: Callable[[Context], Result]
    kinds: frozenset[str] = field(default_factory=frozenset)
    """The event kinds the rule can explain; empty means any (audit rules)."""


class Registry(Generic[Context, Result]):
    """An ordered set of rules with unique codes; a rule maps a context to a result."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule[Context, Result]] = {}

    def __call__(
        self,
        code: str,
        *,
        title: str,
        basis: str,
        severity: str,
        remediation: str,
        kinds: Sequence[str] = (),
    ) -> Callable[[Callable[[Context], Result]], Callable[[Context], Result]]:
        if basis not in ("documented", "inferred"):
            raise ValueError(f"{code}: basis must be documented or inferred")
        if severity not in ("error", "warning", "info"):
            raise ValueError(f"{code}: unknown severity {severity}")

        def register(check: Callable[[Context], Result]) -> Callable[[Context], Result]:
            if code in self._rules:
                raise ValueError(f"rule code {code} registered twice")
            explanation = " ".join((check.__doc__ or "").split())  # one paragraph
            if not explanation:
                raise ValueError(f"rule {code} needs a docstring: it is the report's explanation")
            self._rules[code] = Rule(
                code, title, basis, severity, remediation, explanation, check, frozenset(kinds)
            )
            return check

        return register

    @property
    def rules(self) -> tuple[Rule[Context, Result], ...]:
        return tuple(self._rules.values())

    def get(self, code: str) -> Rule[Context, Result]:
        return self._rules[code]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._rules)
