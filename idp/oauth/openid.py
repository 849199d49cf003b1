"""OpenID Connect on top of the code grant: ID tokens (Core §2, §3.1.3.6) and userinfo (§5.3)."""

from __future__ import annotations

import time
from typing import Any, cast

from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint
from flask import current_app, g
from sqlalchemy import String

from ..db import get_session
from ..models import AuthorizationCode, ClaimRelease, Client, LoginSession, Token
from ..models.oauth import AuthorizedPupil
from ..signing_keys import KeyRing, SigningKey
from .claims import release_claims, sign_in_locale
from .subjects import pairwise_subject

# The longest nonce a code can carry: its column's length.
NONCE_MAX_LENGTH = cast(String, AuthorizationCode.__table__.c.nonce.type).length or 0


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

    def validate_openid_authorization_request(self, grant: Any, redirect_uri: str) -> None:
        """A nonce fits where the code keeps it (NONCE_MAX_LENGTH characters) and holds no
        control characters; otherwise `invalid_request` to the app (Core §3.1.2.6)."""
        nonce = grant.request.payload.data.get("nonce") or ""
        if len(nonce) > NONCE_MAX_LENGTH or any(ord(c) < 0x20 or ord(c) == 0x7F for c in nonce):
            raise InvalidRequestError(
                f"'nonce' must be at most {NONCE_MAX_LENGTH} characters, without control ones",
                redirect_uri=redirect_uri,
            )
        super().validate_openid_authorization_request(grant, redirect_uri)

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        """Never "seen before": the nonce binds the ID token to the app's own session, and
        detecting its replay is the app's business (Core §15.5.2, §3.1.3.7 step 11). An app
        that retries an authentication request with the same nonce must get its tokens."""
        return False

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
