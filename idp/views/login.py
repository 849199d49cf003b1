"""Signing in, step by step: the username, then the password (or the picture grid, see
views.pictures); the own password an advanced pupil must choose at the first login; "Ja,
ga verder" on a shared tablet; and what an app receives (prompt=consent).

Every step belongs to an interaction (idp.interactions), named by `?interaction=` in its
URL; its forms carry that interaction's CSRF token (InteractionForm).
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import AccessDeniedError
from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Form, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .. import interactions
from ..credentials.own import MAX_LENGTH, OwnPasswordError
from ..db import get_session
from ..i18n import preferred_language
from ..interactions import InteractionForm, Need
from ..models import Account, Interaction, LoginSession
from ..models.account import USERNAME_MAX_LENGTH
from ..oauth.claims import claims_of_scopes
from ..oauth.responses import authorization_error
from ..services.cards import SCANNED_TOKEN, card_url
from ..services.pupil_passwords import set_own_password
from . import signin
from .claim_labels import claim_labels
from .messages import refusal_message

blueprint = Blueprint("login", __name__)


class UsernameForm(InteractionForm):
    """Step 1: who are you?"""

    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=USERNAME_MAX_LENGTH)]
    )
    submit = SubmitField(_l("Next"))


class PasswordForm(InteractionForm):
    """Step 2 for accounts with a password or word password."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField(_l("Sign in"))


class ContinueForm(InteractionForm):
    """ "Yes, continue": the pupil of the live session is the one signing in."""

    submit = SubmitField(_l("Yes, continue"))


class ConsentForm(InteractionForm):
    """Go on to the app, or not."""

    allow = SubmitField(_l("Continue to the app"))
    deny = SubmitField(_l("Do not continue"))


class NewPasswordFields(Form):
    """An own password, typed twice (the first sign-in and the reset link share them)."""

    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirmation = PasswordField(_l("Type it again"), validators=[DataRequired()])
    submit = SubmitField(_l("Save and continue"))


class NewPasswordForm(FlaskForm, NewPasswordFields):
    """The new password of a reset link (no interaction: the session's CSRF token)."""


class FirstPasswordForm(InteractionForm, NewPasswordFields):
    """The own password an advanced pupil chooses at the first sign-in."""


def save_new_password(account: Account, form: Form, current: str | None) -> str | None:
    """Store the password typed twice in the form's `password` and `confirmation` fields;
    returns why it was refused, in words, or None once stored (the caller commits)."""
    try:
        set_own_password(
            get_session(),
            account,
            form.password.data or "",
            form.confirmation.data or "",
            current=current,
        )
    except OwnPasswordError as refused:
        get_session().rollback()
        return refusal_message(refused.reason)
    return None


def form_problem(form: FlaskForm, empty: str | None = None) -> str | None:
    """A kind word for a validated form that came back unusable: its CSRF token missing or
    too old (the page was open too long), or, with `empty` to say, a field left blank."""
    if not form.is_submitted() or not form.errors:
        return None
    if form.errors.get("csrf_token"):
        return _("This page was open for a long time. Please try again.")
    return empty


def expired() -> tuple[str, int]:
    """The page for a sign-in that is gone: too old, finished, or from another browser."""
    return render_template("interaction_expired.html"), 400


@blueprint.route("/login", methods=["GET", "POST"])
def form() -> str | Response | tuple[str, int]:
    """Step 1: the username; then on to the step that fits the account."""
    typed = request.form.get("username", "") if request.method == "POST" else ""
    # A posted username's account is read with the interaction, in one query.
    interaction, account = (
        interactions.current_with_account(typed) if typed else (interactions.current(), None)
    )
    if interaction is None:
        if "interaction" in request.args or request.method == "POST":
            return expired()
        # A sign-in for the Leerlingloket: an interaction without an app's request.
        interaction = interactions.park(None, None)
        get_session().commit()
        language = request.args.get("lang")
        return redirect(
            signin.step_url("login.form", interaction, lang=preferred_language(language or ""))
        )
    username_form = UsernameForm(interaction)
    if request.method == "GET":
        hint = interaction.parameter("login_hint") or interaction.username
        username_form.username.data = (hint or "")[:USERNAME_MAX_LENGTH]
    if username_form.validate_on_submit():
        username = username_form.username.data or ""
        interactions.ephemeral(get_session())
        signin.choose_username(interaction, username)
        get_session().commit()
        return redirect(signin.step_url(signin.step_for(account), interaction))
    signed_in = _continuable(interaction)
    return render_template(
        "login.html",
        form=username_form,
        continue_form=ContinueForm(interaction) if signed_in else None,
        interaction=interaction,
        error=form_problem(username_form, _("Type your username as it is on your card.")),
        # A scanned card leads here only when it is one of ours (static/scan.js).
        card_prefix=card_url(""),
        card_token=SCANNED_TOKEN.pattern,
        signed_in=signed_in.account if signed_in else None,
    )


def _continuable(interaction: Interaction) -> LoginSession | None:
    """The live session whose pupil may go on to the waiting app without their secret:
    never when the app asked for a fresh sign-in (prompt=login, max_age)."""
    login = interactions.current_login()
    if login is None or interaction.request is None or interaction.client is None:
        return None
    data = dict(interaction.parameters())
    try:
        step = interactions.next_step(data, login, None, interaction.client)
    except OAuth2Error:
        return None
    return None if step is Need.SIGN_IN else login


@blueprint.post("/login/continue")
def resume() -> Response | tuple[str, int]:
    """ "Yes, that is me": the waiting app gets the account of the live session."""
    interaction = interactions.current()
    if interaction is None:
        return expired()
    login = _continuable(interaction)
    if ContinueForm(interaction).validate_on_submit() and login is not None:
        interactions.confirm(interaction, login)
        return signin.answer_app(interaction)
    return redirect(signin.step_url("login.form", interaction))


@blueprint.get("/login/switch")
def switch() -> Response | tuple[str, int]:
    """ "Not you?": forget the username and ask again."""
    interaction = interactions.current()
    if interaction is None:
        return expired()
    signin.forget_username(interaction)
    get_session().commit()
    return redirect(signin.step_url("login.form", interaction))


@blueprint.route("/login/password", methods=["GET", "POST"])
def password() -> str | Response | tuple[str, int]:
    """Step 2: the password, word password or temporary password."""
    interaction, account = interactions.current_with_account()
    if interaction is None:
        return expired()
    username = interaction.username
    if username is None:
        return redirect(signin.step_url("login.form", interaction))
    if account is not None and signin.step_for(account) != "login.password":
        return redirect(signin.step_url(signin.step_for(account), interaction))
    password_form = PasswordForm(interaction)
    if password_form.validate_on_submit():
        wrong = _("That password is not right. Look at your card and try again.")
        result = signin.attempt(username, account, password_form.password.data or "", wrong)
        if result.account is not None:
            return signin.signed_in(result.account, ["pwd"], interaction)
        error = result.message
    else:
        error = form_problem(password_form, _("Type your password."))
    # The same page for every kind of account and for unknown usernames (password.html).
    return render_template(
        "password.html",
        form=password_form,
        username=username,
        error=error,
        interaction=interaction,
    )


@blueprint.route("/login/new-password", methods=["GET", "POST"])
def new_password() -> str | Response | tuple[str, int]:
    """The first sign-in of an advanced account: choose an own password, then continue."""
    interaction = interactions.current()
    if interaction is None:
        return expired()
    account = signin.account_to_change(interaction)
    if account is None:
        return redirect(signin.step_url("login.form", interaction))
    new_form = FirstPasswordForm(interaction)
    if new_form.validate_on_submit():
        error = save_new_password(account, new_form, current=None)
        if error is None:
            return signin.finish(account, ["pwd"], interaction)
    else:
        error = form_problem(new_form, _("Type your new password twice."))
    return render_template(
        "new_password.html", form=new_form, username=account.username, error=error
    )


@blueprint.route("/login/consent", methods=["GET", "POST"])
def consent() -> str | Response | tuple[str, int]:
    """prompt=consent (Core §3.1.2.1): what the app will receive; go on, or not."""
    interaction = interactions.current()
    login = interactions.login_for(interaction)
    if interaction is None or interaction.client is None:
        return expired()
    if login is None:
        return redirect(signin.step_url("login.form", interaction))
    consent_form = ConsentForm(interaction)
    if consent_form.validate_on_submit():
        if consent_form.deny.data:
            return _denied(interaction)
        interaction.consented = True
        return signin.answer_app(interaction)
    client = interaction.client
    requested = str(interaction.parameter("scope") or "").split()
    scopes = set(client.get_allowed_scope(" ".join(requested)).split())
    claims = claims_of_scopes(scopes)
    return render_template(
        "consent.html",
        form=consent_form,
        client=client,
        labels=claim_labels(claims),
        account=login.account,
        error=form_problem(consent_form),
    )


def _denied(interaction: Interaction) -> Response | tuple[str, int]:
    """RFC 6749 §4.1.2.1: the pupil did not go on; the app hears `access_denied`."""
    data = dict(interaction.parameters())
    # The redirect URI was verified when the request was parked.
    error = AccessDeniedError(redirect_uri=data["redirect_uri"])
    error.state = data.get("state")
    interactions.end(interaction)
    get_session().commit()
    return authorization_error(error, data)
