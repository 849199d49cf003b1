"""Fetch an app's published public keys (its `jwks_uri`), briefly cached per process."""

from __future__ import annotations

import http.client
import json
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

_CACHE: dict[str, tuple[float, dict[str, Any]]] = {}
CACHE_SECONDS = 300
MAX_BYTES = 64 * 1024
# The hosts where plain http is allowed, as for registered URIs (services.clients.check_uri).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class RemoteKeysError(Exception):
    """The app's key set could not be fetched or read."""


def fetch_jwks(uri: str, timeout: float = 3.0) -> dict[str, Any]:
    """The JSON Web Key Set at `uri` (https, or http on the loopback for development).

    Raises RemoteKeysError when the URI is not allowed, the server cannot be reached or
    answers badly, or the answer is not a JSON object with a "keys" list.
    """
    cached = _CACHE.get(uri)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    parts = urlsplit(uri)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if parts.scheme != "https" and not loopback:
        raise RemoteKeysError(f"refusing to fetch keys from {uri!r}: https required")
    try:
        with urllib.request.urlopen(uri, timeout=timeout) as response:  # noqa: S310 - checked above
            keys = json.loads(response.read(MAX_BYTES + 1)[:MAX_BYTES])
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise RemoteKeysError(f"could not fetch keys from {uri}: {error}") from None
    if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
        raise RemoteKeysError(f"{uri} did not return a JSON Web Key Set")
    _CACHE[uri] = (time.monotonic(), keys)
    return keys
