"""`leerid accounts create`: LeerIDs and cards for a school's pupils."""

from __future__ import annotations

from pathlib import Path

import click

from ..db import get_database
from ..models import CredentialType
from ..services.accounts import (
    NO_OFFICIAL_DATA,
    AccountError,
    create_school_accounts,
    pupils_without_official_data,
)
from ..services.cards import CardError
from ..services.printing import PrintError, credential_bundle, school_day
from .context import app_context, echo_json
from .files import check_new_file, write_new_file

ACTOR = "cli"
# The plain table's columns: tab-separated, named as the --json fields are.
COLUMNS = ("stamnummer", "username", "credential", "password", "card_serial", "card_url")
CREDENTIAL_CHOICES = (CredentialType.WORD, CredentialType.PICTURE, CredentialType.TEMPORARY)


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""
    group.add_command(accounts)


@click.group()
def accounts() -> None:
    """Pupils' LeerIDs."""


@accounts.command("create")
@click.option("--school", required=True, metavar="INSTNR", help="The school's instellingsnummer.")
@click.option(
    "--stamnummer",
    "stamnummers",
    multiple=True,
    metavar="S",
    help="Only this pupil (repeatable); default: every enrolled pupil without a LeerID.",
)
@click.option(
    "--credential",
    type=click.Choice([c.value for c in CREDENTIAL_CHOICES]),
    help="Password type for every pupil; default: word (basic), temporary (advanced).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the credential documents (zip: Excel, A4 PDF, sticker PDF) to this new "
    "file; it must not exist yet.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def create(
    school: str,
    stamnummers: tuple[str, ...],
    credential: str | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Create LeerIDs with a card; all of them or, on any problem, none.

    With --out, the zip is written before the accounts are committed and removed again if
    the commit fails: there are documents if and only if there are accounts.
    """
    if out is not None:
        check_new_file(out)
    written: Path | None = None
    skipped: list[str] = []
    with app_context() as app:
        try:
            with get_database(app).transaction() as session:
                created = create_school_accounts(
                    session,
                    school,
                    stamnummers=stamnummers,
                    credential=CredentialType(credential) if credential else None,
                    actor=ACTOR,
                )
                result = [new.as_dict() for new in created]
                skipped = [] if stamnummers else pupils_without_official_data(session, school)
                if out is not None and created:
                    cards = [new.printed for new in created]
                    write_new_file(out, credential_bundle(cards, school_day()))
                    written = out
        except BaseException as error:
            if written is not None:
                written.unlink(missing_ok=True)
            if isinstance(error, AccountError | CardError | PrintError):
                raise click.ClickException(str(error)) from None
            raise
    if skipped:
        # On stderr, like every note: --json keeps stdout one JSON object.
        click.echo(
            f"Left out {len(skipped)} pupil(s), stamnummer {', '.join(skipped)}: "
            f"{NO_OFFICIAL_DATA}.",
            err=True,
        )
    if written is not None:
        # On stderr: --json keeps stdout one JSON object, as documented.
        click.echo(f"Wrote {written}: the Excel list, the A4 cards and the stickers.", err=True)
    elif out is not None:
        click.echo(f"Nothing created, so {out} was not written.", err=True)
    if as_json:
        echo_json({"accounts": result})
        return
    if not result:
        click.echo(f"No pupils without a LeerID at school {school}: nothing created.")
        return
    click.echo("\t".join(COLUMNS))
    for row in result:
        password = row["password"]
        shown = password if isinstance(password, str) else " ".join(password)
        click.echo("\t".join(str(shown if c == "password" else row[c]) for c in COLUMNS))
    plural = "" if len(result) == 1 else "s"
    click.echo(f"Created {len(result)} LeerID{plural}. Passwords are shown only now.", err=True)
