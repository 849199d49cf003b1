"""`leerid import-schools` and `leerid import-enrollments`.

The report is printed in English, like every command's output; with --json its messages
stay in the configured language (server.default_locale), as they always were.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask_babel import force_locale

from ..db import get_database, get_session
from ..keystore import load_secrets
from ..services import report_snapshots
from ..services.imports import ImportReport, import_enrollments, import_schools
from .context import app_context, echo_json

ACTOR = "cli"


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""
    group.add_command(import_schools_command)
    group.add_command(import_enrollments_command)


def _import_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The arguments both import commands share."""
    for option in reversed(
        (
            click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
            click.option(
                "--dry-run",
                is_flag=True,
                help="Check the file and report what would change, without changing anything.",
            ),
            click.option(
                "--skip-invalid",
                is_flag=True,
                help="Import the valid rows and list the invalid ones. Without it, a file with "
                "any invalid row imports nothing.",
            ),
            click.option("--json", "as_json", is_flag=True, help="Print the report as JSON."),
        )
    ):
        command = option(command)
    return command


@click.command("import-schools")
@_import_options
def import_schools_command(file: Path, dry_run: bool, skip_invalid: bool, as_json: bool) -> None:
    """Import the school register (CSV or XLSX: instellingsnummer, naam, provincie)."""
    with app_context() as app:
        report = import_schools(
            get_session(),
            file,
            actor=ACTOR,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            batch_size=app.config["LEERID"]["imports"]["batch_size"],
        )
        _show(report, as_json)
    _exit(report)


@click.command("import-enrollments")
@_import_options
@click.option(
    "--full-list",
    is_flag=True,
    help="Confirm that the file lists all pupils of each of its schools. Without it, a file "
    "that would unenroll more than 20 % (and more than 5) of a school's pupils is refused.",
)
def import_enrollments_command(
    file: Path, dry_run: bool, skip_invalid: bool, as_json: bool, full_list: bool
) -> None:
    """Import pupils and enrollments (CSV or XLSX); pupils a school no longer lists are ended."""
    with app_context() as app:
        settings = app.config["LEERID"]
        report = import_enrollments(
            get_session(),
            load_secrets(Path(settings["keys"]["directory"])),
            file,
            actor=ACTOR,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            full_list=full_list,
            batch_size=settings["imports"]["batch_size"],
        )
        if report.written:
            # The department's statistics read a snapshot; counting it now, with the
            # new figures, spares the first look after the (nightly) import the count.
            report_snapshots.refresh(get_database(app).sessionmaker)
        _show(report, as_json)
    _exit(report)


def _show(report: ImportReport, as_json: bool) -> None:
    # Rendered inside the app context, where the catalogue is.
    if as_json:
        echo_json(report.to_dict())
        return
    with force_locale("en"):
        click.echo(report.render())
    if any(problem.code == "ends_many" for problem in report.problems):
        click.echo("If the file is the full list of these schools, import it with --full-list.")


def _exit(report: ImportReport) -> None:
    """Exit code 1 when nothing was (or, in a dry run, would be) imported because of problems."""
    if report.refused:
        raise SystemExit(1)
