"""Rekenrally: a tiny demo learning app that signs pupils in through LeerID (OpenID Connect).

It uses Authlib's Flask OAuth client with discovery, the code flow with PKCE (S256), state
and nonce, shows the claims it received, and supports RP-initiated and back-channel logout.
"""

from __future__ import annotations

import secrets
import threading
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, Response
from werkzeug.serving import BaseWSGIServer, make_server

from . import views
from .backchannel import EndedSessions
from .settings import Settings, settings_from_env

SCOPES = "openid profile school ov_leerling"
__all__ = ["Settings", "create_app", "settings_from_env", "start_server"]


def create_app(
    issuer: str,
    client_id: str,
    client_secret: str,
    app_url: str,
    *,
    response_mode: str = "form_post",
    secret_key: str | None = None,
) -> Flask:
    """Build the app; without `secret_key`, sessions last as long as the process."""
    settings = Settings(issuer, client_id, client_secret, app_url, response_mode)
    app = Flask(__name__)
    https = settings.app_url.startswith("https://")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_urlsafe(32),
        # LeerID on the same host sets its own cookie: ports do not separate cookies.
        SESSION_COOKIE_NAME="rekenrally_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=https,
        # A form_post callback is a cross-site POST in production (LeerID on another site),
        # which carries only SameSite=None cookies, and browsers want those Secure. On the
        # loopback LeerID and the app are the same site, so Lax is enough there.
        SESSION_COOKIE_SAMESITE="None" if https and response_mode == "form_post" else "Lax",
        REKENRALLY=settings,
    )
    oauth = OAuth(app)
    # Authlib treats http on 127.0.0.1/localhost as secure (RFC 8252 §7.3), so the demo
    # needs no AUTHLIB_INSECURE_TRANSPORT; the client checks no transport itself anyway.
    oauth.register(
        "leerid",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "default_timeout": 10,
        },
    )
    app.extensions[views.ENDED] = EndedSessions()
    app.register_blueprint(views.blueprint)
    _add_security_headers(app, settings.issuer)
    return app


def _add_security_headers(app: Flask, issuer: str) -> None:
    # The logout form posts here and is redirected on to LeerID: form-action must allow both.
    leerid = "{0.scheme}://{0.netloc}".format(urlsplit(issuer))
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"form-action 'self' {leerid}; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    )

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response


def start_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """Serve the app from a background thread (as `leerid demo` does); `shutdown()` stops it."""
    server = make_server(host, port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="rekenrally", daemon=True).start()
    return server
