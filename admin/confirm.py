"""A second step before an action that cannot be undone by a click: a new password, block
or deactivate a pupil's account; a new client secret, disable an application, deactivate
an administrator. A mis-click in a class list must not lock a pupil out mid-lesson.

Without script: the action's button posts to the action, which answers with a page that
says what will happen and posts the same form again with `confirmed=1`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import render_template, request

from .state import CSRF_FIELD

CONFIRMED = "confirmed"
# The fields an action's form carries besides its token (a pupil's credential type): a
# few, never a list to carry over.
_MAX_FIELDS = 5


def confirm_first(
    explain: Callable[..., tuple[str, str, str] | None], back: Callable[..., str]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the view only when its form was confirmed; else show the confirmation page.

    `explain(**view_args)` gives (question, what happens, button label), or None for an
    action that needs no confirmation, and may abort with 404 for what the administrator
    may not see; `back(**view_args)` gives the address of "Cancel". The view's own
    checks run after the confirmation, as before."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(**kwargs: Any) -> Any:
            if request.form.get(CONFIRMED) == "1":
                return view(**kwargs)
            explained = explain(**kwargs)
            if explained is None:
                return view(**kwargs)
            question, consequence, button = explained
            fields = [
                (name, value[:100])
                for name, value in request.form.items(multi=True)
                if name not in (CSRF_FIELD, CONFIRMED)
            ][:_MAX_FIELDS]
            page = render_template(
                "schoolloket/confirm.html",
                question=question,
                consequence=consequence,
                button=button,
                fields=fields,
                back=back(**kwargs),
            )
            return page, 200

        return guarded

    return decorate
