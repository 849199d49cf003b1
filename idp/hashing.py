"""Random secrets and their stored form: SHA-256, for long random values only.

Passwords chosen or remembered by people go through Argon2id (idp.passwords) instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random value with `nbytes` bytes of entropy (32 bytes = 256 bits)."""
    return secrets.token_urlsafe(nbytes)


def secret_hash(value: str) -> str:
    """The stored form of a random secret: hex SHA-256."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def matches_hash(value: str, stored_hash: str) -> bool:
    """Compare a presented secret with its stored hash in constant time."""
    return hmac.compare_digest(secret_hash(value), stored_hash)
