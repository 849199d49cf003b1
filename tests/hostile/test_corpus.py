"""Every parameter of every route gets every hostile value (tests.hostile.corpus), in a
request that is valid otherwise: LeerID answers with a clear error or a normal page, never
a 5xx. Values LeerID cannot read are refused by the guard (idp.input_guard) with 400.
"""

from __future__ import annotations

import pytest

from tests.hostile.engine import Report
from tests.hostile.routes import ROUTES, generic


def run(world, rule: str) -> Report:
    report = Report()
    for spec in ROUTES.get(rule) or [generic(rule)]:
        for case in spec.cases(world, rule):
            report.run(case)
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
