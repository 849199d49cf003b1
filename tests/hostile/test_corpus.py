"""Every parameter of every route gets every hostile value (tests.hostile.corpus), in a
request that is valid otherwise: LeerID answers with a clear error or a normal page, never
a 5xx. Values LeerID cannot read are refused by the guard (idp.input_guard) with 400.
"""

from __future__ import annotations

import pytest

from tests.conftest import TEST_DATABASE
from tests.hostile.engine import Case, Report
from tests.hostile.routes import ROUTES, generic

POSTGRES = TEST_DATABASE != "sqlite"

# Faults fixed by others on their own branches: (rule, part, value) -> (whether it fails on
# this database, why). Left out of the corpus run; each runs alone in test_known_fault,
# marked xfail(strict) where it fails, so that the mark must go once the fix is merged.
KNOWN: dict[tuple[str, str, str], tuple[bool, str]] = {
    ("/authorize", "nonce", "600 characters"): (
        POSTGRES,
        "a nonce longer than its column (500): DataError on PostgreSQL (fixed on another branch)",
    ),
    ("/authorize", "nonce", "10,000 characters"): (
        POSTGRES,
        "a nonce longer than its column (500): DataError on PostgreSQL (fixed on another branch)",
    ),
    ("/authorize", "ui_locales", "whitespace only"): (
        True,
        "ui_locales=%20: IndexError in views.interaction.start (fixed on another branch)",
    ),
}


def is_known(case: Case) -> bool:
    return (case.rule, case.part, case.value) in KNOWN


def run(world, rule: str) -> Report:
    report = Report()
    for spec in ROUTES.get(rule) or [generic(rule)]:
        for case in spec.cases(world, rule):
            report.run(case, skip=is_known)
    return report


@pytest.mark.parametrize("rule", sorted(ROUTES))
def test_no_parameter_of_a_route_makes_a_5xx(world, rule):
    report = run(world, rule)
    assert any(label.startswith(f"{rule} [") for label in report.sent), report.sent[:5]
    assert not report.failures, f"{len(report.failures)} of {len(report.sent)} cases:\n" + (
        "\n".join(report.failures)
    )


def test_every_route_has_a_parameter_list(world, app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    unlisted = sorted(rules - set(ROUTES))
    # A new route is fuzzed anyway, anonymously, with the forms its page renders ...
    findings = {rule: run(world, rule).failures for rule in unlisted}
    # ... but its parameters and the state it needs must be written down.
    assert not unlisted, f"routes without a parameter list in tests/hostile/routes.py: {findings}"
    assert not sorted(set(ROUTES) - rules), "ROUTES lists routes that no longer exist"


@pytest.mark.parametrize(
    "known",
    [
        pytest.param(key, marks=pytest.mark.xfail(fails, reason=why, strict=True), id=" ".join(key))
        for key, (fails, why) in KNOWN.items()
    ],
)
def test_known_fault(world, known):
    rule, part, value = known
    report = Report()
    for spec in ROUTES[rule]:
        for case in spec.cases(world, rule):
            if (case.rule, case.part, case.value) == known:
                report.run(case)
    assert report.sent, f"no case {known}"
    assert not report.failures, "\n".join(report.failures)
