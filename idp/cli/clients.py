"""`leerid client add` and `leerid keys rotate`."""

from __future__ import annotations

from pathlib import Path

import click

from ..capabilities import CLIENT_AUTH_METHODS, SIGNING_ALGORITHMS
from ..db import get_session
from ..services.clients import ClientError, register_client
from ..signing_keys import retention_seconds, rotate
from .context import app_context, echo_json

ACTOR = "cli"


def register(group: click.Group) -> None:
    """Add the commands of this module to `leerid`."""
    group.add_command(client)
    group.add_command(keys)


@click.group()
def client() -> None:
    """Connected applications."""


@client.command("add")
@click.option("--name", required=True, help="The app's name, as pupils see it.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True)
@click.option("--public", is_flag=True, help="A browser or mobile app without a secret.")
@click.option("--scope", "scopes", multiple=True, help="An allowed scope (repeat).")
@click.option("--post-logout-redirect-uri", "logout_uris", multiple=True)
@click.option("--backchannel-logout-uri")
@click.option("--token-endpoint-auth-method", type=click.Choice(CLIENT_AUTH_METHODS))
@click.option("--jwks-uri", help="Where a private_key_jwt client publishes its keys.")
@click.option("--sector", help="Pairwise subject sector (required for several hosts).")
@click.option("--id-token-alg", type=click.Choice(SIGNING_ALGORITHMS), default="RS256")
@click.option("--vendor", default="")
@click.option("--description", default="", help="One sentence for the pupils' portal, in Dutch.")
@click.option(
    "--description-en",
    default="",
    help="The sentence in English, for pupils who use LeerID in English (default: the Dutch).",
)
@click.option("--client-uri", default="", help="The app's start page (the portal's tile).")
@click.option("--listed", is_flag=True, help="Show the app as a tile in the pupils' portal.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def add_client(
    name: str,
    redirect_uris: tuple[str, ...],
    public: bool,
    scopes: tuple[str, ...],
    logout_uris: tuple[str, ...],
    backchannel_logout_uri: str | None,
    token_endpoint_auth_method: str | None,
    jwks_uri: str | None,
    sector: str | None,
    id_token_alg: str,
    vendor: str,
    description: str,
    description_en: str,
    client_uri: str,
    listed: bool,
    as_json: bool,
) -> None:
    """Register an app; prints its client_id and, once, its secret."""
    with app_context():
        session = get_session()
        try:
            created = register_client(
                session,
                name=name,
                redirect_uris=redirect_uris,
                actor=ACTOR,
                public=public,
                scopes=scopes or ("openid", "profile"),
                post_logout_redirect_uris=logout_uris,
                backchannel_logout_uri=backchannel_logout_uri,
                auth_method=token_endpoint_auth_method,
                jwks_uri=jwks_uri,
                sector=sector,
                id_token_alg=id_token_alg,
                vendor=vendor,
                description=description,
                description_en=description_en,
                client_uri=client_uri,
                listed=listed,
            )
        except ClientError as error:
            raise click.ClickException(str(error)) from None
        session.commit()
        result = {
            "client_id": created.client.client_id,
            "client_secret": created.client_secret,
            "token_endpoint_auth_method": created.client.token_endpoint_auth_method,
            "scopes": created.client.allowed_scopes,
            "sector": created.client.sector_identifier,
        }
    if as_json:
        echo_json(result)
        return
    click.echo(f"client_id:     {result['client_id']}")
    if created.client_secret:
        click.echo(f"client_secret: {created.client_secret}  (shown once: store it now)")


@click.group()
def keys() -> None:
    """Token signing keys."""


@keys.command("rotate")
@click.option("--delay", type=click.IntRange(min=0), help="Seconds before the new keys sign.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def rotate_keys(delay: int | None, as_json: bool) -> None:
    """Publish new signing keys now; sign with them after the delay; drop retired keys.

    A key is retired once no ID token it signed can still come back as a logout hint
    (idp.signing_keys.retention_seconds).
    """
    with app_context() as app:
        settings = app.config["LEERID"]
        wait = settings["keys"]["rotation_delay"] if delay is None else delay
        retention = retention_seconds(settings["tokens"])
        result = rotate(Path(settings["keys"]["directory"]), wait, retention)
    if as_json:
        echo_json(result)
        return
    click.echo(
        f"Published {', '.join(result['published'])}; they sign from {result['signing_from']}."
    )
    if result["removed"]:
        click.echo(f"Removed retired keys {', '.join(result['removed'])}.")
