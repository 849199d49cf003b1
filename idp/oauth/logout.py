"""Logout: RP-initiated logout 1.0 and back-channel logout 1.0 (logout tokens to apps)."""

from __future__ import annotations

import logging
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc import jwt
from sqlalchemy import or_

from ..db import get_session
from ..hashing import new_secret
from ..models import Account, Client, LoginSession, Token
from ..services.sso import end_login_session, open_sessions
from .grants import revoke_tokens
from .openid import issuer, key_ring
from .subjects import pairwise_subject

log = logging.getLogger(__name__)
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def logout_token(client: Client, login: LoginSession, account: Account) -> str:
    """A signed logout token (Back-Channel Logout 1.0 §2.4); never carries a nonce."""
    key = key_ring().signing_key(client.id_token_signed_response_alg)
    now = int(time.time())
    claims = {
        "iss": issuer(),
        "aud": client.client_id,
        "iat": now,
        "exp": now + 120,
        "jti": new_secret(16),
        "sub": pairwise_subject(client.sector_identifier, account.person),
        "sid": login.sid,
        "events": {BACKCHANNEL_EVENT: {}},
    }
    header = {"alg": key.alg, "kid": key.kid, "typ": "logout+jwt"}
    return jwt.encode(header, claims, key.key, algorithms=[key.alg])


def _post(uri: str, token: str, timeout: float) -> tuple[str, int | str]:
    body = urllib.parse.urlencode({"logout_token": token}).encode()
    request = urllib.request.Request(  # noqa: S310 - registered https (or loopback) URI
        uri, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return uri, response.status
    except OSError as error:
        # §2.8: the OP cannot make the RP log out; it reports and moves on.
        return uri, str(error)


def notify_apps(login: LoginSession, clients: list[Client], timeout: float) -> dict[str, Any]:
    """Send logout tokens to every app of the session that registered an endpoint."""
    targets = [
        (c.backchannel_logout_uri, logout_token(c, login, login.account))
        for c in clients
        if c.backchannel_logout_uri
    ]
    if not targets:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
        futures = [pool.submit(_post, uri, token, timeout) for uri, token in targets if uri]
        results = dict(future.result() for future in futures)
    for uri, outcome in results.items():
        if outcome != 200:
            log.warning("back-channel logout to %s: %s", uri, outcome)
    return results


def end_session_everywhere(login: LoginSession, timeout: float) -> dict[str, Any]:
    """End the SSO session, revoke every token issued in it, and tell its apps (Back-Channel
    Logout 1.0 §2.7: LeerID issues no offline_access, so no token outlives its session);
    returns the delivery results. Commits."""
    clients = end_login_session(get_session(), login)
    revoke_tokens(Token.login_session_id == login.id)
    return notify_apps(login, clients, timeout)


def end_other_sessions(account: Account, keep: LoginSession | None, timeout: float) -> None:
    """After a new password: end every SSO session of the account but `keep` (the one that
    changed it, if any) and revoke every token not issued in `keep`. Commits."""
    for login in open_sessions(get_session(), account):
        if keep is None or login.id != keep.id:
            end_session_everywhere(login, timeout)
    outside_keep = (
        or_(Token.login_session_id.is_(None), Token.login_session_id != keep.id)
        if keep is not None
        else True
    )
    revoke_tokens(Token.account_id == account.id, outside_keep)


class EndSession(EndSessionEndpoint):
    """The end_session_endpoint (RP-Initiated Logout 1.0 §2)."""

    def get_server_jwks(self) -> dict[str, Any]:
        return key_ring().jwks()

    def end_session(self, end_session_request: Any) -> None:
        """Nothing here: the view ends the session it identified (see idp.views.logout)."""

    def is_post_logout_redirect_uri_legitimate(
        self, request: Any, post_logout_redirect_uri: str, client: Any, logout_hint: Any
    ) -> bool:
        """§3: without an id_token_hint, a `client_id` and one of its registered
        post-logout URIs (exactly) are enough, because the pupil confirms the logout first
        (idp.views.logout) and the URI belongs to that app."""
        return True
