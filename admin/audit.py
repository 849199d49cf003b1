"""The audit page: who did what, when, to which pupils."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request

from idp.db import get_session
from idp.services import audit
from idp.services.audit import AuditFilter

from . import blueprint, state


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


@blueprint.route("/audit")
def audit_page() -> str:
    """The newest events, filtered by the query string (van, tot, actie, leerling)."""
    args = request.args
    pupil = args.get("pupil", "")
    wanted = AuditFilter(
        day_from=_day(args.get("from", "")),
        day_to=_day(args.get("to", "")),
        action=args.get("action", "")[:80],
        enrollment_id=int(pupil)
        if pupil.isascii() and pupil.isdigit() and len(pupil) < 10
        else None,
        stamnummer=args.get("stamnummer", "").strip()[:20],
    )
    # A date that cannot be read (typed by hand in a browser without a date picker, or
    # an edited address) is said, not silently left out of the filter.
    unreadable = [
        name for name in ("from", "to") if args.get(name, "") and _day(args[name]) is None
    ]
    session = get_session()
    return render_template(
        "schoolloket/audit.html",
        events=audit.events(session, state.scope(), wanted),
        actions=audit.actions(session, state.scope()),
        wanted=wanted,
        limit=audit.PAGE_SIZE,
        unreadable=unreadable,
    )
