"""The start page, the site's icon and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import text
from werkzeug.wrappers import Response

from ..db import get_session

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index() -> str:
    """What LeerID is, for a pupil or teacher who lands on the bare address."""
    return render_template("home.html")


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers look for it when a page does not link it."""
    return current_app.send_static_file("favicon.ico")


@blueprint.get("/healthz")
def health() -> dict[str, str]:
    """Liveness and database reachability, for the load balancer."""
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}
