"""The OpenID provider: Authlib's authorization server with LeerID's grants and endpoints.

All protocol wiring is here; the routes are in idp.views.oidc, the login screens elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError, UnsupportedResponseTypeError
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from flask import Flask, current_app
from flask.wrappers import Response
from sqlalchemy import select

from ..db import get_session
from ..hashing import new_secret, secret_hash
from ..models import Client, Token, utcnow
from ..signing_keys import KeyRing, retention_seconds
from .bearer import AccessTokenValidator, BearerProtector
from .client_auth import ClientAuthenticator, PrivateKeyJWT
from .endpoints import Introspection, Revocation
from .errors import describable
from .grants import PKCE, AuthorizationCodeGrant, RefreshTokenGrant, new_family
from .logout import EndSession
from .openid import IDToken, UserInfoResponse

EXTENSION = "leerid.oauth"


# RFC 6749 Appendix A.1: client-id = *VSCHAR; ours are at most 64 long (Client.client_id).
_CLIENT_ID = re.compile(r"[\x20-\x7e]{1,64}")


def query_client(client_id: str) -> Client | None:
    """An enabled client by its public identifier; None for a value that cannot be one
    (which PostgreSQL would refuse to compare, e.g. with a NUL)."""
    if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
        return None
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


class Server(AuthorizationServer):
    """Authlib's server, with LeerID's client authentication and token request checks, and
    authorization requests that may come back from where they waited (idp.oauth.parked)."""

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        """An already built request (a ParkedRequest) as it is; else Flask's request."""
        if isinstance(request, OAuth2Request):
            return request
        return super().create_oauth2_request(request)

    def authenticate_client(self, request: Any, methods: Any, endpoint: str = "token") -> Client:
        """One method per request (see idp.oauth.client_auth), for every endpoint."""
        return ClientAuthenticator(self.query_client, PrivateKeyJWT())(request, methods, endpoint)

    def create_token_response(self, request: Any = None) -> Response:
        """RFC 6749 §3.2: the request's parameters appear once, and `grant_type` is required
        (§4.1.3, §6). Missing or repeated, that is `invalid_request` (§5.2), not
        `unsupported_grant_type`, which names a grant type we do not offer."""
        oauth_request = self.create_oauth2_request(request)
        form = oauth_request.form
        repeated = sorted(describable(name) for name, values in form.lists() if len(values) > 1)
        if repeated:
            error = InvalidRequestError(f"Parameters must not be repeated: {', '.join(repeated)}")
            return self.handle_error_response(oauth_request, error)
        if not form.get("grant_type"):
            error = InvalidRequestError("Missing 'grant_type'")
            return self.handle_error_response(oauth_request, error)
        response: Response = super().create_token_response(request)
        return response

    def get_authorization_grant(self, request: Any) -> Any:
        """Authlib's, but a response_type it cannot quote in its error is refused here."""
        response_type = request.payload.response_type or ""
        if describable(response_type) != response_type:
            # Never one we offer; without a description, nothing needs quoting.
            raise UnsupportedResponseTypeError(response_type)
        return super().get_authorization_grant(request)


def init_app(app: Flask) -> None:
    """Build the authorization server and the key ring for this app."""
    settings = app.config["LEERID"]
    retention = retention_seconds(settings["tokens"])
    app.extensions["leerid.keyring"] = KeyRing(Path(settings["keys"]["directory"]), retention)
    server = Server(app, query_client=query_client, save_token=save_token)
    server.register_token_generator("default", _token_generator(app))
    server.register_grant(
        AuthorizationCodeGrant, [PKCE(required=True), IDToken(require_nonce=False)]
    )
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    server.register_endpoint(EndSession)
    protector = BearerProtector()
    protector.register_token_validator(AccessTokenValidator())
    server.register_endpoint(UserInfoResponse(resource_protector=protector))
    app.extensions[EXTENSION] = server


def get_server() -> AuthorizationServer:
    """The current app's authorization server."""
    server: AuthorizationServer = current_app.extensions[EXTENSION]
    return server
