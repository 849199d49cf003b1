"""Argon2id hashing of every secret (passwords, word and picture passwords), with the
parameters of the [passwords] configuration section.

Low-entropy secrets are only safe behind online throttling; Argon2id makes an offline
attack on a stolen database expensive. Login must take as long for an unknown username
as for a known one, so `verify_secret(None, text)` verifies against a dummy hash.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# Characters that survive a printed card, a child reading it aloud and a teacher typing it:
# no 0/O/o/Q, 1/l/I/i/j, 2/Z/z, 5/S/s, B (so 8 stays), and no letter whose capital looks
# the same (c k p u v w x y). 30 symbols: 8 of them carry about 39 bits.
READABLE_ALPHABET = "346789abdefghmnqrtADEFGHJLMNRT"


def random_secret(length: int, alphabet: str = READABLE_ALPHABET) -> str:
    """`length` characters drawn uniformly from `alphabet` by the operating system's CSPRNG."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass(frozen=True)
class Argon2Parameters:
    """Cost parameters of Argon2id: iterations, memory in KiB, lanes."""

    time_cost: int
    memory_cost: int
    parallelism: int

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> Argon2Parameters:
        """Read the parameters from a [passwords] configuration section."""
        return cls(
            time_cost=section["argon2_time_cost"],
            memory_cost=section["argon2_memory_cost"],
            parallelism=section["argon2_parallelism"],
        )


def current_parameters() -> Argon2Parameters:
    """The parameters configured for the current Flask app."""
    return Argon2Parameters.from_settings(current_app.config["LEERID"]["passwords"])


@functools.lru_cache(maxsize=8)
def _hasher(parameters: Argon2Parameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=parameters.time_cost,
        memory_cost=parameters.memory_cost,
        parallelism=parameters.parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


@functools.lru_cache(maxsize=8)
def _dummy_hash(parameters: Argon2Parameters) -> str:
    # A hash of a random secret nobody knows, made once per parameter set so that a
    # failed lookup costs one Argon2 verification with the same parameters as a real one.
    return _hasher(parameters).hash(secrets.token_urlsafe(32))


def hash_secret(text: str, parameters: Argon2Parameters | None = None) -> str:
    """Hash a secret with Argon2id and a random salt (PHC string, `$argon2id$...`)."""
    return _hasher(parameters or current_parameters()).hash(text)


def verify_secret(
    password_hash: str | None, text: str, parameters: Argon2Parameters | None = None
) -> bool:
    """True when `text` matches; with no hash (unknown user) spend the same time, then False."""
    chosen = parameters or current_parameters()
    if password_hash is None:
        _verify(_dummy_hash(chosen), text, chosen)
        return False
    return _verify(password_hash, text, chosen)


def _verify(password_hash: str, text: str, parameters: Argon2Parameters) -> bool:
    try:
        # The hash carries its own parameters; ours only pick the hasher object.
        return _hasher(parameters).verify(password_hash, text)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, parameters: Argon2Parameters | None = None) -> bool:
    """True when the hash was made with other parameters (rehash it after a good login)."""
    try:
        return _hasher(parameters or current_parameters()).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
