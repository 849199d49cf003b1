"""Symmetric key material under keys/: created once by `leerid init`, shared by all instances."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SECRETS_FILE = "secrets.json"
ENVELOPE = "v1."
_AAD = b"leerid national number"


class MissingKeysError(Exception):
    """The keys directory has no key material yet."""


@dataclass(frozen=True)
class Secrets:
    """The deployment's symmetric secrets; see keys/README.md."""

    session_secret: str
    national_number_hmac_key: bytes
    pairwise_subject_key: bytes
    encryption_keys: tuple[AESGCM, ...]

    def national_number_hash(self, national_number: str) -> str:
        """Keyed hash used to recognise a person across schools without storing the number."""
        return hmac.new(
            self.national_number_hmac_key, national_number.encode("ascii"), hashlib.sha256
        ).hexdigest()

    def encrypt(self, text: str, purpose: bytes = _AAD) -> str:
        """Encrypt a short text with AES-256-GCM and the first (newest) key.

        `purpose` is bound to the ciphertext (associated data): a value sealed for one
        purpose cannot be opened as another.
        """
        # AES-GCM rather than Fernet: one C call per value, which matters for an import
        # of a million pupils (bench/import_enrollments.py); a 96-bit random nonce each time.
        nonce = os.urandom(12)
        sealed = self.encryption_keys[0].encrypt(nonce, text.encode("utf-8"), purpose)
        return ENVELOPE + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def seal(self, data: bytes, purpose: bytes) -> bytes:
        """Encrypt bytes of any size (a credential zip) with AES-256-GCM and the newest key:
        a 12-byte nonce, then the ciphertext and its 16-byte tag."""
        nonce = os.urandom(12)
        return nonce + self.encryption_keys[0].encrypt(nonce, data, purpose)

    def unseal(self, sealed: bytes, purpose: bytes) -> bytes:
        """The bytes `seal` sealed for `purpose`; ValueError when no configured key opens
        them (tampered, another purpose, or a key removed since)."""
        for key in self.encryption_keys:
            try:
                return key.decrypt(sealed[:12], sealed[12:], purpose)
            except InvalidTag:
                continue
        raise ValueError("no configured key opens this value")

    def decrypt(self, token: str, purpose: bytes = _AAD) -> str:
        """Decrypt a text encrypted with any of the configured keys (old keys still open)."""
        if not token.startswith(ENVELOPE):
            raise ValueError("not a LeerID encrypted value")
        try:
            raw = base64.urlsafe_b64decode(token[len(ENVELOPE) :])
        except ValueError:
            raise ValueError("not a LeerID encrypted value") from None
        for key in self.encryption_keys:
            try:
                return key.decrypt(raw[:12], raw[12:], purpose).decode("utf-8")
            except InvalidTag:
                continue
        raise ValueError("no configured key opens this value")


def _new_secrets() -> dict[str, Any]:
    return {
        "session_secret": secrets.token_urlsafe(48),
        "national_number_hmac_key": secrets.token_urlsafe(32),
        "pairwise_subject_key": secrets.token_urlsafe(32),
        "encryption_keys": [base64.urlsafe_b64encode(AESGCM.generate_key(256)).decode("ascii")],
    }


def ensure_secrets(directory: Path) -> bool:
    """Create keys/secrets.json, or add entries a newer version needs; True if written."""
    path = directory / SECRETS_FILE
    fresh = _new_secrets()
    if path.exists():
        current = json.loads(path.read_text())
        missing = {name: value for name, value in fresh.items() if name not in current}
        if not missing:
            return False
        # Existing entries are never replaced: they identify pupils and decrypt data.
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({**current, **missing}, handle, indent=2)
        os.replace(temporary, path)
        return True
    directory.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two instances starting together must not overwrite each other's fresh keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        json.dump(fresh, handle, indent=2)
    return True


def load_secrets(directory: Path) -> Secrets:
    """Read keys/secrets.json, or explain how to create it."""
    path = directory / SECRETS_FILE
    try:
        content = json.loads(path.read_text())
    except FileNotFoundError:
        raise MissingKeysError(f"no key material in {directory}: run `leerid init` first") from None
    return Secrets(
        session_secret=content["session_secret"],
        national_number_hmac_key=content["national_number_hmac_key"].encode("ascii"),
        pairwise_subject_key=content["pairwise_subject_key"].encode("ascii"),
        encryption_keys=tuple(
            AESGCM(base64.urlsafe_b64decode(key)) for key in content["encryption_keys"]
        ),
    )
