"""CSRF protection for the sign-in steps, bound to the interaction instead of the session.

Flask-WTF keeps its CSRF secret in the session cookie, and a fresh browser that opens two
sign-ins at once gets two session cookies of which the last one wins: the other tab's form
then fails ("The CSRF tokens do not match"). The sign-in steps therefore use a token derived
from the interaction's own cookie: HMAC(app key, interaction key | browser hash). Only the
browser holding that cookie can have seen the token, and a forged form from another site
neither knows the token nor (SameSite=Lax) sends the cookie with its POST.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.csrf.core import CSRF
from wtforms.fields import Field
from wtforms.validators import ValidationError

from ..models import Interaction
from .store import browser_secret

_INFO = b"leerid.interaction-csrf"


def csrf_token(interaction: Interaction) -> str:
    """The token the sign-in forms of this interaction carry (hex, 64 characters)."""
    secret = current_app.config["SECRET_KEY"]
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    key = hmac.new(raw, _INFO, hashlib.sha256).digest()
    message = f"{interaction.key}\0{interaction.browser_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class InteractionCSRF(CSRF):
    """WTForms' CSRF hook: the token of the form's interaction (its `csrf_context`)."""

    interaction: Interaction | None = None

    def setup_form(self, form: Form) -> Any:
        """Remember the interaction the form belongs to."""
        self.interaction = form.meta.csrf_context
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field: Field) -> str:
        """The token to render; empty without an interaction (such a form never validates)."""
        return csrf_token(self.interaction) if self.interaction is not None else ""

    def validate_csrf_token(self, form: Form, field: Field) -> None:
        """Refuse a form without this browser's cookie for the interaction, or another token."""
        interaction = self.interaction
        if interaction is None or browser_secret(interaction) is None:
            raise ValidationError(_l("The sign-in has expired."))
        # As bytes: compare_digest refuses str with non-ASCII characters (a forged token).
        presented = str(field.data or "").encode("utf-8")
        if not hmac.compare_digest(presented, csrf_token(interaction).encode("ascii")):
            raise ValidationError(_l("The CSRF token is invalid."))


class InteractionForm(FlaskForm):
    """A form of a sign-in step: `InteractionForm(interaction)`."""

    class Meta:
        csrf_class = InteractionCSRF

    def __init__(self, interaction: Interaction | None, **kwargs: Any) -> None:
        super().__init__(meta={"csrf_context": interaction}, **kwargs)
