"""The QR card's address: it opens the pupil's own sign-in page with the username filled in.

A card never signs anyone in: the pupil still enters the (picture) password. Scanned from
the sign-in page of an app's request, the card keeps that request (`interaction`).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from .. import interactions
from ..db import get_session
from ..services.cards import find_account_by_card
from ..throttle import Source, current_device, get_throttle
from . import signin

blueprint = Blueprint("cards", __name__)


# Typed by hand: with Caps Lock on (/K/) or a slash at the end, it is still the card.
@blueprint.get("/k/<token>", strict_slashes=False)
@blueprint.get("/K/<token>", strict_slashes=False)
def card(token: str) -> tuple[str, int] | tuple[str, int, dict[str, str]] | Response:
    """Open the card's sign-in page, or say kindly that the card no longer works.

    Look-ups are throttled (idp.throttle): a browser that keeps trying cards
    that open nothing waits (429 with Retry-After, in seconds) before the next one.
    """
    throttle = get_throttle()
    source = Source(signin.client_ip(), current_device(request), trusted=False)
    verdict = throttle.check_card(source)
    if verdict.wait:
        message = signin.wait_message(verdict.wait, verdict.reason)
        page = render_template("card_invalid.html", wait=message)
        return page, 429, {"Retry-After": str(verdict.wait)}
    account = find_account_by_card(get_session(), token)
    if account is None:
        throttle.card_failed(source)
        return render_template("card_invalid.html"), 404
    throttle.card_found(source)
    # Scanned during an app's sign-in, or typed while an app waits in this browser, the
    # card continues that sign-in; otherwise it starts one for the Leerlingloket.
    interaction = (
        interactions.current() or interactions.waiting_in_browser() or interactions.park(None, None)
    )
    signin.choose_username(interaction, account.username)
    get_session().commit()
    return redirect(signin.step_url(signin.step_for(account), interaction))
