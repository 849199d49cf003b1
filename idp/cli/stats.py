"""`leerid stats`: LeerID coverage, as the department reports it."""

from __future__ import annotations

from collections.abc import Iterable

import click

from ..db import get_session
from ..services.stats import (
    EDUCATION_TYPE_LABELS,
    Coverage,
    CoverageReport,
    coverage_report,
)
from .context import app_context, echo_json

_LABEL_WIDTH = 48


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""
    group.add_command(stats)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def stats(as_json: bool) -> None:
    """Show pupils, accounts and coverage: in total, per education type, province, school."""
    with app_context():
        report = coverage_report(get_session())
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo("\n".join(render(report)).lstrip("\n"))


def render(report: CoverageReport) -> Iterable[str]:
    """The report as a plain-text table."""
    yield from _section("Total", [("all schools", report.total)])
    types = [(EDUCATION_TYPE_LABELS[t], c) for t, c in report.education_types.items()]
    yield from _section("Education type", types)
    yield from _section("Province", [(str(p), c) for p, c in report.provinces.items()])
    schools = [(f"{s.instellingsnummer} {s.name}", s.coverage) for s in report.schools]
    yield from _section("School", schools)
    yield ""
    yield "A pupil with active enrollments in several groups counts once in each of them,"
    yield "and once in the total; deactivated accounts and ended enrollments do not count."


def _section(title: str, rows: list[tuple[str, Coverage]]) -> Iterable[str]:
    yield ""
    yield f"{title:<{_LABEL_WIDTH}} {'pupils':>10} {'accounts':>10} {'coverage':>9}"
    for label, coverage in rows:
        shown = label if len(label) <= _LABEL_WIDTH else label[: _LABEL_WIDTH - 1] + "…"
        yield (
            f"{shown:<{_LABEL_WIDTH}} {coverage.pupils:>10} {coverage.accounts:>10} "
            f"{coverage.percentage:>7.1f} %"
        )
    if not rows:
        yield "(none)"
