"""Where throttling keeps its counters: Redis, shared by every app instance, or this
process's memory for the embedded single-process setup.

Four kinds of counter. A *streak* counts failures in a row on one account (or one account
on one device) with the time of the latest; it starts again after `forget_after` seconds
without a failure. A *tally* counts events until it expires, each event renewing its
lifetime (failures of everybody in one minute have the minute in their key). A *pace* (the
generic cell rate algorithm) holds the moment by which the failures so far would have
drained at a fixed interval each; the throttle holds attempts back while that moment lies
more than an hour ahead, so a burst of an hour's worth goes through and after it one
failure per interval; a *refund* takes back the failures a tally counted from a pace. A
*proof* marks a device as proven for a while, and counts per account how many devices it
proved. Every key expires, so nothing grows forever; the throttle's own clock, not the
expiry, decides what a streak or pace means, so the logic follows the throttle's clock.
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


class Reading(NamedTuple):
    """One streak, the values of some tallies and the drain moments of some paces."""

    streak: Streak
    tallies: list[int]
    paces: list[float]


def continued(streak: Streak, now: float, forget_after: int) -> Streak:
    """The streak as it stands at `now`: forgotten once forget_after has passed."""
    if streak.failures and now - streak.last < forget_after:
        return streak
    return NO_STREAK


class Store(Protocol):
    """Counters for the throttle; every method is one round trip to the shared state."""

    def read(self, streak: str, tallies: Sequence[str] = (), paces: Sequence[str] = ()) -> Reading:
        """A streak as stored (NO_STREAK when absent), the current value of some tallies
        (0 when absent) and the drain moment of some paces (0.0 when absent)."""
        ...

    def fail(
        self,
        streak: str,
        now: float,
        forget_after: int,
        tallies: Sequence[tuple[str, int]],
        paces: Sequence[tuple[str, float]] = (),
    ) -> Reading:
        """Add a failure to a streak, one to each (tally, lifetime in s) and one interval
        (s; 0 reads and rewrites the pace without charging it) to each (pace, interval);
        return the new values."""
        ...

    def clear(self, streak: str) -> None:
        """Forget a streak."""
        ...

    def count(self, tally: str) -> int:
        """The current value of one tally (0 when absent)."""
        ...

    def prove(self, proof: str, proofs: str, limit: int, lifetime: int) -> bool:
        """Mark `proof` (a device) for `lifetime` s, unless marked already (the mark is not
        renewed) or the tally `proofs` (an account's) has reached `limit` in its window of
        `lifetime` s from its first proof; returns whether the mark is there now."""
        ...

    def refund(self, streak: str, tally: str, pace: str, now: float, interval: float) -> int:
        """Forget a streak, take back from `pace` one `interval` (s) for each failure the
        tally counted, never past `now` (an empty pace), and forget the tally; returns how
        many it counted."""
        ...


def _drained(moment: float, now: float, interval: float) -> float:
    """A pace's drain moment after one more failure costing `interval` seconds."""
    return max(moment, now) + interval


class MemoryStore:
    """Counters in this process, thread-safe and expiring: only for a single process."""

    # Expired entries are swept at most this often, so unknown usernames typed once do
    # not pile up in memory.
    SWEEP_INTERVAL = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """An empty store; `clock` decides expiry (tests pass a fake one)."""
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Streak | int | float, float]] = {}
        self._next_sweep = clock() + self.SWEEP_INTERVAL

    def read(self, streak: str, tallies: Sequence[str] = (), paces: Sequence[str] = ()) -> Reading:
        """See Store.read."""
        with self._lock:
            return Reading(
                self._streak(streak),
                [self._tally(key) for key in tallies],
                [self._pace(key) for key in paces],
            )

    def fail(
        self,
        streak: str,
        now: float,
        forget_after: int,
        tallies: Sequence[tuple[str, int]],
        paces: Sequence[tuple[str, float]] = (),
    ) -> Reading:
        """See Store.fail."""
        with self._lock:
            moment = self._clock()
            self._sweep(moment)
            current = continued(self._streak(streak), now, forget_after)
            if current.failures:
                # Keep the later time: an instance whose clock lags must not shorten a wait.
                updated = Streak(current.failures + 1, max(current.last, now))
            else:
                updated = Streak(1, now)
            self._entries[streak] = (updated, moment + forget_after)
            counted = []
            for key, lifetime in tallies:
                total = self._tally(key) + 1
                self._entries[key] = (total, moment + lifetime)
                counted.append(total)
            drained = []
            for key, interval in paces:
                until = _drained(self._pace(key), now, interval)
                # Kept until it has drained: after that it reads as 0.0, which means the same.
                self._entries[key] = (until, moment + max(until - now, 1.0))
                drained.append(until)
        return Reading(updated, counted, drained)

    def clear(self, streak: str) -> None:
        """See Store.clear."""
        with self._lock:
            self._entries.pop(streak, None)

    def count(self, tally: str) -> int:
        """See Store.count."""
        return self.read("", [tally]).tallies[0]

    def prove(self, proof: str, proofs: str, limit: int, lifetime: int) -> bool:
        """See Store.prove."""
        with self._lock:
            moment = self._clock()
            if self._tally(proof):
                return True
            used = self._tally(proofs)
            if used >= limit:
                return False
            window_end = self._entries[proofs][1] if used else moment + lifetime
            self._entries[proofs] = (used + 1, window_end)
            self._entries[proof] = (1, moment + lifetime)
            return True

    def refund(self, streak: str, tally: str, pace: str, now: float, interval: float) -> int:
        """See Store.refund."""
        with self._lock:
            moment = self._clock()
            self._entries.pop(streak, None)
            counted = self._tally(tally)
            self._entries.pop(tally, None)
            until = self._pace(pace)
            if counted and until > now:
                until = max(now, until - counted * interval)
                self._entries[pace] = (until, moment + max(until - now, 1.0))
            return counted

    def __len__(self) -> int:
        """How many entries are held, expired or not (for tests of the sweep)."""
        return len(self._entries)

    def _get(self, key: str) -> Streak | int | float | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._entries[key]
            return None
        return entry[0]

    def _streak(self, key: str) -> Streak:
        found = self._get(key)
        return found if isinstance(found, Streak) else NO_STREAK

    def _tally(self, key: str) -> int:
        found = self._get(key)
        return found if isinstance(found, int) else 0

    def _pace(self, key: str) -> float:
        found = self._get(key)
        return found if isinstance(found, float) else 0.0

    def _sweep(self, moment: float) -> None:
        if moment < self._next_sweep:
            return
        self._next_sweep = moment + self.SWEEP_INTERVAL
        for key in [key for key, (_, expiry) in self._entries.items() if expiry <= moment]:
            del self._entries[key]


# Atomic, so that concurrent failures on several instances each count; one round trip.
# KEYS[1] is the streak (a hash with n and last), then the tallies, then the paces (each a
# drain moment as text). ARGV[1] is now (kept as text, so the time survives exactly),
# ARGV[2] forget_after, ARGV[3] how many tallies, then each tally's lifetime, then each
# pace's interval. Returns {count, last, tally values..., pace moments as text...}: Lua
# numbers would come back cut to integers.
_FAIL = """
local now = tonumber(ARGV[1])
local forget_after = tonumber(ARGV[2])
local tallies = tonumber(ARGV[3])
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
for i = 2, 1 + tallies do
  result[#result + 1] = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[i + 2])
end
for i = 2 + tallies, #KEYS do
  local moment = tonumber(redis.call('GET', KEYS[i]) or '0')
  if moment < now then moment = now end
  moment = moment + tonumber(ARGV[i + 2])
  local text = string.format('%.6f', moment)
  redis.call('SET', KEYS[i], text, 'EX', math.max(1, math.ceil(moment - now)))
  result[#result + 1] = text
end
return result
"""

# KEYS[1] marks a proven device, KEYS[2] counts an account's proofs in its window. ARGV[1]
# is the limit, ARGV[2] the lifetime of both. Returns 1 when the device is proven now.
_PROVE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used >= tonumber(ARGV[1]) then return 0 end
if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
redis.call('SET', KEYS[1], 1, 'EX', ARGV[2])
return 1
"""


# KEYS[1] is a streak to forget, KEYS[2] counts failures to take back, KEYS[3] is a pace.
# ARGV[1] is now (text), ARGV[2] the interval of one failure. Returns the count. The pace
# keeps its drain moment as text.
_REFUND = """
local counted = tonumber(redis.call('GET', KEYS[2]) or '0')
redis.call('DEL', KEYS[1], KEYS[2])
local now = tonumber(ARGV[1])
local moment = tonumber(redis.call('GET', KEYS[3]) or '0')
if counted > 0 and moment > now then
  moment = math.max(now, moment - counted * tonumber(ARGV[2]))
  local text = string.format('%.6f', moment)
  redis.call('SET', KEYS[3], text, 'EX', math.max(1, math.ceil(moment - now)))
end
return counted
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
        self._prove = self.client.register_script(_PROVE)
        self._refund = self.client.register_script(_REFUND)

    def read(self, streak: str, tallies: Sequence[str] = (), paces: Sequence[str] = ()) -> Reading:
        """See Store.read."""
        pipeline = self.client.pipeline(transaction=False)
        pipeline.hmget(self.prefix + streak, ["n", "last"])
        for key in [*tallies, *paces]:
            pipeline.get(self.prefix + key)
        (count, last), *values = pipeline.execute()
        found = Streak(int(count), float(last)) if count and last else NO_STREAK
        return Reading(
            found,
            [int(value or 0) for value in values[: len(tallies)]],
            [float(value or 0) for value in values[len(tallies) :]],
        )

    def fail(
        self,
        streak: str,
        now: float,
        forget_after: int,
        tallies: Sequence[tuple[str, int]],
        paces: Sequence[tuple[str, float]] = (),
    ) -> Reading:
        """See Store.fail."""
        keys = [self.prefix + key for key in [streak, *(k for k, _ in tallies)]]
        keys += [self.prefix + key for key, _ in paces]
        arguments = [repr(now), forget_after, len(tallies)]
        arguments += [lifetime for _, lifetime in tallies]
        arguments += [repr(float(interval)) for _, interval in paces]
        count, last, *values = self._fail(keys=keys, args=arguments)
        return Reading(
            Streak(int(count), float(last)),
            [int(value) for value in values[: len(tallies)]],
            [float(value) for value in values[len(tallies) :]],
        )

    def clear(self, streak: str) -> None:
        """See Store.clear."""
        self.client.delete(self.prefix + streak)

    def count(self, tally: str) -> int:
        """See Store.count."""
        return int(self.client.get(self.prefix + tally) or 0)

    def prove(self, proof: str, proofs: str, limit: int, lifetime: int) -> bool:
        """See Store.prove."""
        keys = [self.prefix + proof, self.prefix + proofs]
        return bool(self._prove(keys=keys, args=[limit, lifetime]))

    def refund(self, streak: str, tally: str, pace: str, now: float, interval: float) -> int:
        """See Store.refund."""
        keys = [self.prefix + key for key in (streak, tally, pace)]
        return int(self._refund(keys=keys, args=[repr(now), repr(float(interval))]))
