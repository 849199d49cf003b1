"""Pages for faults the pupil cannot fix: said kindly, logged for the operator."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError
from werkzeug.exceptions import (
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)

log = logging.getLogger(__name__)

# Another part of the site under its own path (the Schoolloket) may give its own pages
# for these faults: {path prefix: {"not_found" | "form_expired" | "too_large" |
# "server_error" | "unreadable": template}}, filled by that part when it is registered,
# so that idp never imports it.
ERROR_PAGES = "leerid.error_pages"


def page_for(kind: str) -> str:
    """The template of the page for a fault of `kind` (see ERROR_PAGES) at this request's
    path: that part's own, else the pupils' `{kind}.html`."""
    for prefix, pages in current_app.extensions.get(ERROR_PAGES, {}).items():
        if request.path.startswith(prefix) and kind in pages:
            page: str = pages[kind]
            return page
    return f"{kind}.html"


def _counters_unreachable(error: RedisError) -> tuple[str, int]:
    # Without the shared counters no sign-in can be throttled, and weak passwords are safe
    # only behind throttling: refuse (fail closed) rather than let guesses through.
    log.error("throttling counters unreachable, sign-ins refused: %s", error)
    return render_template("unavailable.html"), 503


def _form_expired(error: CSRFError) -> tuple[str, int]:
    # Flask-WTF refuses a form whose token is missing or old before the view runs (a page
    # left open for hours, cookies cleared since): a way back instead of Werkzeug's bare
    # English 400. Back to the same route, built from it, never from the raw path.
    log.info("form refused: %s", error.description)
    again = url_for(request.endpoint, **(request.view_args or {})) if request.endpoint else "/"
    return render_template(page_for("form_expired"), again=again), 400


def _not_found(error: NotFound | MethodNotAllowed) -> tuple[str, int, dict[str, str]]:
    # A mistyped address (a card's, in capitals or with a slash too many) or a page opened
    # the wrong way: LeerID's own page in the pupil's language, not Werkzeug's English one.
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return render_template(page_for("not_found"), error=error), error.code or 404, headers


def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    # A body over the path's limit (idp.input_guard): refused before it was read, said as
    # a page, never echoed.
    return render_template(page_for("too_large")), 413


def _server_error(error: InternalServerError) -> tuple[str, int]:
    # A fault of ours: logged with its traceback for the operator (Flask has logged it),
    # and said kindly, in the reader's language, without any detail an attacker could use.
    log.error("server error on %s %s", request.method, request.path)
    return render_template(page_for("server_error")), 500


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.register_error_handler(RedisError, _counters_unreachable)
    app.register_error_handler(CSRFError, _form_expired)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(MethodNotAllowed, _not_found)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(InternalServerError, _server_error)
