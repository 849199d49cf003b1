"""OpenID Connect on top of the code grant: ID tokens (Core §2, §3.1.3.6) and userinfo (§5.3)."""

from __future__ import annotations

import time
from typing import Any

from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint
from flask import current_app, g
from sqlalchemy import exists, select

from ..db import get_session
from ..models import AuthorizationCode, ClaimRelease, Client, LoginSession, Token
from ..models.oauth import AuthorizedPupil
from ..signing_keys import KeyRing, SigningKey
from .claims import release_claims, sign_in_locale
from .subjects import pairwise_subject


def key_ring() -> KeyRing:
    """The process's signing keys."""
    ring: KeyRing = current_app.extensions["leerid.keyring"]
    return ring


def issuer() -> str:
    """The configured issuer identifier."""
    value: str = current_app.config["LEERID"]["server"]["issuer"]
    return value


def user_claims(pupil: AuthorizedPupil, scope: str, login: LoginSession | None) -> dict[str, Any]:
    """The claims released to the app for `scope` in the SSO session `login`, recorded for
    the pupil's overview."""
    account, client = pupil
    subject = pairwise_subject(client.sector_identifier, account.person)
    session = get_session()
    locale = sign_in_locale(login)
    claims = release_claims(session, account, client, set(scope.split()), subject, locale=locale)
    session.add(ClaimRelease(account_id=account.id, client_id=client.id, claims=sorted(claims)))
    return claims


class IDToken(OpenIDCode):
    """ID tokens signed with the client's algorithm (RS256 by default, or ES256)."""

    def _signing_key(self, client: Client) -> SigningKey:
        # The header's kid and the signature must come from the same key, even when a
        # rotation takes effect between the two calls: choose once per request.
        cached: SigningKey | None = g.get("id_token_key")
        if cached is None or cached.alg != client.id_token_signed_response_alg:
            cached = key_ring().signing_key(client.id_token_signed_response_alg)
            g.id_token_key = cached
        return cached

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        # A nonce seen before for this client is a replayed authentication request.
        statement = select(
            exists().where(
                AuthorizationCode.client_id == request.client.id,
                AuthorizationCode.nonce == nonce,
            )
        )
        return bool(get_session().scalar(statement))

    def get_client_algorithm(self, client: Client) -> str:
        return client.id_token_signed_response_alg

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        lifetime = current_app.config["LEERID"]["tokens"]["id_token_lifetime"]
        # A single audience, as a string (Core §2 allows both; logout resolves the client
        # from a string `aud`).
        return {"iss": issuer(), "aud": client.client_id, "exp": int(time.time()) + lifetime}

    def get_encode_header(self, client: Client) -> dict[str, str]:
        key = self._signing_key(client)
        return {"alg": key.alg, "kid": key.kid, "typ": "JWT"}

    def resolve_client_private_key(self, client: Client) -> Any:
        return self._signing_key(client).key

    def get_authorization_code_claims(self, authorization_code: AuthorizationCode) -> Any:
        claims = super().get_authorization_code_claims(authorization_code)
        if authorization_code.login_session is not None:
            claims["sid"] = authorization_code.login_session.sid
        return claims

    def encode_id_token(self, token: dict[str, Any], request: OAuth2Request) -> Any:
        # generate_user_info is given only the pupil; the sign-in (its language) is the
        # code's login session, handed over for this request.
        code: AuthorizationCode | None = request.authorization_code
        g.id_token_login = code.login_session if code is not None else None
        return super().encode_id_token(token, request)

    def generate_user_info(self, user: AuthorizedPupil, scope: str) -> UserInfo:
        return UserInfo(user_claims(user, scope, g.get("id_token_login")))


class UserInfoResponse(UserInfoEndpoint):
    """The userinfo endpoint: the same claims as the ID token, for the token's scope."""

    def generate_user_info(self, user: AuthorizedPupil, scope: str) -> UserInfo:
        # The bearer token the endpoint accepted (Authlib keeps it for the request); a
        # refreshed token keeps the login session of the sign-in.
        token: Token = current_token._get_current_object()
        login = None
        if token.login_session_id is not None:
            login = get_session().get(LoginSession, token.login_session_id)
        return UserInfo(user_claims(user, scope, login))

    def get_issuer(self) -> str:
        return issuer()
