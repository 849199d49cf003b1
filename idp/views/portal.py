"""The Leerlingloket: the pupil's apps, school and class; "Mijn gegevens"; and for advanced
accounts changing the password and adding an e-mail address."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ..credentials.own import MAX_LENGTH, OwnPasswordError
from ..db import get_session
from ..mail import send_mail
from ..models import Account, AccountKind
from ..services.email_links import EmailLinkError, request_confirmation
from ..services.portal import current_school, data_use, listed_apps
from ..services.pupil_passwords import WrongCurrentPassword, change_password
from . import interaction
from .claim_labels import claim_labels
from .login import expired_message
from .messages import duration, refusal_message
from .recovery import link_url

blueprint = Blueprint("portal", __name__, url_prefix="/portal")


class ChangePasswordForm(FlaskForm):
    """The current password and a new one, typed twice."""

    current = PasswordField(
        _l("Your password now"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirmation = PasswordField(_l("Type it again"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class EmailForm(FlaskForm):
    """An e-mail address for password resets."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Email(message=_l("That does not look like an e-mail address.")),
        ],
    )
    submit = SubmitField(_l("Send confirmation e-mail"))


def pupil() -> Account:
    """The signed-in pupil (set by `signed_in_only`)."""
    account: Account = g.portal_account
    return account


def signed_in_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send a visitor without a LeerID session to the sign-in page first."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        login = interaction.current_login()
        if login is None or login.account.status != "active":
            return redirect(url_for("login.form"))
        g.portal_account = login.account
        return view(*args, **kwargs)

    return guarded


def advanced_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages for advanced accounts; basic ones get their password from school."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if pupil().kind is not AccountKind.ADVANCED:
            return redirect(url_for("portal.home"))
        return view(*args, **kwargs)

    return signed_in_only(guarded)


@blueprint.get("/")
@signed_in_only
def home() -> str:
    """The pupil's apps as tiles, with their username, school and class."""
    session = get_session()
    return render_template(
        "portal/home.html",
        account=pupil(),
        enrollment=current_school(session, pupil()),
        apps=listed_apps(session),
    )


@blueprint.get("/data")
@signed_in_only
def data() -> str:
    """ "Mijn gegevens": which apps received which data, and when."""
    uses = data_use(get_session(), pupil())
    return render_template("portal/data.html", account=pupil(), uses=uses, labels=claim_labels)


@blueprint.route("/password", methods=["GET", "POST"])
@advanced_only
def password() -> str | Response:
    """Change the password while the pupil still knows it."""
    form = ChangePasswordForm()
    error = expired_message(form)
    if form.validate_on_submit():
        try:
            change_password(
                get_session(),
                pupil(),
                form.current.data or "",
                form.password.data or "",
                form.confirmation.data or "",
            )
        except WrongCurrentPassword:
            error = _("Your password now is not right.")
        except OwnPasswordError as refused:
            error = refusal_message(refused.reason)
        else:
            get_session().commit()
            flash(_("Your password is changed. Use the new one from now on."))
            return redirect(url_for("portal.home"))
        get_session().rollback()
    return render_template("portal/password.html", form=form, account=pupil(), error=error)


@blueprint.route("/email", methods=["GET", "POST"])
@advanced_only
def email() -> str | Response:
    """Add (or change) the e-mail address; it counts once the pupil opened the link."""
    form = EmailForm()
    error = expired_message(form)
    if form.validate_on_submit():
        settings = current_app.config["LEERID"]["mail"]
        address = form.email.data or ""
        try:
            link = request_confirmation(
                get_session(), pupil(), address, settings["confirmation_lifetime"]
            )
        except EmailLinkError:
            error = _("You asked for many e-mails just now. Try again in an hour.")
        else:
            get_session().commit()
            send_mail(
                address,
                _("Confirm your e-mail address for LeerID"),
                render_template(
                    "mail/confirm_email.txt",
                    username=pupil().username,
                    url=link_url("recovery.confirm_email", link.token),
                    valid_for=duration(settings["confirmation_lifetime"]),
                ),
            )
            return render_template("portal/email_sent.html", email=address)
    return render_template("portal/email.html", form=form, account=pupil(), error=error)
