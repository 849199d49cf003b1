"""Back-Channel Logout 1.0 on the app's side: verify LeerID's logout token (§2.6) and
remember which LeerID sessions (`sid`) have ended."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet, KeySetSerialization

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
ALGORITHMS = ("RS256", "ES256")
LEEWAY = 120  # seconds of clock skew tolerated on iat and exp


class LogoutTokenError(ValueError):
    """A logout token that must be refused; the message says why."""


def verify_logout_token(
    token: str, jwks: Callable[[bool], KeySetSerialization], issuer: str, client_id: str
) -> dict[str, Any]:
    """The logout token's claims, once its signature and claims are valid (§2.6)."""
    try:
        decoded = jwt.decode(token, KeySet.import_key_set(jwks(False)), algorithms=ALGORITHMS)
    except InvalidKeyIdError:
        # A key we have not seen yet: LeerID rotated its keys since we fetched them.
        decoded = jwt.decode(token, KeySet.import_key_set(jwks(True)), algorithms=ALGORITHMS)
    # Explicit typing (§2.4) keeps an ID token from passing for a logout token.
    if decoded.header.get("typ", "logout+jwt") != "logout+jwt":
        raise LogoutTokenError("typ must be logout+jwt")
    claims: dict[str, Any] = decoded.claims
    jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        iat={"essential": True},
        jti={"essential": True},
    ).validate(claims)
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
        raise LogoutTokenError("events must contain the back-channel logout event")
    if "nonce" in claims:
        raise LogoutTokenError("a logout token must not contain a nonce")
    # §2.4 allows sub without sid; this app keeps sessions by sid, as LeerID always sends.
    if not isinstance(claims.get("sid"), str) or not claims["sid"]:
        raise LogoutTokenError("sid is required")
    return claims


class EndedSessions:
    """The LeerID sessions (sids) that ended, in this process's memory only.

    Enough for a demo served by one process. A real app keeps them where all its
    instances see them (or deletes its server-side sessions by sid) and lets them expire.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._sids: OrderedDict[str, None] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def end(self, sid: str) -> None:
        """Remember that LeerID ended `sid`; the oldest entries make room (bounded memory)."""
        with self._lock:
            self._sids[sid] = None
            while len(self._sids) > self._limit:
                self._sids.popitem(last=False)

    def __contains__(self, sid: object) -> bool:
        with self._lock:
            return sid in self._sids
