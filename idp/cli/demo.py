"""`leerid demo`: seed demo data into the embedded database and serve LeerID."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..config import load_settings
from ..db import get_database
from ..demo import DemoInfo, DemoLogin, seed_demo
from ..keystore import load_secrets
from ..provisioning import initialise
from ..server import serve
from .context import app_context


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""
    group.add_command(demo)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def demo(host: str, port: int) -> None:
    """Seed demo schools, pupils and administrators, then serve LeerID (never in production)."""
    # Checked before the issuer is overridden: production also refuses an http:// issuer,
    # and that error would hide the real reason.
    if load_settings()["server"]["environment"] == "production":
        raise click.ClickException(
            "leerid demo refuses to run when server.environment is production: "
            "it adds fictional pupils and administrators with known passwords"
        )
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    overrides: dict[str, dict[str, Any]] = {"server": {"issuer": url}}
    with app_context(overrides) as app:
        initialise(app)
        secrets = load_secrets(Path(app.config["LEERID"]["keys"]["directory"]))
        database = get_database(app)
        with database.transaction() as session:
            info = seed_demo(session, secrets)
        # The gunicorn worker opens its own connections; none may be shared across fork.
        database.engine.dispose()
    click.echo("\n".join(welcome(info, url)))
    # Flushed now, or a piped stdout's buffer would be copied into the forked worker.
    sys.stdout.flush()
    serve(host=host, port=port, workers=1, config=overrides)


def welcome(info: DemoInfo, url: str) -> Iterable[str]:
    """The bilingual greeting with the address and logins to try."""
    yield "LeerID demo — welkom! / welcome!"
    if info.seeded:
        yield "Demogegevens aangemaakt. / Demo data seeded."
    elif info.admins or info.pupils:
        yield "Demogegevens waren al aanwezig. / Demo data already present."
    else:
        yield "De databank bevat al andere gegevens: geen demo toegevoegd."
        yield "The database already holds other data: no demo data added."
    yield ""
    yield f"Adres / address:  {url}"
    if info.admins:
        yield ""
        yield "Beheerders / administrators (Schoolloket):"
        yield from _logins(info.admins)
    if info.pupils:
        yield ""
        yield "Leerlingen / pupils (tijdelijk wachtwoord / temporary password):"
        yield from _logins(info.pupils)
    if info.admins or info.pupils:
        yield ""
        yield "Wachtwoorden afgeleid van keys/secrets.json: bij elke start dezelfde."
        yield "Passwords are derived from keys/secrets.json: the same on every start."
    yield ""
    yield "Dekking / coverage:  leerid stats"
    yield "Stoppen / stop:      Ctrl+C"
    yield ""


def _logins(logins: Iterable[DemoLogin]) -> Iterable[str]:
    for login in logins:
        password = login.password or "(gewijzigd / changed)"
        yield f"  {login.username:<24} {password:<24} {login.description}"
