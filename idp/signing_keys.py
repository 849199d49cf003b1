"""Token signing keys under keys/signing/, one private JWK per file (see keys/README.md)."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from joserfc.jwk import RSAKey

SIGNING_DIR = "signing"


def ensure_signing_key(keys_directory: Path) -> Path | None:
    """Create a first RS256 signing key when there is none; return its path if created."""
    directory = keys_directory / SIGNING_DIR
    if directory.is_dir() and any(directory.glob("*.json")):
        return None
    directory.mkdir(parents=True, exist_ok=True)
    kid = f"{time.strftime('%Y%m%d')}-{secrets.token_hex(4)}"
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})
    record = {"created_at": int(time.time()), "not_before": 0, "jwk": key.as_dict(private=True)}
    path = directory / f"{kid}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(record, handle, indent=2)
    return path
