"""Token signing keys under keys/signing/: one private JWK per file, with its schedule.

Each file holds `created_at` and `not_before` (when it starts signing). Rotation publishes a
new key at once and signs with it only after a delay, so apps that cache the JWKS see it
before the first token; an old key stays published, and verifies our own ID tokens when an
app sends one back as `id_token_hint`, for `retention_seconds(...)` after it stopped signing
(OpenID Connect Core §10.1.1).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, Key, RSAKey, import_key

from .capabilities import SIGNING_ALGORITHMS as ALGORITHMS

SIGNING_DIR = "signing"
# Added to every retention: clock skew between us and the apps, and a recent session (below).
RETENTION_MARGIN = 300


def retention_seconds(tokens: Mapping[str, Any]) -> int:
    """How long (s) a key that stopped signing stays published and verifies our ID tokens.

    `tokens` is the `[tokens]` configuration section. An ID token lives
    `id_token_lifetime`, but an app sends it back as `id_token_hint` to log out of an SSO
    session, which may last up to `sso_session_lifetime` (or `..._basic`) after the token
    was issued; RP-Initiated Logout 1.0 §2 asks to accept such hints even when expired,
    for a current or recent session. The key must outlive the longest of these.
    """
    longest = max(
        tokens["id_token_lifetime"],
        tokens["sso_session_lifetime"],
        tokens["sso_session_lifetime_basic"],
    )
    return int(longest) + RETENTION_MARGIN


@dataclass(frozen=True)
class SigningKey:
    """A private key with its algorithm and the moment it starts signing."""

    kid: str
    alg: str
    created_at: int
    not_before: int
    key: Key
    path: Path

    def public_jwk(self) -> dict[str, Any]:
        """The public half, as published in the JWKS."""
        return dict(self.key.as_dict(private=False))


def generate_signing_key(keys_directory: Path, alg: str, not_before: int = 0) -> Path:
    """Write a new key for `alg` that signs from `not_before` (a Unix time) on."""
    directory = keys_directory / SIGNING_DIR
    directory.mkdir(parents=True, exist_ok=True)
    kid = f"{time.strftime('%Y%m%d')}-{alg.lower()}-{secrets.token_hex(4)}"
    parameters: Any = {"kid": kid, "alg": alg, "use": "sig"}
    key: Key
    if alg == "RS256":
        key = RSAKey.generate_key(2048, parameters=parameters)
    elif alg == "ES256":
        key = ECKey.generate_key("P-256", parameters=parameters)
    else:
        raise ValueError(f"unsupported signing algorithm {alg}")
    record = {
        "created_at": int(time.time()),
        "not_before": not_before,
        "jwk": key.as_dict(private=True),
    }
    path = directory / f"{kid}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(record, handle, indent=2)
    return path


def ensure_signing_keys(keys_directory: Path) -> list[Path]:
    """Create a first key for each algorithm that has none; return the files created."""
    present = {key.alg for key in load_signing_keys(keys_directory)}
    return [generate_signing_key(keys_directory, alg) for alg in ALGORITHMS if alg not in present]


def load_signing_keys(keys_directory: Path) -> list[SigningKey]:
    """Every key file, oldest schedule first."""
    keys = []
    for path in sorted((keys_directory / SIGNING_DIR).glob("*.json")):
        record = json.loads(path.read_text())
        key = import_key(record["jwk"])
        keys.append(
            SigningKey(
                kid=str(key.kid),
                alg=str(record["jwk"]["alg"]),
                created_at=int(record["created_at"]),
                not_before=int(record["not_before"]),
                key=key,
                path=path,
            )
        )
    return sorted(keys, key=lambda k: (k.not_before, k.created_at))


def superseded_at(key: SigningKey, keys: list[SigningKey]) -> int | None:
    """When a newer key of the same algorithm took over signing, if one did."""
    later = [k.not_before for k in keys if k.alg == key.alg and k.not_before > key.not_before]
    return min(later) if later else None


def is_retired(key: SigningKey, keys: list[SigningKey], now: int, retention: int) -> bool:
    """Retired: superseded so long ago that every token it signed has expired."""
    since = superseded_at(key, keys)
    return since is not None and since <= now and now - since > retention


class KeyRing:
    """The signing keys of one process, read once and re-read only when the files change.

    `retention` (s) is `retention_seconds(...)`.
    """

    def __init__(self, keys_directory: Path, retention: int, check_every: float = 5.0) -> None:
        self.directory = keys_directory / SIGNING_DIR
        self.retention = retention
        self.check_every = check_every
        self._lock = threading.Lock()
        # When the directory was last listed (monotonic s); None: never, or refresh() asked.
        self._checked: float | None = None
        self._stamp: tuple[str, ...] | None = None
        self._keys: list[SigningKey] = []

    def _stale(self, now: float) -> bool:
        return self._checked is None or now - self._checked >= self.check_every

    def keys(self) -> list[SigningKey]:
        """All keys; the directory is listed at most every few seconds, read when it changed."""
        if self._stale(time.monotonic()):
            with self._lock:
                # Another thread may have loaded them while this one waited for the lock.
                now = time.monotonic()
                if self._stale(now):
                    # Key files are only ever added or removed, never edited: names suffice.
                    stamp = tuple(sorted(os.listdir(self.directory)))
                    if stamp != self._stamp:
                        self._keys = load_signing_keys(self.directory.parent)
                        self._stamp = stamp
                    # Only now: a thread that sees the ring fresh must find the keys loaded.
                    self._checked = now
        return self._keys

    def refresh(self) -> None:
        """Re-read every key file on the next use, whatever the interval."""
        with self._lock:
            self._checked = None
            self._stamp = None

    def signing_key(self, alg: str, now: int | None = None) -> SigningKey:
        """The newest key of `alg` whose signing period has started."""
        moment = int(time.time()) if now is None else now
        ready = [k for k in self.keys() if k.alg == alg and k.not_before <= moment]
        if not ready:
            raise LookupError(f"no {alg} signing key: run `leerid init`")
        return ready[-1]

    def jwks(self, now: int | None = None) -> dict[str, list[dict[str, Any]]]:
        """The published key set: upcoming, current and not yet retired keys."""
        moment = int(time.time()) if now is None else now
        keys = self.keys()
        return {
            "keys": [
                k.public_jwk() for k in keys if not is_retired(k, keys, moment, self.retention)
            ]
        }

    def find(self, kid: str) -> SigningKey | None:
        """A key by its id, to verify tokens we issued (id_token_hint)."""
        return next((k for k in self.keys() if k.kid == kid), None)


def rotate(
    keys_directory: Path, delay: int, retention: int, now: int | None = None
) -> dict[str, Any]:
    """Publish a new key per algorithm, signing after `delay` s; delete retired keys.

    `retention` is `retention_seconds(...)`: a key is deleted only that long after it
    stopped signing. `now` (Unix time) defaults to the clock. Returns the new kids, when
    they sign (Unix time) and the deleted kids.
    """
    now = int(time.time()) if now is None else now
    created = [
        generate_signing_key(keys_directory, alg, not_before=now + delay) for alg in ALGORITHMS
    ]
    keys = load_signing_keys(keys_directory)
    removed = []
    for key in keys:
        if is_retired(key, keys, now, retention):
            key.path.unlink()
            removed.append(key.kid)
    new_keys = load_signing_keys(keys_directory)
    return {
        "published": [k.kid for k in new_keys if k.path in created],
        "signing_from": now + delay,
        "removed": removed,
    }
