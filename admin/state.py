"""The Schoolloket's own login state, CSRF check and transaction rule.

- The administrator's session lives in its own cookie (`leerid_admin`, path
  /schoolloket), apart from the pupils' session cookie: a pupil signing in or out in the
  same browser leaves it alone, and pupils' pages never receive it.
- Every POST carries a token bound to that cookie (an HMAC of it); a browser without the
  cookie gets one before its first form, so the sign-in form is protected too.
- One place decides when a request's changes are stored: after a response below 400.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.wrappers import Response

from idp.db import get_session
from idp.keystore import Secrets
from idp.models import AdminSession, AdminStage, AdminUser
from idp.services.admin_sessions import current_session, was_session
from idp.services.scope import Scope

COOKIE = "leerid_admin"
COOKIE_PATH = "/schoolloket"
CSRF_FIELD = "csrf_token"
# The largest request body a Schoolloket form may send, in bytes (enforced by
# idp.input_guard before anything reads it; registered in admin/__init__.py).
FORM_LIMIT = 2 * 1024 * 1024
_TOKEN_BYTES = 32
# Pages open without a signed-in session; each other endpoint needs the stage it serves.
PUBLIC = frozenset({"schoolloket.sign_in", "schoolloket.static"})
# Signing out works at every stage.
ANY_STAGE = frozenset({"schoolloket.sign_out"})
STAGE_PAGES = {
    "schoolloket.new_password": AdminStage.NEW_PASSWORD,
    "schoolloket.enrol": AdminStage.ENROL_TOTP,
}


def secrets_() -> Secrets:
    """The deployment's secrets (TOTP secrets are sealed with them)."""
    found: Secrets = current_app.extensions["leerid.secrets"]
    return found


def settings() -> dict[str, Any]:
    """The [schoolloket] settings."""
    section: dict[str, Any] = current_app.config["LEERID"]["schoolloket"]
    return section


def admin() -> AdminUser:
    """The signed-in administrator of this request (only on pages behind the guard)."""
    found: AdminUser = g.admin_session.admin
    return found


def scope() -> Scope:
    """What the signed-in administrator may see: their schools, or all of them."""
    found: Scope = g.admin_scope
    return found


def _cookie_token() -> str:
    """The browser's cookie value, made now when it has none (sent with the response)."""
    if "admin_cookie" not in g:
        token = request.cookies.get(COOKIE, "")
        if not 20 <= len(token) <= 100:
            token = secrets.token_urlsafe(_TOKEN_BYTES)
            g.admin_cookie_new = token
        g.admin_cookie = token
    found: str = g.admin_cookie
    return found


def csrf_token() -> str:
    """The token every Schoolloket form posts back, bound to this browser's cookie."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    message = b"schoolloket-csrf\0" + _cookie_token().encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def csrf_field() -> Markup:
    """The hidden input with the CSRF token, for templates."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token())


def set_session_cookie(response: Response, token: str) -> None:
    """Give the browser a (new) session token: a new value at every sign-in, so a token
    planted before the sign-in (session fixation) is worth nothing after it."""
    g.admin_cookie = token
    g.admin_cookie_new = token
    _write_cookie(response, token)


def _write_cookie(response: Response, token: str) -> None:
    production = current_app.config["LEERID"]["server"]["environment"] == "production"
    response.set_cookie(
        COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        secure=production,
        # Strict: no other site can make the browser send it, not even by a link.
        samesite="Strict",
    )


def load_session() -> Response | None:
    """Before each Schoolloket request: check CSRF on POST, find the session, and send a
    browser without the right stage to the page it needs."""
    if request.method == "POST":
        sent = request.form.get(CSRF_FIELD, "")
        if not hmac.compare_digest(sent.encode("utf-8"), csrf_token().encode("ascii")):
            raise CSRFError(_("The form was not sent: open the page again."))
    token = request.cookies.get(COOKIE, "")
    found: AdminSession | None = None
    if token:
        found = current_session(
            get_session(),
            token,
            idle_timeout=settings()["idle_timeout"],
            lifetime=settings()["session_lifetime"],
        )
    g.admin_session = found
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC:
        return None
    if found is None:
        if token and was_session(get_session(), token):
            flash(_("Your session has ended. Sign in again."))
        return redirect(url_for("schoolloket.sign_in"))
    needed = STAGE_PAGES.get(endpoint, AdminStage.SIGNED_IN)
    if found.stage is not needed and endpoint not in ANY_STAGE:
        return redirect(stage_url(found.stage))
    g.admin_scope = Scope.of(found.admin)
    return None


def stage_url(stage: AdminStage) -> str:
    """Where a session in `stage` continues."""
    if stage is AdminStage.NEW_PASSWORD:
        return url_for("schoolloket.new_password")
    if stage is AdminStage.ENROL_TOTP:
        return url_for("schoolloket.enrol")
    return url_for("schoolloket.index")


def finish(response: Response) -> Response:
    """After each Schoolloket request: store its changes when it succeeded (status below
    400), else drop them; hand a new browser its cookie; keep pages out of caches."""
    session = get_session()
    if response.status_code < 400:
        session.commit()
    else:
        session.rollback()
    new = g.get("admin_cookie_new")
    if new is not None:
        _write_cookie(response, new)
    # Pupils' names and passwords: never kept by a shared computer's browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


def super_admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages for super administrators; to a school administrator they do not exist (404)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not scope().is_everything:
            abort(404)
        return view(*args, **kwargs)

    return guarded
