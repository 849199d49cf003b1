"""Links that arrive by e-mail: confirming an address, and the forgotten password (request
a reset link, then choose a new password). Only advanced accounts with a confirmed address
can reset by themselves; everyone else asks the school's LeerID administrator."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, Field, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from .. import interactions
from ..db import get_session
from ..mail import MAX_ADDRESS_LENGTH, is_single_address, send_mail
from ..models import EmailPurpose
from ..oauth.logout import end_other_sessions
from ..services.email_links import find_link, normalise_email, request_reset, use_link
from . import notices
from .login import NewPasswordForm, form_problem, save_new_password
from .messages import duration

blueprint = Blueprint("recovery", __name__)


def _one_address(form: FlaskForm, field: Field) -> None:
    # The address goes into a mail header: one recipient on one line, or nothing is sent.
    if field.data and not is_single_address(field.data):
        raise ValidationError(_("That does not look like an e-mail address."))


class ForgotForm(FlaskForm):
    """The address the reset link goes to."""

    email = EmailField(
        _l("E-mail address"),
        # Browsers strip the spaces around an address; a pasted one keeps them.
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(), Length(max=MAX_ADDRESS_LENGTH), _one_address],
    )
    submit = SubmitField(_l("Send me a link"))


class ConfirmForm(FlaskForm):
    """One button: a mail program that opens the link by itself must not confirm anything."""

    submit = SubmitField(_l("Confirm my e-mail address"))


def link_url(endpoint: str, token: str) -> str:
    """An absolute link for a mail, from the configured issuer (never from the Host header,
    which an attacker could set to receive the token)."""
    issuer: str = current_app.config["LEERID"]["server"]["issuer"]
    return issuer.rstrip("/") + url_for(endpoint, token=token)


@blueprint.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> str | tuple[str, int]:
    """Confirm an address with the link from the mail (one click on a button)."""
    session = get_session()
    link = find_link(session, token, EmailPurpose.CONFIRM_EMAIL)
    if link is None:
        return render_template("recovery/link_invalid.html"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        account = link.account
        before = notices.confirmed_address(account)
        if not use_link(session, link):
            return render_template("recovery/link_invalid.html"), 404
        session.commit()
        # The address that could reset the password until now hears that it no longer can:
        # if someone else added theirs, the pupil learns it before a reset link is used.
        if before is not None and normalise_email(before) != link.email:
            notices.email_changed(account, before, link.email)
        return render_template("recovery/email_confirmed.html", email=link.email)
    return render_template(
        "recovery/confirm_email.html", form=form, email=link.email, error=form_problem(form)
    )


def _back_to_sign_in() -> str:
    """The sign-in step this page was opened from (an app may be waiting), or a new one."""
    interaction = interactions.current()
    if interaction is None:
        return url_for("login.form")
    return url_for("login.password", interaction=interaction.key)


@blueprint.route("/password/forgot", methods=["GET", "POST"])
def forgot() -> str:
    """Ask for a reset link; the answer is the same whether or not the address is known."""
    back = _back_to_sign_in()
    form = ForgotForm()
    if form.validate_on_submit():
        settings = current_app.config["LEERID"]["mail"]
        address = form.email.data or ""
        links = request_reset(get_session(), address, settings["reset_lifetime"])
        get_session().commit()
        if links:
            send_mail(
                address,
                _("Choose a new password for LeerID"),
                render_template(
                    "mail/reset_password.txt",
                    links=[
                        (link.account.username, link_url("recovery.reset", link.token))
                        for link in links
                    ],
                    valid_for=duration(settings["reset_lifetime"]),
                ),
            )
        return render_template("recovery/forgot_sent.html", email=address, back=back)
    return render_template("recovery/forgot.html", form=form, error=form_problem(form), back=back)


@blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | tuple[str, int] | Response:
    """Choose a new password with a reset link; every open session ends."""
    session = get_session()
    link = find_link(session, token, EmailPurpose.RESET_PASSWORD)
    if link is None:
        return render_template("recovery/link_invalid.html"), 404
    form = NewPasswordForm()
    error = form_problem(form)
    if form.validate_on_submit():
        account = link.account
        error = save_new_password(account, form, current=None)
        if error is None:
            if not use_link(session, link):
                session.rollback()
                return render_template("recovery/link_invalid.html"), 404
            # Whoever was signed in with the old password is signed out of the apps too;
            # commits the new password, the used link and the revocations together.
            timeout = current_app.config["LEERID"]["tokens"]["backchannel_logout_timeout"]
            end_other_sessions(account, None, timeout)
            notices.password_changed(account, notices.BY_RESET_LINK)
            return render_template("recovery/reset_done.html", username=account.username)
    return render_template(
        "recovery/reset.html", form=form, username=link.account.username, error=error
    )
