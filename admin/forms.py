"""The Schoolloket's forms. CSRF is checked for every POST in admin.state (one place),
so the forms themselves only validate their fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from idp.credentials.own import MAX_LENGTH


def whole_number(text: str) -> int | None:
    """A query parameter's positive whole number (ASCII digits, at most nine), or None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


class AdminForm(FlaskForm):
    """A form whose CSRF token is the Schoolloket's own (admin.state.csrf_field)."""

    class Meta:
        csrf = False


class SignInForm(AdminForm):
    """Gebruikersnaam, Wachtwoord, Verificatiecode, Aanmelden (interface contract)."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    code = StringField(_l("Verification code"), validators=[Length(max=20)])
    submit = SubmitField(_l("Sign in"))


class NewPasswordForm(AdminForm):
    """The first sign-in replaces the one-time password."""

    current = PasswordField(
        _l("One-time password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    confirmation = PasswordField(
        _l("New password again"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField(_l("Save password"))


class EnrolForm(AdminForm):
    """The code the authenticator app shows after scanning the QR code."""

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Confirm"))
