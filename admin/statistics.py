"""Statistics: pupils, accounts and coverage per education type, province and school, as
the department reports them (parliamentary answer 48, 2023); a school administrator sees
their schools, a super administrator everything (the figures of `leerid stats --json`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

from flask import Response, render_template, request
from flask_babel import gettext as _

import print_service
from idp.db import get_session
from idp.services import report_snapshots
from idp.services.printing import school_day
from idp.services.stats import (
    EDUCATION_TYPE_LABELS,
    REPORT_HEADERS,
    CoverageReport,
    coverage_report,
    report_rows,
)

from . import blueprint, state
from .forms import whole_number

_FILE_NAME = "leerid-dekking-{day}.{extension}"
# Schools per page: the department has thousands; every one of them is in the downloads.
SCHOOLS_PER_PAGE = 100


def _report() -> tuple[CoverageReport, dt.datetime | None]:
    """The administrator's report, and when it was counted when it is not counted now:
    the department reads every school's figures from a snapshot (report_snapshots)."""
    scope = state.scope()
    if scope.is_everything:
        snapshot = report_snapshots.department_report(get_session())
        return snapshot.report, snapshot.computed_at
    return coverage_report(get_session(), scope), None


@blueprint.route("/statistieken")
def statistics() -> str:
    """The table, with a bar per row (a <meter>: read by screen readers, no script); the
    schools a page of SCHOOLS_PER_PAGE at a time (`?page=`, 1-based)."""
    scope = state.scope()
    report, counted_at = _report()
    pages = max(1, math.ceil(len(report.schools) / SCHOOLS_PER_PAGE))
    number = min(max(1, whole_number(request.args.get("page", "")) or 1), pages)
    first = (number - 1) * SCHOOLS_PER_PAGE
    everyone = _("All schools") if scope.is_everything else _("All my schools")
    # Empty education types and provinces say nothing to a school: only a super
    # administrator sees every row.
    sparse = not scope.is_everything
    types = [(EDUCATION_TYPE_LABELS[kind], c) for kind, c in report.education_types.items()]
    provinces = [(str(province), c) for province, c in report.provinces.items()]
    schools = [
        (f"{s.name} ({s.instellingsnummer})", s.coverage)
        for s in report.schools[first : first + SCHOOLS_PER_PAGE]
    ]
    sections = [
        (_("Total"), [(everyone, report.total)], False),
        (_("Education type"), types, sparse),
        (_("Province"), provinces, sparse),
        (_("School"), schools, False),
    ]
    return render_template(
        "schoolloket/statistics.html",
        sections=sections,
        counted_at=counted_at,
        max_age_minutes=int(report_snapshots.MAX_AGE.total_seconds() // 60),
        number=number,
        pages=pages,
        school_count=len(report.schools),
        shown=(first + 1, first + len(schools)),
    )


def _download(data: bytes, mimetype: str, extension: str) -> Response:
    name = _FILE_NAME.format(day=school_day().isoformat(), extension=extension)
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.route("/statistieken.csv")
def statistics_csv() -> Response:
    """The report as CSV for Excel in Flanders: UTF-8 with BOM, semicolons and decimal
    commas (86,7: what a Belgian Excel reads as a number beside semicolons); text that a
    spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_HEADERS)
    for row in report_rows(_report()[0]):
        writer.writerow([_csv_cell(value) for value in row])
    return _download(("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv", "csv")


def _csv_cell(value: object) -> object:
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, str) and print_service.is_formula_like(value):
        return "'" + value
    return value


@blueprint.route("/statistieken.xlsx")
def statistics_xlsx() -> Response:
    """The report as an Excel workbook (numbers as numbers)."""
    rows = report_rows(_report()[0])
    data = print_service.table_xlsx(
        REPORT_HEADERS, rows, sheet_title="Dekking", title="LeerID-dekking", day=school_day()
    )
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(data, mimetype, "xlsx")
