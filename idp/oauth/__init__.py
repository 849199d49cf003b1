"""The OpenID provider: Authlib's authorization server with LeerID's grants and endpoints.

All protocol wiring is here; the routes are in idp.views.oidc, the login screens elsewhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from flask import Flask, current_app
from sqlalchemy import select

from ..db import get_session
from ..hashing import new_secret, secret_hash
from ..models import Client, Token, utcnow
from ..signing_keys import KeyRing
from .endpoints import AccessTokenValidator, Introspection, PrivateKeyJWT, Revocation
from .grants import PKCE, AuthorizationCodeGrant, RefreshTokenGrant, new_family
from .logout import EndSession
from .openid import IDToken, UserInfoResponse
from .parked import Server

EXTENSION = "leerid.oauth"
# Retired keys stay published this much longer than the tokens they signed (clock skew).
KEY_RETENTION_MARGIN = 300


def query_client(client_id: str) -> Client | None:
    """An enabled client by its public identifier."""
    return (
        get_session()
        .scalars(select(Client).where(Client.client_id == client_id, Client.disabled_at.is_(None)))
        .first()
    )


def save_token(token: dict[str, Any], request: Any) -> None:
    """Store a freshly issued token pair, hashed, linked to its code or refresh chain."""
    lifetimes = current_app.config["LEERID"]["tokens"]
    now = utcnow()
    if request.payload.grant_type == "refresh_token":
        parent: Token = request.refresh_token
        family, login_id, code_id, auth_time = (
            parent.family,
            parent.login_session_id,
            parent.authorization_code_id,
            parent.auth_time,
        )
    else:
        code = request.authorization_code
        family, login_id, code_id, auth_time = (
            new_family(),
            code.login_session_id,
            code.id,
            code.auth_time,
        )
    get_session().add(
        Token(
            access_token_hash=secret_hash(token["access_token"]),
            refresh_token_hash=secret_hash(token["refresh_token"])
            if "refresh_token" in token
            else None,
            family=family,
            client_id=request.client.id,
            account_id=request.user.account.id,
            login_session_id=login_id,
            authorization_code_id=code_id,
            scope=token["scope"],
            auth_time=auth_time,
            issued_at=now,
            access_expires_at=now + dt.timedelta(seconds=token["expires_in"]),
            refresh_expires_at=now + dt.timedelta(seconds=lifetimes["refresh_token_lifetime"]),
        )
    )


def _token_generator(app: Flask) -> BearerTokenGenerator:
    lifetime = app.config["LEERID"]["tokens"]["access_token_lifetime"]
    return BearerTokenGenerator(
        access_token_generator=lambda **_: new_secret(),
        refresh_token_generator=lambda **_: new_secret(),
        expires_generator=lambda client, grant_type: lifetime,
    )


def init_app(app: Flask) -> None:
    """Build the authorization server and the key ring for this app."""
    settings = app.config["LEERID"]
    retention = settings["tokens"]["id_token_lifetime"] + KEY_RETENTION_MARGIN
    app.extensions["leerid.keyring"] = KeyRing(Path(settings["keys"]["directory"]), retention)
    server = Server(app, query_client=query_client, save_token=save_token)
    server.register_token_generator("default", _token_generator(app))
    server.register_grant(
        AuthorizationCodeGrant, [PKCE(required=True), IDToken(require_nonce=False)]
    )
    server.register_grant(RefreshTokenGrant)
    server.register_client_auth_method(PrivateKeyJWT.CLIENT_AUTH_METHOD, PrivateKeyJWT())
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    server.register_endpoint(EndSession)
    protector = ResourceProtector()
    protector.register_token_validator(AccessTokenValidator())
    server.register_endpoint(UserInfoResponse(resource_protector=protector))
    app.extensions[EXTENSION] = server


def get_server() -> AuthorizationServer:
    """The current app's authorization server."""
    server: AuthorizationServer = current_app.extensions[EXTENSION]
    return server
