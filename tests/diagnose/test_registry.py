"""The rule registries: the contract codes, their declared order, and refusal of duplicates
and of codes the order does not name."""

from __future__ import annotations

import pytest

from evtdiag.diagnose import audit
from evtdiag.diagnose import causes as cause_package
from evtdiag.diagnose.audit import audits
from evtdiag.diagnose.causes import causes
from evtdiag.diagnose.registry import Finding, Registry

# docs/contract.md: these codes exist and are never renamed.
CONTRACT_CAUSES = {
    "sync-users-excluded",
    "sync-users-not-listed",
    "name-case-mismatch",
    "unix-account-missing",
    "unix-account-disabled",
    "superuser",
    "password-file-mismatch",
    "dc-not-in-sync-hosts",
    "no-host-config",
    "windows-deny-group",
    "windows-not-in-allow-group",
    "encryption-key-mismatch",
    "unknown-host",
    "unexplained",
}
ADDED_CAUSES = {
    "untrusted-host", "unrecognized-password", "encryption-key-policy", "incomplete-event",
}  # fmt: skip
CONTRACT_AUDITS = {
    "sync-users-all-keyword",
    "superuser-not-excluded",
    "admin-not-in-deny-group",
    "disabled-account-not-blocked",
    "case-sensitive-names",
    "password-file-mismatch",
    "policy-weaker-than-unix",
    "legacy-crypt-8-char",
    "weak-encrypt-key",
    "dc-config-inconsistent",
}


def test_cause_codes_are_the_contract_plus_documented_additions() -> None:
    assert set(causes.codes) == CONTRACT_CAUSES | ADDED_CAUSES


def test_audit_codes_are_the_contract() -> None:
    assert set(audits.codes) == CONTRACT_AUDITS


def test_host_wide_causes_are_stronger_than_per_account_ones() -> None:
    order = causes.codes
    assert order.index("dc-not-in-sync-hosts") < order.index("superuser")
    assert order.index("superuser") < order.index("sync-users-excluded")
    assert order[-1] == "unexplained"


@pytest.mark.parametrize(
    ("registry", "order"), [(causes, cause_package.ORDER), (audits, audit.ORDER)]
)
def test_order_names_every_registered_code_once(registry: Registry, order: tuple) -> None:
    assert len(set(order)) == len(order)
    assert registry.codes == order


def test_rules_are_listed_in_the_declared_order_not_the_registration_order() -> None:
    registry: Registry[object, Finding | None] = Registry(("strong", "weak"))

    @registry("weak", title="t", basis="inferred", severity="info", remediation="r")
    def weak(ctx: object) -> Finding | None:
        """Doc."""
        return None

    @registry("strong", title="t", basis="inferred", severity="info", remediation="r")
    def strong(ctx: object) -> Finding | None:
        """Doc."""
        return None

    assert registry.codes == ("strong", "weak")
    assert [rule.check for rule in registry.rules] == [strong, weak]


def test_a_code_the_order_does_not_name_is_refused() -> None:
    registry: Registry[object, Finding | None] = Registry(("known",))
    with pytest.raises(ValueError, match="not in the registry's order"):
        registry("stray", title="t", basis="inferred", severity="info", remediation="r")
    with pytest.raises(ValueError, match="twice"):
        Registry(("known", "known"))


def test_every_rule_explains_itself_and_says_its_basis() -> None:
    for rule in (*causes.rules, *audits.rules):
        assert rule.explanation and rule.remediation and rule.title
        assert rule.basis in ("documented", "inferred")


def test_duplicates_and_bad_metadata_are_refused() -> None:
    registry: Registry[object, Finding | None] = Registry(("x", "y", "z"))

    @registry("x", title="t", basis="inferred", severity="info", remediation="r")
    def first(ctx: object) -> Finding | None:
        """Doc."""
        return None

    with pytest.raises(ValueError, match="twice"):
        registry("x", title="t", basis="inferred", severity="info", remediation="r")(first)
    with pytest.raises(ValueError, match="basis"):
        registry("y", title="t", basis="guessed", severity="info", remediation="r")
    with pytest.raises(ValueError, match="docstring"):
        registry("z", title="t", basis="inferred", severity="info", remediation="r")(lambda c: None)
