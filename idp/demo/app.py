"""The demo learning app (examples/learning_app) as a LeerID client, registered once.

Only a hash of a client secret is stored, so a secret cannot be read back on the next
start. Like the demo passwords, the demo app's secret is therefore derived from this
installation's keys/secrets.json: the same on every start, known only to whoever can read
keys/, and no secret is re-issued (and no running copy of the app locked out) per start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..hashing import matches_hash, secret_hash
from ..keystore import Secrets
from ..models import Client
from ..services.admins import record_event
from ..services.clients import check_uri, register_client
from .seed import ACTOR, demo_secret

NAME = "Rekenrally (demo)"
VENDOR = "LeerID demo"
DESCRIPTION = "Oefen je rekenen, en zie welke gegevens een app van LeerID krijgt."
DESCRIPTION_EN = "Practise your sums, and see which data an app gets from LeerID."
SCOPES = ("openid", "profile", "school", "ov_leerling")
SECRET_LENGTH = 43  # about 240 bits from the readable alphabet
# Demos started on other ports share the one registration: each keeps its redirect URIs, up
# to this many (the oldest go first), so a second `leerid demo` never breaks the first.
KEPT_ADDRESSES = 5


@dataclass(frozen=True)
class DemoApp:
    """What the demo app needs to sign pupils in: its address and its client credentials."""

    url: str
    client_id: str
    client_secret: str


def _registration(url: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTION,
        "description_en": DESCRIPTION_EN,
        "client_uri": check_uri(f"{url}/", "client URI"),
        "listed": True,
        "redirect_uris": [check_uri(f"{url}/callback", "redirect URI")],
        "post_logout_redirect_uris": [check_uri(f"{url}/afgemeld", "post-logout redirect URI")],
        "backchannel_logout_uri": check_uri(f"{url}/backchannel-logout", "back-channel URI"),
        "allowed_scopes": list(SCOPES),
    }


def _added(uris: list[str], new: list[str]) -> list[str]:
    """`uris` with the `new` ones appended (when missing), keeping the last KEPT_ADDRESSES."""
    return [*uris, *(uri for uri in new if uri not in uris)][-KEPT_ADDRESSES:]


def ensure_demo_app(session: Session, secrets: Secrets, url: str) -> DemoApp:
    """Register the demo app, or reuse it with the URIs of `url` (another port) added.

    The redirect and post-logout URIs of earlier addresses stay, so that a demo still
    running there keeps working; the start page (the Leerlingloket's tile) and the
    back-channel logout URI, of which there is one each, follow the latest address.
    """
    secret = demo_secret(secrets, "client:rekenrally", SECRET_LENGTH)
    wanted = _registration(url)
    client = session.scalars(
        select(Client).where(Client.name == NAME, Client.vendor == VENDOR).order_by(Client.id)
    ).first()
    created = client is None
    if client is None:
        client = register_client(
            session,
            name=NAME,
            vendor=VENDOR,
            description=DESCRIPTION,
            description_en=DESCRIPTION_EN,
            client_uri=wanted["client_uri"],
            listed=True,
            redirect_uris=wanted["redirect_uris"],
            post_logout_redirect_uris=wanted["post_logout_redirect_uris"],
            backchannel_logout_uri=wanted["backchannel_logout_uri"],
            scopes=SCOPES,
            actor=ACTOR,
        ).client
    for name in ("redirect_uris", "post_logout_redirect_uris"):
        wanted[name] = _added(list(getattr(client, name)), wanted[name])
    changed = [name for name, value in wanted.items() if getattr(client, name) != value]
    for name in changed:
        setattr(client, name, wanted[name])
    if not matches_hash(secret, client.client_secret_hash or ""):
        # register_client's random secret, or one rotated since: the derived one replaces it.
        client.client_secret_hash = secret_hash(secret)
        changed.append("client_secret")
    if changed and not created:
        details = {"client_id": client.client_id, "changed": changed}
        record_event(session, ACTOR, "client.update", details=details)
    session.flush()
    return DemoApp(url=url, client_id=client.client_id, client_secret=secret)
