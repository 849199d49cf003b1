"""The start page and the health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import text

from ..db import get_session

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index() -> str:
    """What LeerID is, for a pupil or teacher who lands on the bare address."""
    return render_template("home.html")


@blueprint.get("/healthz")
def health() -> dict[str, str]:
    """Liveness and database reachability, for the load balancer."""
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}
