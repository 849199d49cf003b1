"""Messages shared by several pages, in words a pupil understands."""

from __future__ import annotations

import datetime as dt

from flask_babel import format_timedelta
from flask_babel import gettext as _

from ..credentials.own import MIN_LENGTH, Refusal


def refusal_message(reason: Refusal) -> str:
    """Why a chosen password was refused."""
    if reason is Refusal.TOO_SHORT:
        return _("Your password needs at least %(count)s characters.", count=MIN_LENGTH)
    if reason is Refusal.TOO_LONG:
        return _("That password is too long. Choose a shorter one.")
    if reason is Refusal.MISMATCH:
        return _("The two passwords are not the same. Type them again.")
    if reason is Refusal.UNCHANGED:
        return _("That is the password you have now. Choose a new one.")
    if reason is Refusal.CONTAINS_NAME:
        return _("Your password may not contain your name or your username.")
    return _(
        "Lots of people use that password, or it is easy to guess. "
        "Try a short sentence only you would think of."
    )


def duration(seconds: int) -> str:
    """A span of time in words: "30 seconden", "24 uur"."""
    return format_timedelta(dt.timedelta(seconds=seconds), threshold=1.1, add_direction=False)
