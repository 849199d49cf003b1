"""Signing in to the Schoolloket, the first sign-in's new password and TOTP enrolment,
and signing out."""

from __future__ import annotations

import io
import logging

import qrcode
from flask import g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from qrcode.image.svg import SvgPathImage
from werkzeug.wrappers import Response

from idp.credentials.own import OwnPasswordError
from idp.db import get_session
from idp.services import admin_sessions
from idp.throttle import get_throttle
from idp.totp import provisioning_uri
from idp.views.messages import duration, refusal_message
from idp.views.signin import client_ip

from . import blueprint, state
from .forms import EnrolForm, NewPasswordForm, SignInForm

log = logging.getLogger(__name__)


@blueprint.route("/aanmelden", methods=["GET", "POST"])
def sign_in() -> Response | str | tuple[str, int]:
    """Gebruikersnaam, Wachtwoord and, once enrolled, Verificatiecode. The same answer
    for every failure (unknown name, wrong password, wrong or reused code)."""
    current = g.admin_session
    if current is not None:
        return redirect(state.stage_url(current.stage))
    form = SignInForm()
    wrong = _("The username, password or verification code is not right.")
    if not form.validate_on_submit():
        # A posted form that cannot be right (a field empty, or longer than any real
        # one): the same answer as a wrong password, not a silent page.
        error = wrong if request.method == "POST" else None
        return render_template("schoolloket/sign_in.html", form=form, error=error)
    username = form.username.data or ""
    throttle = get_throttle()
    verdict = throttle.check_admin(username, client_ip())
    if verdict.wait:
        error = _("Too many failed attempts. Try again in %(span)s.", span=duration(verdict.wait))
        return render_template("schoolloket/sign_in.html", form=form, error=error), 429
    session = get_session()
    found = admin_sessions.authenticate(
        session, username, form.password.data or "", form.code.data or "", state.secrets_()
    )
    if found is None:
        throttle.admin_failed(username, client_ip())
        # For the operator's monitoring (a guessing run shows here); the trail records
        # what administrators did, and a failed guess is nobody's act.
        log.warning("Schoolloket sign-in failed for %r from %s", username[:100], client_ip())
        error = wrong
        # 200, not 4xx: the failure must stay countable, and nothing is stored anyway.
        return render_template("schoolloket/sign_in.html", form=form, error=error)
    throttle.admin_succeeded(username, client_ip())
    opened = admin_sessions.open_session(session, found)
    response = redirect(state.stage_url(opened.session.stage))
    state.set_session_cookie(response, opened.token)
    return response


@blueprint.route("/nieuw-wachtwoord", methods=["GET", "POST"])
def new_password() -> Response | str:
    """The first sign-in: replace the one-time password from `leerid admin add`."""
    form = NewPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            admin_sessions.choose_password(
                get_session(),
                g.admin_session,
                form.password.data or "",
                form.confirmation.data or "",
                form.current.data or "",
            )
        except OwnPasswordError as refused:
            error = refusal_message(refused.reason)
        except ValueError:
            error = _("The one-time password is not right.")
        else:
            return redirect(state.stage_url(g.admin_session.stage))
    return render_template("schoolloket/new_password.html", form=form, error=error)


@blueprint.route("/verificatie-instellen", methods=["GET", "POST"])
def enrol() -> Response | str:
    """The first sign-in: scan a QR code with an authenticator app and type its code."""
    form = EnrolForm()
    session = get_session()
    secret = admin_sessions.pending_totp_secret(g.admin_session, state.secrets_())
    error = None
    if form.validate_on_submit():
        if admin_sessions.confirm_totp(
            session, g.admin_session, form.code.data or "", state.secrets_()
        ):
            return redirect(url_for("schoolloket.index"))
        error = _("That code is not right. Type the code the app shows now.")
    admin = g.admin_session.admin
    uri = provisioning_uri(secret, admin.username, admin_sessions.TOTP_ISSUER)
    return render_template(
        "schoolloket/enrol.html",
        form=form,
        error=error,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr=_svg_qr(uri),
    )


@blueprint.route("/afmelden", methods=["POST"])
def sign_out() -> Response:
    """End the session; the cookie's token opens nothing any more."""
    admin_sessions.end_session(get_session(), g.admin_session)
    response = make_response(redirect(url_for("schoolloket.sign_in")))
    response.delete_cookie(state.COOKIE, path=state.COOKIE_PATH)
    return response


def _svg_qr(data: str) -> Markup:
    """A QR code as inline SVG (no image request, nothing stored)."""
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode("utf-8")
    # The XML declaration is not allowed inside HTML.
    start = text.find("<svg")
    # qrcode's own SVG of our URI (whose text is encoded as modules, not copied): no
    # outside text reaches the markup.
    return Markup(text[start:])  # noqa: S704
