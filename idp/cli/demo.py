"""`leerid demo`: seed demo data into the embedded database and serve LeerID, with the demo
learning app (examples/learning_app) beside it."""

from __future__ import annotations

import shlex
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from ..config import load_settings
from ..db import get_database
from ..demo import DemoApp, DemoInfo, DemoLogin, ensure_demo_app, seed_demo
from ..keystore import load_secrets
from ..provisioning import initialise
from ..server import serve
from ..services.clients import ClientError
from .context import app_context


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""
    group.add_command(demo)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--app-port",
    type=click.IntRange(1, 65535),
    help="Port of the demo learning app  [default: --port + 1]",
)
@click.option(
    "--app-response-mode",
    type=click.Choice(["form_post", "query"]),
    default="form_post",
    show_default=True,
    help="How LeerID sends the code back to the demo learning app.",
)
def demo(host: str, port: int, app_port: int | None, app_response_mode: str) -> None:
    """Seed demo schools, pupils and administrators, then serve LeerID (never in production)."""
    # Checked before the issuer is overridden: production also refuses an http:// issuer,
    # and that error would hide the real reason.
    if load_settings()["server"]["environment"] == "production":
        raise click.ClickException(
            "leerid demo refuses to run when server.environment is production: "
            "it adds fictional pupils and administrators with known passwords"
        )
    if app_port == port:
        raise click.ClickException("--app-port must differ from --port")
    url = _url(host, port)
    app_url = _url(host, app_port or port + 1)
    overrides: dict[str, dict[str, Any]] = {"server": {"issuer": url}}
    problem = None
    with app_context(overrides) as app:
        initialise(app)
        secrets = load_secrets(Path(app.config["LEERID"]["keys"]["directory"]))
        database = get_database(app)
        with database.transaction() as session:
            info = seed_demo(session, secrets)
            registered = None
            # Only into the demo's own database: "no demo data added" means no client either.
            if info.admins or info.pupils:
                try:
                    registered = ensure_demo_app(session, secrets, app_url)
                except ClientError as error:
                    problem = str(error)
        # The gunicorn worker opens its own connections; none may be shared across fork.
        database.engine.dispose()
    if registered is not None:
        problem = _start_learning_app(
            registered, url, host, app_port or port + 1, app_response_mode
        )
    running = registered is not None and problem is None
    lines = welcome(info, url, app_url if running else None, problem, command=leerid_command())
    click.echo("\n".join(lines))
    # Flushed now, or a piped stdout's buffer would be copied into the forked worker.
    sys.stdout.flush()
    flask_config = {"DEMO_APP_URL": app_url} if running else None
    serve(host=host, port=port, workers=1, config=overrides, flask_config=flask_config)


def _url(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def _start_learning_app(
    registered: DemoApp, issuer: str, host: str, port: int, response_mode: str = "form_post"
) -> str | None:
    """Serve the demo app from a thread of this process; returns a problem, or None."""
    if port > 65535:
        return f"port {port} does not exist: choose one with --app-port"
    try:
        # Imported here: the example is not part of LeerID, only served beside it by the demo.
        from examples.learning_app import create_app, start_server
    except ImportError as error:
        return f"{error}; reinstall LeerID (pip install -e .) to get examples/"

    app = create_app(
        issuer,
        registered.client_id,
        registered.client_secret,
        registered.url,
        response_mode=response_mode,
    )
    try:
        # A daemon thread in gunicorn's master: it ends with the command, and the worker,
        # forked once at start, never touches it.
        start_server(app, host, port)
    except OSError as error:
        return f"port {port}: {error.strerror or error}; choose another with --app-port"
    return None


def leerid_command(
    argv0: str | None = None, which: Callable[[str], str | None] = shutil.which
) -> str:
    """How to run `leerid` again from this directory, as typed in a shell.

    `leerid` when that is the program running (it is on the PATH); else the path it was
    started by, such as `.venv/bin/leerid` after the README's quick start; else, for
    `python -m idp.cli`, this Python with `-m idp.cli`.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).stem == "leerid":
        found = which("leerid")
        if found is not None and Path(found).resolve() == Path(argv0).resolve():
            return "leerid"
        return shlex.quote(argv0)
    return f"{shlex.quote(sys.executable)} -m idp.cli"


def welcome(
    info: DemoInfo,
    url: str,
    app_url: str | None = None,
    problem: str | None = None,
    *,
    command: str = "leerid",
) -> Iterable[str]:
    """The bilingual greeting with the addresses and logins to try; `command` runs leerid."""
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
    if app_url:
        yield f"Probeer de demo-app / try the demo app:  {app_url}  (Rekenrally)"
    elif problem:
        yield f"Demo-app niet gestart / demo app not started: {problem}"
    if info.admins:
        yield ""
        yield f"Schoolloket (beheerders / administrators):  {url.rstrip('/')}/schoolloket/"
        yield from _logins(info.admins)
        yield "  Verificatiecode / verification code: voeg de sleutel toe aan een authenticator-app"
        yield "  / add the key to an authenticator app (TOTP, 6 digits, 30 s):"
        for login in info.admins:
            if login.totp_secret:
                yield f"  {login.username:<24} {login.totp_secret}"
    typed = [login for login in info.pupils if not login.pictures]
    if typed:
        yield ""
        yield "Leerlingen / pupils (gebruikersnaam, wachtwoord / username, password):"
        yield from _logins(typed)
    for login in info.pupils:
        if login.pictures:
            yield ""
            yield "Met een afbeeldingswachtwoord / with a picture password:"
            yield f"  {login.username:<24} {login.description}"
            shown = ", ".join(login.pictures) if login.password else "(gewijzigd / changed)"
            yield f"  tik / tap:  {shown}"
        if login.pictures and login.card_url:
            yield f"  kaart / card (QR):  {login.card_url}"
    if info.admins or info.pupils:
        yield ""
        yield "Wachtwoorden afgeleid van keys/secrets.json: bij elke start dezelfde."
        yield "Passwords are derived from keys/secrets.json: the same on every start."
    yield ""
    yield f"Dekking / coverage:  {command} stats"
    yield "Stoppen / stop:      Ctrl+C"
    yield ""


def _logins(logins: Iterable[DemoLogin]) -> Iterable[str]:
    for login in logins:
        password = login.password or "(gewijzigd / changed)"
        yield f"  {login.username:<24} {password:<24} {login.description}"
