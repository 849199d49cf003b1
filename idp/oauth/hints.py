"""The `id_token_hint` of an authorization request (OpenID Connect Core §3.1.2.1): an ID
token LeerID issued to this app earlier, naming the pupil the app expects."""

from __future__ import annotations

from authlib.oauth2.rfc6749.errors import InvalidRequestError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..capabilities import SIGNING_ALGORITHMS
from .openid import issuer, key_ring


def hinted_subject(hint: str | None, client_id: str) -> str | None:
    """The `sub` of the hint (pairwise, for this app), or None without a hint.

    Raises InvalidRequestError when the hint is not an ID token that LeerID signed for this
    app: another issuer, another audience, a bad signature, or a logout token. An expired
    hint is fine: it names who signed in, not a live credential.
    """
    if not hint:
        return None
    refused = InvalidRequestError("id_token_hint is not an ID token LeerID issued to this app")
    keys = KeySet.import_key_set(key_ring().jwks())  # type: ignore[arg-type]
    try:
        token = jwt.decode(hint, keys, list(SIGNING_ALGORITHMS))
    except (JoseError, ValueError):
        raise refused from None
    claims = token.claims
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    subject = claims.get("sub")
    if claims.get("iss") != issuer() or client_id not in audiences or "events" in claims:
        raise refused
    if not isinstance(subject, str):
        raise refused
    return subject
