"""Signing in, step by step: the username, then the password (or the picture grid, see
views.pictures); and the own password an advanced pupil must choose at the first login."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..credentials.own import MAX_LENGTH, OwnPasswordError
from ..db import get_session
from ..models import Account, AccountStatus
from ..models.account import USERNAME_MAX_LENGTH
from ..services.authentication import find_account
from ..services.cards import card_url
from ..services.pupil_passwords import set_own_password
from . import interaction, signin
from .messages import refusal_message

blueprint = Blueprint("login", __name__)


class UsernameForm(FlaskForm):
    """Step 1: who are you?"""

    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=USERNAME_MAX_LENGTH)]
    )
    submit = SubmitField(_l("Next"))


class PasswordForm(FlaskForm):
    """Step 2 for accounts with a password or word password."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField(_l("Sign in"))


class NewPasswordForm(FlaskForm):
    """An own password, typed twice."""

    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirmation = PasswordField(_l("Type it again"), validators=[DataRequired()])
    submit = SubmitField(_l("Save and continue"))


def save_new_password(account: Account, form: FlaskForm, current: str | None) -> str | None:
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


def expired_message(form: FlaskForm) -> str | None:
    """A kind word when the form's CSRF token was missing or too old (page open too long)."""
    if form.is_submitted() and form.errors.get("csrf_token"):
        return _("This page was open for a long time. Please try again.")
    return None


@blueprint.route("/login", methods=["GET", "POST"])
def form() -> str | Response:
    """Step 1: the username; then on to the step that fits the account."""
    username_form = UsernameForm()
    if request.method == "GET":
        hint = request.args.get("login_hint") or signin.chosen_username()
        username_form.username.data = (hint or "")[:USERNAME_MAX_LENGTH]
    if username_form.validate_on_submit():
        username = username_form.username.data or ""
        signin.choose_username(username)
        account = find_account(get_session(), username)
        return redirect(signin.step_url(signin.step_for(account)))
    return render_template(
        "login.html",
        form=username_form,
        error=expired_message(username_form),
        # A scanned card leads here only when it is one of ours (static/scan.js).
        card_prefix=card_url(""),
        signed_in=_continuable(),
    )


def _continuable() -> Account | None:
    """The pupil of this browser's live session, who may go on to the waiting app."""
    login = interaction.current_login()
    if login is None or signin.interaction_key() is None:
        return None
    return login.account if login.account.status is AccountStatus.ACTIVE else None


@blueprint.post("/login/continue")
def resume() -> Response:
    """ "Yes, that is me": the waiting app gets the account of the live session."""
    key = signin.interaction_key()
    target = interaction.resume(key) if key and _continuable() else None
    return redirect(target or signin.step_url("login.form"))


@blueprint.get("/login/switch")
def switch() -> Response:
    """ "Not you?": forget the username and ask again."""
    signin.forget_username()
    return redirect(signin.step_url("login.form"))


@blueprint.route("/login/password", methods=["GET", "POST"])
def password() -> str | Response:
    """Step 2: the password, word password or temporary password."""
    username = signin.chosen_username()
    if username is None:
        return redirect(signin.step_url("login.form"))
    account = find_account(get_session(), username)
    if account is not None and signin.step_for(account) != "login.password":
        return redirect(signin.step_url(signin.step_for(account)))
    password_form = PasswordForm()
    error = expired_message(password_form)
    if password_form.validate_on_submit():
        wrong = _("That password is not right. Look at your card and try again.")
        result = signin.attempt(username, account, password_form.password.data or "", wrong)
        if result.account is not None:
            return signin.signed_in(result.account, amr=["pwd"])
        error = result.message
    # The same page for every kind of account and for unknown usernames (password.html).
    return render_template("password.html", form=password_form, username=username, error=error)


@blueprint.route("/login/new-password", methods=["GET", "POST"])
def new_password() -> str | Response:
    """The first sign-in of an advanced account: choose an own password, then continue."""
    account = signin.account_to_change()
    if account is None:
        return redirect(signin.step_url("login.form"))
    new_form = NewPasswordForm()
    error = expired_message(new_form)
    if new_form.validate_on_submit():
        error = save_new_password(account, new_form, current=None)
        if error is None:
            return signin.finish(account, amr=["pwd"])
    return render_template(
        "new_password.html", form=new_form, username=account.username, error=error
    )
