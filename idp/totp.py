"""Time-based one-time passwords (RFC 6238) for the Schoolloket's second factor.

Six digits, HMAC-SHA1, 30-second steps: what every authenticator app (Google
Authenticator, Microsoft Authenticator, FreeOTP, 1Password...) accepts from an
`otpauth://` QR code. The computation is the `cryptography` package's.
"""

from __future__ import annotations

import base64
import os
import time
from urllib.parse import quote

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30
# RFC 6238 §5.2: accept the neighbouring steps for clocks a little off.
ALLOWED_DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 block the RFC recommends (RFC 4226 §4)


def new_secret() -> str:
    """A random secret as base32 without padding (32 characters), how apps type it."""
    return base64.b32encode(os.urandom(SECRET_BYTES)).decode("ascii").rstrip("=")


def _totp(secret: str) -> TOTP:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    # HMAC-SHA1 is what authenticator apps compute (RFC 6238); SHA-1's collisions do not
    # weaken an HMAC.
    digest = SHA1()  # noqa: S303
    return TOTP(base64.b32decode(padded), DIGITS, digest, STEP_SECONDS, enforce_key_length=False)


def code_at(secret: str, moment: float) -> str:
    """The code an authenticator app shows at `moment` (seconds since the epoch)."""
    return _totp(secret).generate(int(moment)).decode("ascii")


def matching_step(
    secret: str, code: str, after_step: int | None, now: float | None = None
) -> int | None:
    """The time step whose code `code` is, within the allowed drift of `now`, and later
    than `after_step` (the last step accepted, so that no code works twice); else None.

    `code` may contain spaces (apps show "123 456"); anything but 6 digits is None.
    """
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    moment = time.time() if now is None else now
    current = int(moment) // STEP_SECONDS
    totp = _totp(secret)
    for step in range(current - ALLOWED_DRIFT_STEPS, current + ALLOWED_DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue
        try:
            totp.verify(code.encode("ascii"), step * STEP_SECONDS)
        except InvalidToken:
            continue
        return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app reads from a QR code (Key URI
    Format, as Google Authenticator defines it)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    return (
        f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer, safe='')}"
        f"&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
    )
