"""LeerID: an OpenID Connect identity provider for pupils of compulsory education."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db, i18n, input_guard, oauth, routing, security_headers, throttle
from .config import load_settings
from .keystore import MissingKeysError, load_secrets
from .services.cards import check_printable
from .views import apps, cards, errors, home, login, logout, oidc, pictures, portal, recovery

csrf = CSRFProtect()


def create_app(config: Mapping[str, Mapping[str, Any]] | None = None) -> Flask:
    """Build the LeerID application; `config` overrides the file and the environment."""
    app = Flask(__name__)
    settings = load_settings(config)
    check_printable(settings["server"]["issuer"])
    app.config["LEERID"] = settings
    production = settings["server"]["environment"] == "production"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="leerid_session",
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    try:
        # Key material may not exist yet: `leerid init` builds the app before creating it.
        secrets = load_secrets(Path(settings["keys"]["directory"]))
        app.config["SECRET_KEY"] = secrets.session_secret
        app.extensions["leerid.secrets"] = secrets
    except MissingKeysError:
        pass
    proxies = settings["server"]["trusted_proxies"]
    if proxies:
        # The client's address and scheme as the trusted proxies saw them (throttling per IP).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    routing.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    security_headers.init_app(app)
    input_guard.init_app(app)
    csrf.init_app(app)
    oauth.init_app(app)
    throttle.init_app(app)
    errors.init_app(app)
    for module in (home, apps, portal, recovery):
        app.register_blueprint(module.blueprint)
    # The sign-in steps check their forms against the interaction's own CSRF token
    # (idp.interactions.csrf), which two tabs signing in at once cannot overwrite.
    for module in (login, pictures, cards):
        csrf.exempt(module.blueprint)
        app.register_blueprint(module.blueprint)
    # RP-initiated logout may arrive as a POST from the app; it checks its own form.
    csrf.exempt(logout.blueprint)
    app.register_blueprint(logout.blueprint)
    # The Schoolloket checks every form against its own cookie (admin.state), apart from
    # the pupils' session, as Flask's tutorial registers a blueprint.
    from admin import blueprint as schoolloket

    csrf.exempt(schoolloket)
    app.register_blueprint(schoolloket)
    # Protocol endpoints authenticate the client, not a browser session: no CSRF token.
    csrf.exempt(oidc.blueprint)
    app.register_blueprint(oidc.blueprint)
    return app
