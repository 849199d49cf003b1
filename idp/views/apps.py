"""The public list of connected applications ("Aangesloten toepassingen", `/toepassingen`):
which apps pupils can sign in to, who makes them, and which data each receives. For
pupils, parents and schools, without signing in (ARCHITECTURE.md, interface contract)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..db import get_session
from ..oauth.claims import claims_of_scopes
from ..services.portal import listed_apps
from .claim_labels import claim_labels

blueprint = Blueprint("apps", __name__)


@blueprint.get("/toepassingen")
def connected() -> str:
    """The listed, enabled apps by name, each with its vendor, description, start page and
    the data it can receive (from the scopes it is allowed, in words)."""
    apps = [
        (client, claim_labels(claims_of_scopes(client.allowed_scopes)))
        for client in listed_apps(get_session())
    ]
    return render_template("apps.html", apps=apps)
