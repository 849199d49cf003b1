"""`leerid admin add`: administrators of the Schoolloket."""

from __future__ import annotations

import click

from ..db import get_database
from ..models import AdminRole
from ..services.admins import AdminError, create_admin
from .context import app_context, echo_json


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""
    group.add_command(admin)


@click.group()
def admin() -> None:
    """Manage Schoolloket administrators."""


@admin.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([role.value for role in AdminRole]),
    default=AdminRole.SCHOOL_ADMIN.value,
    show_default=True,
)
@click.option(
    "--school",
    "schools",
    multiple=True,
    metavar="INSTNR",
    help="Instellingsnummer of a school the admin manages (repeatable; school admins only).",
)
@click.option("--display-name", default="", help="The name shown in the Schoolloket.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def add(
    username: str, role: str, schools: tuple[str, ...], display_name: str, as_json: bool
) -> None:
    """Create an administrator with a generated password, printed once."""
    with app_context() as app, get_database(app).transaction() as session:
        try:
            created = create_admin(
                session,
                username,
                role=AdminRole(role),
                schools=schools,
                display_name=display_name,
                actor="cli",
            )
        except AdminError as error:
            raise click.ClickException(str(error)) from None
        result = created.as_dict()
    if as_json:
        echo_json(result)
        return
    where = ", ".join(result["schools"]) or "all schools"
    click.echo(f"Created {result['role']} {result['username']} ({where}).")
    click.echo(f"Password (shown only now, stored only as a hash): {result['password']}")
