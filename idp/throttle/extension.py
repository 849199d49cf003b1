"""The app's Throttle: built from the [throttle] settings, one per Flask app."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app

from .policy import ThrottlePolicy
from .store import MemoryStore, RedisStore, Store
from .throttle import Throttle

EXTENSION = "leerid.throttle"
_SECRET_INFO = b"leerid.throttle.keys"


def init_app(app: Flask) -> Throttle:
    """Build the store and the Throttle from the settings; keep it in app.extensions."""
    section = app.config["LEERID"]["throttle"]
    store: Store
    if section["redis_url"]:
        store = RedisStore(section["redis_url"], section["key_prefix"])
    else:
        store = MemoryStore()
    throttle = Throttle(store, ThrottlePolicy.from_settings(section), secret=_secret(app))
    app.extensions[EXTENSION] = throttle
    return throttle


def get_throttle() -> Throttle:
    """The current app's Throttle."""
    throttle: Throttle = current_app.extensions[EXTENSION]
    return throttle


def _secret(app: Flask) -> bytes:
    """A key for the hashes in counter names; every instance shares SECRET_KEY."""
    secret = app.config.get("SECRET_KEY")
    if not secret:
        # No key material yet (`leerid init` builds the app before creating it): nobody
        # can sign in without a session secret, so no counter is ever named with this.
        return b""
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    return hmac.new(raw, _SECRET_INFO, hashlib.sha256).digest()
