"""The signed device cookie: which browser this is, and which accounts signed in on it.

Every browser gets a random device id with its first sign-in attempt, so that failures can
be charged to it (the throttle's per-device pace). A browser that signed in to an account
is trusted for it: it skips the account's shared delay and the paces (it keeps a streak of
its own). The cookie holds the device id and, per account, a short keyed hash of the
username and the device id with the time of its latest sign-in here, newest last. It is
signed (itsdangerous) with a key derived from the app's SECRET_KEY and a salt of its own; a
cookie that does not verify counts as no cookie. Whether the device is *proven* (exempt
from the IP pace) is not in the cookie but in the throttle's counters, which bound it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from flask import Request, after_this_request, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from ..services.authentication import normalise_username
from .extension import get_throttle

COOKIE_NAME = "leerid_device"
# Class tablets are shared by a whole class, and more when a school has a few for everyone.
MAX_ACCOUNTS = 50
_SALT = "leerid.device-cookie"
_ACCOUNT_HASH_INFO = b"leerid.device-cookie.account"
_DEVICE_ID_BYTES = 16
# 72 bits: no two of 50 accounts collide, and nobody can try names against the hash
# without the key.
_ACCOUNT_HASH_BYTES = 9

# Where a device id made during a request waits for the response (in the request's own
# environ, not in `g`, which an app context shared by several requests would carry over).
_NEW_DEVICE = "leerid.new_device"

Entry = tuple[str, int]


def trusted_device(request: Request, username: str) -> str | None:
    """The device id when the request's cookie is valid, unexpired and lists this username."""
    cookie = _read(request)
    if cookie is None:
        return None
    device, entries = cookie
    wanted = _account_hash(device, username)
    return device if any(account == wanted for account, _ in entries) else None


def current_device(request: Request) -> str:
    """This browser's device id: from its cookie, or a new one that the response gives it
    (unless the response sets the cookie itself, as remember_device does)."""
    cookie = _read(request)
    if cookie is not None:
        return cookie[0]
    device = request.environ.get(_NEW_DEVICE)
    if device is None:
        device = request.environ[_NEW_DEVICE] = secrets.token_urlsafe(_DEVICE_ID_BYTES)

        @after_this_request
        def give_cookie(response: Response) -> Response:
            prefix = COOKIE_NAME + "="
            if not any(h.startswith(prefix) for h in response.headers.getlist("Set-Cookie")):
                _set_cookie(response, device, [])
            return response

    return str(device)


def remember_device(response: Response, request: Request, username: str) -> None:
    """After a successful sign-in: add the username to the device cookie (newest last)."""
    device, entries = _read(request) or (current_device(request), [])
    account = _account_hash(device, username)
    kept = [entry for entry in entries if entry[0] != account]
    kept.append((account, int(get_throttle().clock())))
    _set_cookie(response, device, kept[-MAX_ACCOUNTS:])


def _set_cookie(response: Response, device: str, entries: list[Entry]) -> None:
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps({"d": device, "a": entries}),
        max_age=get_throttle().policy.device_lifetime,
        path="/",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def _read(request: Request) -> tuple[str, list[Entry]] | None:
    """The device id and its unexpired accounts, or None for a missing or invalid cookie."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return None
    try:
        payload = _serializer().loads(value)
    except BadSignature:
        return None
    parsed = _parse(payload)
    if parsed is None:
        return None
    throttle = get_throttle()
    # Each account expires on its own, so that an account that signed in on a class
    # tablet years ago does not stay trusted because others keep signing in there.
    oldest = throttle.clock() - throttle.policy.device_lifetime
    device, entries = parsed
    return device, [entry for entry in entries if entry[1] > oldest]


def _parse(payload: Any) -> tuple[str, list[Entry]] | None:
    """Check the payload's shape: a signed cookie of another version must not crash."""
    if not isinstance(payload, dict):
        return None
    device, entries = payload.get("d"), payload.get("a")
    if not isinstance(device, str) or not device or not isinstance(entries, list):
        return None
    parsed: list[Entry] = []
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 2):
            return None
        account, moment = entry
        if not isinstance(account, str) or not isinstance(moment, int):
            return None
        parsed.append((account, moment))
    return device, parsed


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _account_hash(device: str, username: str) -> str:
    # With the device id in it, the same account gives another hash on every device: two
    # cookies do not show that one pupil signed in on both.
    key = hmac.new(_secret_bytes(), _ACCOUNT_HASH_INFO, hashlib.sha256).digest()
    message = f"{device}\0{normalise_username(username)}".encode()
    digest = hmac.new(key, message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:_ACCOUNT_HASH_BYTES]).decode("ascii")


def _secret_bytes() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    return secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
