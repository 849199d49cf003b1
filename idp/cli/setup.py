"""`leerid init` and `leerid serve`."""

from __future__ import annotations

from pathlib import Path

import click

from ..keystore import load_secrets
from ..provisioning import initialise
from ..server import serve as run_server
from ..server import workers_problem
from .context import app_context, echo_json


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""
    group.add_command(init)
    group.add_command(serve)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def init(as_json: bool) -> None:
    """Create or upgrade the database schema and create missing keys under keys/."""
    with app_context() as app:
        done = initialise(app)
    if as_json:
        echo_json(done)
        return
    click.echo(f"Database schema up to date ({done['database']}).")
    for created in done["keys_created"]:
        click.echo(f"Created {created}.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve LeerID with the configured database (run `leerid init` first)."""
    with app_context() as app:
        settings = app.config["LEERID"]
        load_secrets(Path(settings["keys"]["directory"]))
    problem = workers_problem(settings, workers)
    if problem:
        raise click.ClickException(problem)
    run_server(host=host, port=port, workers=workers)
