"""The picture password, step by step: one category per page, twelve big picture buttons.

It works without script: each tap posts the picks so far, sealed (encrypted and bound to
this purpose) in a hidden field, so that neither the page, the browser's history nor the
session cookie shows which pictures were chosen. The grid is the same for every pupil.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from flask import Blueprint, current_app, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from .. import interactions
from ..credentials.pictures import CATEGORIES, PICTURES, Category, picture_secret
from ..interactions import InteractionForm
from ..keystore import Secrets
from . import signin
from .login import expired, form_problem

blueprint = Blueprint("pictures", __name__)
PURPOSE = b"leerid picture picks"
# Picks older than this are dropped: a half-finished grid left on a shared tablet.
PICKS_LIFETIME = 600


class PicksForm(InteractionForm):
    """Only the CSRF token; the picks come from the pressed button and the sealed state."""


@dataclass(frozen=True)
class Picks:
    """The pictures chosen so far, for one username."""

    username: str
    ids: tuple[str, ...] = ()

    @property
    def category(self) -> Category:
        """The category of the next pick."""
        return CATEGORIES[len(self.ids)]


def _secrets() -> Secrets:
    secrets: Secrets = current_app.extensions["leerid.secrets"]
    return secrets


def seal(picks: Picks) -> str:
    """The picks as an opaque hidden-field value."""
    data = {"u": picks.username, "p": list(picks.ids), "t": int(time.time())}
    return _secrets().encrypt(json.dumps(data), purpose=PURPOSE)


def unseal(value: str, username: str) -> Picks:
    """The picks in a hidden field; none when missing, forged, stale or someone else's."""
    try:
        data = json.loads(_secrets().decrypt(value, purpose=PURPOSE))
    except ValueError:
        return Picks(username)
    fresh = time.time() - data.get("t", 0) < PICKS_LIFETIME
    ids = tuple(data.get("p", ()))
    if data.get("u") != username or not fresh or len(ids) >= len(CATEGORIES):
        return Picks(username)
    return Picks(username, ids)


def _next(picks: Picks) -> Picks:
    """Apply the pressed button: undo the last pick, or add one from the right category."""
    if request.form.get("undo"):
        return Picks(picks.username, picks.ids[:-1])
    chosen = PICTURES.get(request.form.get("pick", ""))
    if chosen is None or chosen.category != picks.category.id:
        return picks
    return Picks(picks.username, (*picks.ids, chosen.id))


@blueprint.route("/login/pictures", methods=["GET", "POST"])
def form() -> str | Response | tuple[str, int]:
    """Step 2 for picture passwords: eight categories, one picture from each."""
    interaction, account = interactions.current_with_account()
    if interaction is None:
        return expired()
    username = interaction.username
    if username is None:
        return redirect(signin.step_url("login.form", interaction))
    if request.method == "GET":
        step = signin.step_for(account)
        if step != "pictures.form":
            return redirect(signin.step_url(step, interaction))
    form = PicksForm(interaction)
    picks = Picks(username)
    valid = form.validate_on_submit()
    error = form_problem(form)
    if valid:
        picks = _next(unseal(request.form.get("state", ""), username))
        if len(picks.ids) == len(CATEGORIES):
            wrong = _("Those pictures are not right. Look at your card and start again.")
            result = signin.attempt(username, account, picture_secret(picks.ids), wrong)
            if result.account is not None:
                return signin.signed_in(result.account, ["pwd"], interaction)
            error, picks = result.message, Picks(username)
    return render_template(
        "pictures.html",
        form=form,
        username=username,
        category=picks.category,
        step=len(picks.ids) + 1,
        steps=len(CATEGORIES),
        state=seal(picks),
        error=error,
        interaction=interaction,
        # Only after a press of a key (pictures.js tells) does the first picture get the
        # focus: after a tap a focused picture would look chosen to a child.
        keyboard=request.form.get("keyboard") == "1",
    )
