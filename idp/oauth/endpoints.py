"""Token endpoints besides /token: revocation (RFC 7009), introspection (RFC 7662), and the
bearer-token check that protects userinfo (RFC 6750)."""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from joserfc.jwk import KeySet
from sqlalchemy import or_, select

from ..db import get_session
from ..hashing import secret_hash
from ..models import Client, Token, utcnow
from ..services.remote_keys import fetch_jwks
from ..services.replay import remember_once
from .grants import revoke_tokens
from .openid import issuer
from .subjects import pairwise_subject


def find_token(value: str, hint: str | None = None) -> Token | None:
    """The token row for an access or refresh token value (the hint only orders the search)."""
    digest = secret_hash(value)
    if hint == "access_token":
        condition = Token.access_token_hash == digest
    elif hint == "refresh_token":
        condition = Token.refresh_token_hash == digest
    else:
        condition = or_(Token.access_token_hash == digest, Token.refresh_token_hash == digest)
    return get_session().scalars(select(Token).where(condition)).first()


class Revocation(RevocationEndpoint):
    """RFC 7009: revoking a refresh token ends its whole family (§2.1 "SHOULD")."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token: Token, request: Any) -> None:
        presented = secret_hash(request.form.get("token", ""))
        if presented == token.refresh_token_hash:
            revoke_tokens(Token.family == token.family)
        else:
            revoke_tokens(Token.id == token.id)


class Introspection(IntrospectionEndpoint):
    """RFC 7662, for the client the token was issued to."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return find_token(token_string, token_type_hint)

    def check_permission(self, token: Token, client: Client, request: Any) -> bool:
        return token.client_id == client.id

    def introspect_token(self, token: Token) -> dict[str, Any]:
        # A refresh token that was rotated or ran out is no longer active either.
        refresh_expired = token.refresh_expires_at is not None and (
            token.refresh_expires_at <= utcnow() or token.rotated_at is not None
        )
        if token.revoked_at is not None or (token.is_expired() and refresh_expired):
            return {"active": False}
        return {
            "active": True,
            "client_id": token.client.client_id,
            "token_type": "Bearer",
            "scope": token.scope,
            "sub": pairwise_subject(token.client.sector_identifier, token.account.person),
            "aud": token.client.client_id,
            "iss": issuer(),
            "exp": int(token.access_expires_at.timestamp()),
            "iat": int(token.issued_at.timestamp()),
            "auth_time": int(token.auth_time.timestamp()),
        }


class AccessTokenValidator(BearerTokenValidator):
    """Bearer access tokens for userinfo: looked up by hash, live, not revoked."""

    def authenticate_token(self, token_string: str) -> Token | None:
        digest = secret_hash(token_string)
        return get_session().scalars(select(Token).where(Token.access_token_hash == digest)).first()


class PrivateKeyJWT(JWTBearerClientAssertion):
    """Client authentication with a signed assertion (OIDC Core §9, RFC 7523 §2.2)."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def get_audiences(self) -> list[str]:
        # RFC 7523 §3: the token endpoint URL; OIDC clients also use the issuer itself.
        base = issuer()
        return [base, f"{base}/token", f"{base}/revoke", f"{base}/introspect"]

    def validate_jti(self, claims: Any, jti: str) -> bool:
        # One assertion, one use: the jti is remembered until the assertion expires.
        expires = int(claims.get("exp", 0))
        return remember_once(f"client-assertion:{claims['iss']}:{jti}", expires)

    def resolve_client_public_key(self, client: Client) -> KeySet:
        if client.jwks:
            return KeySet.import_key_set(client.jwks)  # type: ignore[arg-type]
        return KeySet.import_key_set(fetch_jwks(client.jwks_uri or ""))  # type: ignore[arg-type]
