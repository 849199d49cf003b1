"""The Leerlingloket: the pupil's apps, school and class; "Mijn gegevens"; and for advanced
accounts changing the password and adding an e-mail address."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from .. import interactions
from ..credentials.own import MAX_LENGTH
from ..db import get_session
from ..mail import send_mail
from ..models import Account, AccountKind, AccountStatus
from ..oauth.logout import end_other_sessions
from ..services.email_links import EmailLinkError, request_confirmation
from ..services.enrollments import active_enrollment
from ..services.portal import data_use, listed_apps
from . import notices, signin
from .claim_labels import claim_labels
from .login import form_problem, save_new_password
from .messages import duration
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
    """An e-mail address for password resets, and the current password: whoever controls
    that address can choose a new password, so adding or changing it is as guarded as
    changing the password."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Email(message=_l("That does not look like an e-mail address.")),
        ],
    )
    current = PasswordField(
        _l("Your password now"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField(_l("Send confirmation e-mail"))


# Pages for advanced accounts only; basic ones get their password from school.
ADVANCED_ONLY = frozenset({"portal.password", "portal.email"})


def pupil() -> Account:
    """The signed-in pupil (set for every page of the blueprint)."""
    account: Account = g.portal_account
    return account


@blueprint.before_request
def signed_in_only() -> Response | None:
    """Send a visitor without a LeerID session to the sign-in page first."""
    login = interactions.current_login()
    if login is None or login.account.status is not AccountStatus.ACTIVE:
        return redirect(url_for("login.form"))
    g.portal_account = login.account
    if request.endpoint in ADVANCED_ONLY and login.account.kind is not AccountKind.ADVANCED:
        return redirect(url_for("portal.home"))
    return None


@blueprint.get("/")
def home() -> str:
    """The pupil's apps as tiles, with their username, school and class."""
    session = get_session()
    return render_template(
        "portal/home.html",
        account=pupil(),
        enrollment=active_enrollment(session, pupil().person_id),
        apps=listed_apps(session),
    )


@blueprint.get("/data")
def data() -> str:
    """ "Mijn gegevens": which apps received which data, and when."""
    uses = data_use(get_session(), pupil())
    return render_template("portal/data.html", account=pupil(), uses=uses, labels=claim_labels)


def wrong_current_password(current: str) -> str | None:
    """None when `current` is the signed-in pupil's password; else why not, in words.

    Checked like a sign-in (signin.attempt: throttled, a failure counts as one), so that a
    session left open on a shared computer cannot be used to guess it.
    """
    wrong = _("Your password now is not right.")
    checked = signin.attempt(pupil().username, pupil(), current, wrong)
    return checked.message if checked.account is None else None


@blueprint.route("/password", methods=["GET", "POST"])
def password() -> str | Response:
    """Change the password while the pupil still knows it."""
    form = ChangePasswordForm()
    error = form_problem(form)
    if form.validate_on_submit():
        current = form.current.data or ""
        error = wrong_current_password(current)
        if error is None:
            error = save_new_password(pupil(), form, current=current)
            if error is None:
                # Whoever else knew the old password is signed out; this session stays.
                timeout = current_app.config["LEERID"]["tokens"]["backchannel_logout_timeout"]
                end_other_sessions(pupil(), interactions.current_login(), timeout)
                notices.password_changed(pupil(), notices.IN_PORTAL)
                flash(_("Your password is changed. Use the new one from now on."))
                return redirect(url_for("portal.home"))
    return render_template("portal/password.html", form=form, account=pupil(), error=error)


@blueprint.route("/email", methods=["GET", "POST"])
def email() -> str | Response:
    """Add (or change) the e-mail address, knowing the password; it counts once the pupil
    opened the link, and then the address it replaces hears of it (see recovery)."""
    form = EmailForm()
    error = form_problem(form)
    if form.validate_on_submit():
        address = form.email.data or ""
        error = wrong_current_password(form.current.data or "") or send_confirmation(address)
        if error is None:
            return render_template("portal/email_sent.html", email=address)
    return render_template("portal/email.html", form=form, account=pupil(), error=error)


def send_confirmation(address: str) -> str | None:
    """Mail a confirmation link for `address`; None once sent, else why not, in words."""
    settings = current_app.config["LEERID"]["mail"]
    try:
        link = request_confirmation(
            get_session(), pupil(), address, settings["confirmation_lifetime"]
        )
    except EmailLinkError:
        return _("You asked for many e-mails just now. Try again in an hour.")
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
    return None
