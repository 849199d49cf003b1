"""Sign-in throttling that fits schools: growing per-account delays (never a lock),
devices that signed in before exempt from them, a high per-IP ceiling, a global alarm.

Views call, around verifying a password:

    throttle = get_throttle()
    trusted = trusted_device(request, username)
    verdict = throttle.check(username, ip, trusted)    # wait verdict.wait seconds first
    ... verify ...
    throttle.failed(username, ip, trusted)             # or, when it was right:
    throttle.succeeded(username, trusted); remember_device(response, request, username)
"""

from __future__ import annotations

from .devices import remember_device, trusted_device
from .extension import get_throttle, init_app
from .policy import ThrottlePolicy, attempts_per_day
from .store import MemoryStore, RedisStore, Store, Streak
from .throttle import Throttle, Verdict, ip_source

__all__ = [
    "MemoryStore",
    "RedisStore",
    "Store",
    "Streak",
    "Throttle",
    "ThrottlePolicy",
    "Verdict",
    "attempts_per_day",
    "get_throttle",
    "init_app",
    "ip_source",
    "remember_device",
    "trusted_device",
]
