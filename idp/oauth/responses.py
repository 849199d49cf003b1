"""Authorization responses to the app: query string or form_post, always with `iss`.

An error is sent back to the app only when the client and its redirect URI were verified;
otherwise the pupil sees an error page and nobody is redirected (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from flask import redirect, render_template
from werkzeug.wrappers import Response

from ..security_headers import origin
from .openid import issuer

RESPONSE_MODES = ("query", "form_post")


def _send(redirect_uri: str, params: list[tuple[str, str]], mode: str) -> Response:
    # RFC 9207 §2: the issuer identifies itself in every authorization response.
    params = [*params, ("iss", issuer())]
    if mode == "form_post":
        page = render_template("form_post.html", action=redirect_uri, params=params)
        # werkzeug's Response defaults to text/plain: a browser would show the form as text.
        response = Response(page, mimetype="text/html")
        # The form posts to the app's origin, which our default policy would forbid.
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'self'; style-src 'self'; "
            f"form-action {origin(redirect_uri)}; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    return redirect(add_params_to_uri(redirect_uri, params), code=302)


def response_mode(data: Mapping[str, Any]) -> str:
    """The requested response mode; an unsupported one was refused before (idp.oauth.checks),
    and its error travels by the default, query."""
    mode = data.get("response_mode") or "query"
    return mode if mode in RESPONSE_MODES else "query"


def authorization_response(grant: Any, params: dict[str, str]) -> Response:
    """Deliver the code (and state) to the verified redirect URI."""
    data = grant.request.payload.data
    return _send(grant.redirect_uri, list(params.items()), response_mode(data))


def authorization_error(
    error: OAuth2Error, data: Mapping[str, Any] | None = None
) -> Response | tuple[str, int]:
    """Send the exact OAuth error to the app, or show it if the app could not be verified.

    `data` is the request's parameters (its response mode); `error.state` is echoed.
    """
    if not error.redirect_uri:
        # The description may quote the unverified redirect URI: never echo it to pupils.
        return render_template("oauth_error.html", error=error.error), 400
    params = [("error", error.error)]
    if error.description:
        params.append(("error_description", error.description))
    if error.state:
        params.append(("state", error.state))
    return _send(error.redirect_uri, params, response_mode(data or {}))
