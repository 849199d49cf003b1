"""The Schoolloket's start page."""

from __future__ import annotations

from flask import redirect, url_for
from werkzeug.wrappers import Response

from . import blueprint


@blueprint.route("/")
def index() -> Response:
    """The start page is "LeerID Beheer", the pupil list (manual, §2)."""
    return redirect(url_for("schoolloket.pupils_list"))
