"""Response headers that every LeerID page carries (see SECURITY.md, "a web attacker")."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, g

# No inline script anywhere; nobody may frame the login pages (clickjacking).
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action {targets}; frame-ancestors 'none'"
)
_TARGETS = "leerid_form_targets"


def origin(uri: str) -> str:
    """The origin (scheme://host[:port]) of an absolute URI, as CSP source expressions name it."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """The pages' policy; forms may post to LeerID and lead on to `form_targets` (origins)."""
    return _POLICY.format(targets=" ".join(["'self'", *sorted(set(form_targets))]))


def allow_form_target(uri: str) -> None:
    """Let this page's forms lead on to the origin of `uri`, a verified redirect URI.

    Chromium applies form-action to every redirect that follows a form's POST: the password
    step posts to LeerID, which redirects to /authorize and from there to the app. Without
    the app's origin here, the pupil would stay on the password step (CSP Level 3, §6.3.1).
    """
    g.setdefault(_TARGETS, set()).add(origin(uri))


def init_app(app: Flask) -> None:
    """Add the headers to every response."""

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(g.get(_TARGETS, ()))
        )
        if response.mimetype == "text/html":
            # Pages hold a pupil's name and data and the forms' tokens: on a shared
            # classroom tablet, Back after "Afmelden" must not show the last pupil's page
            # from the cache (no-store also keeps it out of the back-forward cache).
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # The sign-in page may use the camera to scan a card; nothing else may.
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), microphone=(), geolocation=()"
        )
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
