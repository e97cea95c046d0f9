"""A pycodestyle-style registry: small functions registered with a code and metadata.

The registry lists its rules in the order it was given (``ORDER`` in each rule package):
the order of strength, where the first cause that applies is the problem's cause. It is
declared in one place rather than following whichever module registered first, so
moving a rule between modules cannot change a diagnosis. A code missing from that order
and a duplicate code are refused, and the function's docstring is the explanation the
report shows, so documentation cannot drift from behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from evtdiag.model import Evidence

SCOPES = ("host", "account", "dc", "pair")
"""The scopes of a problem, widest first."""

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
    severity: str | None = None
    """Overrides the rule's severity (e.g. a deny-group refusal that is the intended
    protection of an administrator is info, not an error)."""
    remediation: str | None = None
    """Overrides the rule's remediation when this case needs another step."""


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
    scope: str = "pair"
    """The cause's natural scope (``host``, ``account``, ``dc`` or ``pair``): what a setting
    of this kind affects. It only breaks ties the event pattern leaves open."""
    documented_by: frozenset[str] = field(default_factory=frozenset)
    """The event kinds whose id documents this cause: for those events it is the cause,
    whatever the configurations show now."""


class Registry(Generic[Context, Result]):
    """A set of rules with unique codes, listed in a declared order; a rule maps a context
    to a result."""

    def __init__(self, order: Sequence[str]) -> None:
        """``order`` names every code the registry accepts once, strongest first."""
        if len(set(order)) != len(order):
            raise ValueError("the order names a rule code twice")
        self._rank = {code: rank for rank, code in enumerate(order)}
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
        scope: str = "pair",
        documented_by: Sequence[str] = (),
    ) -> Callable[[Callable[[Context], Result]], Callable[[Context], Result]]:
        if code not in self._rank:
            raise ValueError(f"rule code {code} is not in the registry's order")
        if basis not in ("documented", "inferred"):
            raise ValueError(f"{code}: basis must be documented or inferred")
        if severity not in ("error", "warning", "info"):
            raise ValueError(f"{code}: unknown severity {severity}")
        if scope not in SCOPES:
            raise ValueError(f"{code}: unknown scope {scope}")
        if not set(documented_by) <= set(kinds):
            raise ValueError(f"{code}: documented_by names kinds the rule does not explain")

        def register(check: Callable[[Context], Result]) -> Callable[[Context], Result]:
            if code in self._rules:
                raise ValueError(f"rule code {code} registered twice")
            explanation = " ".join((check.__doc__ or "").split())  # one paragraph
            if not explanation:
                raise ValueError(f"rule {code} needs a docstring: it is the report's explanation")
            self._rules[code] = Rule(
                code,
                title,
                basis,
                severity,
                remediation,
                explanation,
                check,
                frozenset(kinds),
                scope,
                frozenset(documented_by),
            )
            self._rules = dict(sorted(self._rules.items(), key=lambda item: self._rank[item[0]]))
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
