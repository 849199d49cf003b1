"""Where throttling keeps its counters: Redis, shared by every app instance, or this
process's memory for the embedded single-process setup.

Two kinds of counter. A *streak* counts failures in a row on one account (or one account
on one device) with the time of the latest; it starts again after `forget_after` seconds
without a failure. A *tally* counts events in a fixed window (failures of one IP address in
one clock hour, of everybody in one minute): the window is part of its key. Every key
expires, so nothing grows forever; the streak's own time, not the expiry, decides when
failures are forgotten, so the logic follows the throttle's clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

import redis


class Streak(NamedTuple):
    """Failures in a row on one counter and the clock time of the latest one."""

    failures: int
    last: float


NO_STREAK = Streak(0, 0.0)


def continued(streak: Streak, now: float, forget_after: int) -> Streak:
    """The streak as it stands at `now`: forgotten once forget_after has passed."""
    if streak.failures and now - streak.last < forget_after:
        return streak
    return NO_STREAK


class Store(Protocol):
    """Counters for the throttle; every method is one round trip to the shared state."""

    def read(self, streak: str, tallies: Sequence[str] = ()) -> tuple[Streak, list[int]]:
        """A streak as stored (NO_STREAK when absent) and the current value of some tallies."""
        ...

    def fail(
        self, streak: str, now: float, forget_after: int, tallies: Sequence[tuple[str, int]]
    ) -> tuple[Streak, list[int]]:
        """Add a failure to a streak and one to each (tally, lifetime); return the new values."""
        ...

    def clear(self, streak: str) -> None:
        """Forget a streak."""
        ...

    def count(self, tally: str) -> int:
        """The current value of one tally (0 when absent)."""
        ...


class MemoryStore:
    """Counters in this process, thread-safe and expiring: only for a single process."""

    # Expired entries are swept at most this often, so unknown usernames typed once do
    # not pile up in memory.
    SWEEP_INTERVAL = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """An empty store; `clock` decides expiry (tests pass a fake one)."""
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Streak | int, float]] = {}
        self._next_sweep = clock() + self.SWEEP_INTERVAL

    def read(self, streak: str, tallies: Sequence[str] = ()) -> tuple[Streak, list[int]]:
        """A streak as stored (NO_STREAK when absent) and the current value of some tallies."""
        with self._lock:
            found = self._get(streak)
            values = [self._get(key) for key in tallies]
        return (
            found if isinstance(found, Streak) else NO_STREAK,
            [value if isinstance(value, int) else 0 for value in values],
        )

    def fail(
        self, streak: str, now: float, forget_after: int, tallies: Sequence[tuple[str, int]]
    ) -> tuple[Streak, list[int]]:
        """Add a failure to a streak and one to each (tally, lifetime); return the new values."""
        with self._lock:
            moment = self._clock()
            self._sweep(moment)
            found = self._get(streak)
            current = continued(
                found if isinstance(found, Streak) else NO_STREAK, now, forget_after
            )
            if current.failures:
                # Keep the later time: an instance whose clock lags must not shorten a wait.
                updated = Streak(current.failures + 1, max(current.last, now))
            else:
                updated = Streak(1, now)
            self._entries[streak] = (updated, moment + forget_after)
            values = []
            for key, lifetime in tallies:
                value = self._get(key)
                total = (value if isinstance(value, int) else 0) + 1
                self._entries[key] = (total, moment + lifetime)
                values.append(total)
        return updated, values

    def clear(self, streak: str) -> None:
        """Forget a streak."""
        with self._lock:
            self._entries.pop(streak, None)

    def count(self, tally: str) -> int:
        """The current value of one tally (0 when absent)."""
        return self.read("", [tally])[1][0]

    def __len__(self) -> int:
        """How many entries are held, expired or not (for tests of the sweep)."""
        return len(self._entries)

    def _get(self, key: str) -> Streak | int | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._entries[key]
            return None
        return entry[0]

    def _sweep(self, moment: float) -> None:
        if moment < self._next_sweep:
            return
        self._next_sweep = moment + self.SWEEP_INTERVAL
        for key in [key for key, (_, expiry) in self._entries.items() if expiry <= moment]:
            del self._entries[key]


# Atomic, so that concurrent failures on several instances each count; one round trip.
# KEYS[1] is the streak (a hash with n and last), KEYS[2..] the tallies. ARGV[1] is now
# (kept as text, so the time survives exactly), ARGV[2] forget_after, ARGV[3..] each
# tally's lifetime. Returns {count, last, tally values...}.
_FAIL = """
local now = tonumber(ARGV[1])
local forget_after = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'n', 'last')
local count = tonumber(state[1]) or 0
local last = state[2]
if count > 0 and last and now - tonumber(last) < forget_after then
  count = count + 1
  if tonumber(last) < now then last = ARGV[1] end
else
  count = 1
  last = ARGV[1]
end
redis.call('HSET', KEYS[1], 'n', count, 'last', last)
redis.call('EXPIRE', KEYS[1], forget_after)
local result = {count, last}
for i = 2, #KEYS do
  result[i + 1] = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[i + 1])
end
return result
"""


class RedisStore:
    """Counters in Redis, shared by every app instance; each key lives under `prefix`."""

    def __init__(self, url: str, prefix: str) -> None:
        """Connect lazily to `url`; the URL's own options (e.g. socket_timeout) win."""
        # A short timeout: when Redis is unreachable a sign-in fails (closed) quickly
        # instead of hanging a worker.
        self.client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=2, socket_connect_timeout=2
        )
        self.prefix = prefix + ":"
        self._fail = self.client.register_script(_FAIL)

    def read(self, streak: str, tallies: Sequence[str] = ()) -> tuple[Streak, list[int]]:
        """A streak as stored (NO_STREAK when absent) and the current value of some tallies."""
        pipeline = self.client.pipeline(transaction=False)
        pipeline.hmget(self.prefix + streak, ["n", "last"])
        for key in tallies:
            pipeline.get(self.prefix + key)
        (count, last), *values = pipeline.execute()
        found = Streak(int(count), float(last)) if count and last else NO_STREAK
        return found, [int(value or 0) for value in values]

    def fail(
        self, streak: str, now: float, forget_after: int, tallies: Sequence[tuple[str, int]]
    ) -> tuple[Streak, list[int]]:
        """Add a failure to a streak and one to each (tally, lifetime); return the new values."""
        keys = [self.prefix + streak] + [self.prefix + key for key, _ in tallies]
        arguments = [repr(now), forget_after] + [lifetime for _, lifetime in tallies]
        count, last, *values = self._fail(keys=keys, args=arguments)
        return Streak(int(count), float(last)), [int(value) for value in values]

    def clear(self, streak: str) -> None:
        """Forget a streak."""
        self.client.delete(self.prefix + streak)

    def count(self, tally: str) -> int:
        """The current value of one tally (0 when absent)."""
        return int(self.client.get(self.prefix + tally) or 0)
