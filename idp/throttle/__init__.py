"""Sign-in throttling that fits schools: growing per-account delays (never a lock),
devices that signed in before exempt from them, a pace per browser and, for browsers that
never signed in, per IP address, a global alarm served to the operator.

Views call, around verifying a password:

    throttle = get_throttle()
    source = Source(ip, current_device(request), trusted_device(request, username) is not None)
    verdict = throttle.check(username, source)           # wait verdict.wait seconds first
    ... verify ...
    throttle.failed(username, source, known=...)         # or, when it was right:
    throttle.succeeded(username, source); remember_device(response, request, username)
"""

from __future__ import annotations

from flask import Flask

from . import extension, metrics
from .devices import current_device, remember_device, trusted_device
from .extension import get_throttle
from .policy import ThrottlePolicy, attempts_per_day, paced_failures
from .store import MemoryStore, Reading, RedisStore, Store, Streak
from .throttle import Source, Throttle, Verdict, ip_source

__all__ = [
    "MemoryStore",
    "Reading",
    "RedisStore",
    "Source",
    "Store",
    "Streak",
    "Throttle",
    "ThrottlePolicy",
    "Verdict",
    "attempts_per_day",
    "current_device",
    "get_throttle",
    "init_app",
    "ip_source",
    "paced_failures",
    "remember_device",
    "trusted_device",
]


def init_app(app: Flask) -> Throttle:
    """Build the app's Throttle from the [throttle] settings and serve its metrics."""
    throttle = extension.init_app(app)
    app.register_blueprint(metrics.blueprint)
    return throttle
