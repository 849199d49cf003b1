"""The two grants LeerID offers: authorization code (with PKCE) and refresh token.

No implicit, hybrid, password or client-credentials grant is registered (RFC 9700 §2.1.2).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..capabilities import ENDPOINT_AUTH_METHODS
from ..db import get_session
from ..hashing import secret_hash
from ..models import Account, AccountStatus, AuthorizationCode, LoginSession, Token, utcnow
from ..models.oauth import AuthorizedPupil

TOKEN_AUTH_METHODS = list(ENDPOINT_AUTH_METHODS["token"])


@dataclass(frozen=True)
class GrantUser:
    """Who authorized: the account and the SSO session it was authenticated in."""

    account: Account
    login: LoginSession


def _lifetime(name: str) -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["LEERID"]["tokens"][name])


def revoke_tokens(*conditions: Any) -> None:
    """Revoke every live token matching the conditions, and commit at once.

    Called while a request is being refused: the refusal must not roll the revocation back.
    """
    session = get_session()
    session.execute(
        update(Token).where(Token.revoked_at.is_(None), *conditions).values(revoked_at=utcnow())
    )
    session.commit()


class PKCE(CodeChallenge):
    """RFC 7636 with S256 only, required for public clients (RFC 9700 §2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        payload = grant.request.payload.data
        if grant.request.client.is_public and not payload.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send 'code_challenge' (S256)")
        # RFC 7636 §4.3 makes "plain" the default method; we accept S256 only, said aloud.
        if payload.get("code_challenge") and payload.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be 'S256'")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """RFC 6749 §4.1 with single-use codes whose replay revokes what they issued."""

    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS

    @staticmethod
    def validate_authorization_redirect_uri(request: Any, client: Any) -> str:
        """The registered redirect URI of the request (Core §3.1.2.1: required).

        Authlib's own check quotes the URI in its error, which fails (a 500) for a URI with
        `"` or `\\`; this one names no URI, and the error page never shows it anyway.
        """
        uri: str | None = request.payload.redirect_uri
        if not uri:
            raise InvalidRequestError("Missing 'redirect_uri'", state=request.payload.state)
        if not client.check_redirect_uri(uri):
            raise InvalidRequestError("The 'redirect_uri' is not registered for this client")
        return uri

    def validate_requested_scope(self) -> None:
        # Scopes the client may not have are dropped (Client.get_allowed_scope); without
        # "openid" there is nothing left to do for an OpenID provider.
        allowed = self.request.client.get_allowed_scope(self.request.payload.scope)
        if "openid" not in allowed.split():
            raise InvalidScopeError("The 'openid' scope is required and must be allowed")

    def create_authorization_response(
        self, redirect_uri: str, grant_user: GrantUser
    ) -> dict[str, str]:
        """Issue the code; return the response parameters (idp.oauth.responses sends them)."""
        self.request.user = grant_user
        code = self.generate_authorization_code()
        self.save_authorization_code(code, self.request)
        params = {"code": code}
        if self.request.payload.state:
            params["state"] = self.request.payload.state
        return params

    def save_authorization_code(self, code: str, request: Any) -> None:
        user: GrantUser = request.user
        payload = request.payload.data
        get_session().add(
            AuthorizationCode(
                code_hash=secret_hash(code),
                client_id=request.client.id,
                account_id=user.account.id,
                login_session_id=user.login.id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                nonce=payload.get("nonce"),
                code_challenge=payload.get("code_challenge"),
                code_challenge_method=payload.get("code_challenge_method"),
                auth_time=user.login.auth_time,
                acr=user.login.acr,
                amr=user.login.amr,
                expires_at=utcnow() + _lifetime("authorization_code_lifetime"),
            )
        )

    def query_authorization_code(self, code: str, client: Any) -> AuthorizationCode | None:
        session = get_session()
        # With what the token response needs (the pupil for the claims, the session for
        # `sid`): one query instead of four on the busiest path of a school morning.
        query = (
            select(AuthorizationCode)
            .where(AuthorizationCode.code_hash == secret_hash(code))
            .options(
                joinedload(AuthorizationCode.account).joinedload(Account.person),
                joinedload(AuthorizationCode.login_session),
            )
        )
        found = session.scalars(query).first()
        # A code is bound to the client it was issued to (RFC 6749 §4.1.3).
        if found is None or found.client_id != client.id or found.expires_at <= utcnow():
            return None
        # Claim the code atomically: of two concurrent exchanges only one wins.
        claimed = session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.id == found.id, AuthorizationCode.used_at.is_(None))
            .values(used_at=utcnow())
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            # RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it.
            revoke_tokens(Token.authorization_code_id == found.id)
            return None
        return found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Nothing to do: the code was marked used when it was claimed."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> AuthorizedPupil:
        return AuthorizedPupil(authorization_code.account, authorization_code.client)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """RFC 6749 §6 with rotation; reuse of a rotated token revokes its family."""

    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        session = get_session()
        token = session.scalars(
            select(Token).where(Token.refresh_token_hash == secret_hash(refresh_token))
        ).first()
        # A blocked or deactivated pupil keeps no access through old refresh tokens:
        # invalid_grant (RFC 6749 §5.2), and the token is left as it is.
        if token is None or token.account.status != AccountStatus.ACTIVE:
            return None
        # Claim the token atomically: a second use, even a concurrent one, is a reuse.
        claimed = session.execute(
            update(Token)
            .where(Token.id == token.id, Token.rotated_at.is_(None))
            .values(rotated_at=utcnow())
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            # RFC 9700 §4.14.2: someone holds a copy of a used token; end the whole chain.
            revoke_tokens(Token.family == token.family)
            return None
        if token.revoked_at is not None:
            return None
        if token.refresh_expires_at is None or token.refresh_expires_at <= utcnow():
            return None
        return token

    def authenticate_user(self, refresh_token: Token) -> AuthorizedPupil:
        return refresh_token.get_user()

    def revoke_old_credential(self, refresh_token: Token) -> None:
        # Already marked rotated when claimed; its access token ends with it.
        refresh_token.revoked_at = utcnow()


def new_family() -> str:
    """A new refresh-token family identifier."""
    return str(uuid.uuid4())
