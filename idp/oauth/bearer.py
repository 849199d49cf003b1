"""Bearer access tokens at the userinfo endpoint (RFC 6750; OpenID Connect Core §5.3).

A token comes in the Authorization header (§2.1) or in a POST form body (§2.2), never both.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from flask import request as http_request
from sqlalchemy import select

from ..db import get_session
from ..hashing import secret_hash
from ..models import AccountStatus, Token

FORM = "application/x-www-form-urlencoded"


class BearerChallenge(OAuth2Error):
    """A refusal with a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3).

    Without `error` (the request carried no token at all) the challenge and the body hold
    no error code or other error information, as §3.1 asks; otherwise they carry it.
    """

    status_code = 401

    def get_body(self) -> list[tuple[str, Any]]:
        return super().get_body() if self.error else []

    def get_headers(self) -> list[tuple[str, str]]:
        challenge = "Bearer"
        if self.error:
            challenge += f' error="{self.error}"'
            if self.description:
                challenge += f', error_description="{self.description}"'
        return [*super().get_headers(), ("WWW-Authenticate", challenge)]


def bearer_invalid_request(description: str) -> BearerChallenge:
    """invalid_request at a protected resource: 400 with the challenge (RFC 6750 §3.1)."""
    return BearerChallenge(description, status_code=400, error="invalid_request")


def presented_bearer_token() -> str:
    """The access token of the current request, from the header or the form body.

    Raises BearerChallenge: 401 without an error when there is no token, invalid_request
    (400) for a token sent both ways (§2: "MUST NOT use more than one method"), twice, or
    an empty Bearer header.
    """
    header = http_request.headers.get("Authorization", "")
    scheme, _, credentials = header.strip().partition(" ")
    in_header = credentials.strip() if scheme.lower() == "bearer" else None
    if in_header == "":
        raise bearer_invalid_request("The Bearer header holds no token")
    in_body: list[str] = []
    if http_request.method == "POST" and http_request.mimetype == FORM:
        in_body = [value for value in http_request.form.getlist("access_token") if value]
    if len(in_body) > 1 or (in_header and in_body):
        raise bearer_invalid_request("Send the access token once, in the header or the body")
    token = in_header or (in_body[0] if in_body else None)
    if not token:
        raise BearerChallenge()
    return token


class BearerProtector(ResourceProtector):
    """Authlib's protector, reading the token from the header or the body (RFC 6750 §2)."""

    def parse_request_authorization(self, request: Any) -> tuple[Any, str]:
        return self.get_token_validator("bearer"), presented_bearer_token()


class AccessTokenValidator(BearerTokenValidator):
    """Live access tokens, looked up by hash, of a pupil whose account is active."""

    def authenticate_token(self, token_string: str) -> Token | None:
        digest = secret_hash(token_string)
        return get_session().scalars(select(Token).where(Token.access_token_hash == digest)).first()

    def validate_token(self, token: Token | None, scopes: Any, request: Any) -> None:
        super().validate_token(token, scopes, request)
        # Blocking or deactivating an account ends its access at once, not at token expiry.
        if token is not None and token.account.status != AccountStatus.ACTIVE:
            raise InvalidTokenError(realm=self.realm, extra_attributes=self.extra_attributes)
