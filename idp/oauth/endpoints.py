"""Token endpoints besides /token: revocation (RFC 7009) and introspection (RFC 7662).

Both find a token whatever its `token_type_hint`: the hint only orders the search (RFC 7009
§2.1, RFC 7662 §2.1), and a hint we do not know is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from sqlalchemy import or_, select

from ..capabilities import ENDPOINT_AUTH_METHODS
from ..db import get_session
from ..hashing import secret_hash
from ..models import AccountStatus, Client, Token, utcnow
from .grants import revoke_tokens
from .openid import issuer
from .subjects import pairwise_subject

ACCESS, REFRESH = "access_token", "refresh_token"


@dataclass(frozen=True)
class PresentedToken:
    """A token value a client presented: the row it was found in, and which of its two it is."""

    row: Token
    kind: str  # ACCESS or REFRESH

    def check_client(self, client: Client) -> bool:
        """Whether the token was issued to `client`."""
        return self.row.check_client(client)

    def is_active(self) -> bool:
        """Usable now: not revoked, not expired, not rotated, and the pupil's account active."""
        row, now = self.row, utcnow()
        if row.revoked_at is not None or row.account.status != AccountStatus.ACTIVE:
            return False
        if self.kind == ACCESS:
            return row.access_expires_at > now
        return (
            row.rotated_at is None
            and row.refresh_expires_at is not None
            and row.refresh_expires_at > now
        )


def find_token(value: str, hint: str | None = None) -> PresentedToken | None:
    """The access or refresh token with this value, searched for both kinds in one query;
    `hint` only decides which kind is taken first should both match."""
    if not value:
        return None
    digest = secret_hash(value)
    rows = get_session().scalars(
        select(Token).where(
            or_(Token.access_token_hash == digest, Token.refresh_token_hash == digest)
        )
    )
    found = {ACCESS if row.access_token_hash == digest else REFRESH: row for row in rows}
    order = (REFRESH, ACCESS) if hint == REFRESH else (ACCESS, REFRESH)
    return next((PresentedToken(found[kind], kind) for kind in order if kind in found), None)


def _token_parameter(request: Any) -> str:
    # RFC 7009 §2.1 and RFC 7662 §2.1: "token" is required, once (RFC 6749 §3.2); an empty
    # one counts as missing. Any token_type_hint is fine: it only orders the search.
    values = request.form.getlist("token")
    if len(values) != 1 or not values[0]:
        raise InvalidRequestError("Send the token as one 'token' parameter")
    token: str = values[0]
    return token


class Revocation(RevocationEndpoint):
    """RFC 7009. A refresh token ends with its whole family (§2.1 "SHOULD"); an access
    token ends alone, and the refresh token issued with it stays usable (§2.1 "MAY").

    `unsupported_token_type` is never answered: both token types can be revoked (§2.2.1).
    """

    CLIENT_AUTH_METHODS = list(ENDPOINT_AUTH_METHODS["revocation"])

    def check_params(self, request: Any, client: Client) -> None:
        _token_parameter(request)

    def query_token(self, token_string: str, token_type_hint: str | None) -> PresentedToken | None:
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token: PresentedToken, request: Any) -> None:
        if token.kind == REFRESH:
            revoke_tokens(Token.family == token.row.family)
        elif token.row.access_expires_at > utcnow():
            # The row also holds the refresh token: end the access token by its expiry.
            token.row.access_expires_at = utcnow()


class Introspection(IntrospectionEndpoint):
    """RFC 7662, for the client the token was issued to; anything else is inactive (§2.2)."""

    CLIENT_AUTH_METHODS = list(ENDPOINT_AUTH_METHODS["introspection"])

    def check_params(self, request: Any, client: Client) -> None:
        _token_parameter(request)

    def query_token(self, token_string: str, token_type_hint: str | None) -> PresentedToken | None:
        return find_token(token_string, token_type_hint)

    def check_permission(self, token: PresentedToken, client: Client, request: Any) -> bool:
        return token.check_client(client)

    def create_introspection_payload(self, token: PresentedToken | None) -> dict[str, Any]:
        if token is None or not token.is_active():
            return {"active": False}
        return self.introspect_token(token)

    def introspect_token(self, token: PresentedToken) -> dict[str, Any]:
        row = token.row
        expires = row.access_expires_at if token.kind == ACCESS else row.refresh_expires_at
        payload = {
            "active": True,
            "client_id": row.client.client_id,
            "scope": row.scope,
            "sub": pairwise_subject(row.client.sector_identifier, row.account.person),
            "aud": row.client.client_id,
            "iss": issuer(),
            "exp": int(expires.timestamp()) if expires else None,
            "iat": int(row.issued_at.timestamp()),
            "auth_time": int(row.auth_time.timestamp()),
        }
        if token.kind == ACCESS:
            payload["token_type"] = "Bearer"  # noqa: S105 - a token type, not a secret
        return payload
