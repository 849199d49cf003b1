"""The plain sign-in page for accounts with a password."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..db import get_session
from ..services.authentication import authenticate_password
from . import interaction

blueprint = Blueprint("login", __name__)


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Sign in"))


@blueprint.route("/login", methods=["GET", "POST"])
def form() -> str | Response:
    """Ask for username and password; on success continue the waiting app request."""
    login_form = LoginForm()
    pending = request.args.get("interaction")
    if request.method == "GET" and request.args.get("login_hint"):
        login_form.username.data = request.args["login_hint"]
    error = None
    if login_form.validate_on_submit():
        session = get_session()
        account = authenticate_password(session, login_form.username.data, login_form.password.data)
        if account is not None:
            target = interaction.finish_login(account, pending, amr=["pwd"])
            session.commit()
            return redirect(target)
        error = _("That username or password is not right. Try again.")
    return render_template("login.html", form=login_form, error=error)
