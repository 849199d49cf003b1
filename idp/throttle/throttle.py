"""Sign-in throttling that fits schools, where a whole school shares one IP address.

Per account, untrusted sources share one streak of failures: after the free ones each
attempt waits a growing delay from the latest failure, never longer than max_delay, and
the failures are forgotten after forget_after seconds without one. A device that signed
in to the account before (see devices.py) skips that shared delay and the IP ceiling but
has a streak of its own on the account, so a classmate on a shared tablet is slowed down
too, and a stranger's failures never slow the pupil's own devices. Per IP address,
untrusted failures are tallied per clock hour up to a high ceiling. Every failure counts
towards a per-minute total over all instances that raises an alarm in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

from ..services.authentication import normalise_username
from .policy import ThrottlePolicy
from .store import Store, Streak, continued

logger = logging.getLogger("idp.throttle")

HOUR = 3600
MINUTE = 60
# Tallies live a little beyond their window, so that a late reader still finds them.
IP_TALLY_LIFETIME = HOUR + MINUTE
MINUTE_TALLY_LIFETIME = 2 * MINUTE
ACCOUNT = "account"
IP = "ip"


class Verdict(NamedTuple):
    """Whole seconds to wait before the next attempt (0: go ahead) and what holds it back."""

    wait: int
    reason: str | None


GO = Verdict(0, None)


class Throttle:
    """Decides whether a sign-in attempt may go ahead and records how attempts end."""

    def __init__(
        self,
        store: Store,
        policy: ThrottlePolicy,
        clock: Callable[[], float] = time.time,
        *,
        secret: bytes = b"",
    ) -> None:
        """Counters in `store`; `secret` keys the hashes that stand for usernames and IPs."""
        self.store = store
        self.policy = policy
        self.clock = clock
        self._secret = secret

    def check(self, username: str, ip: str, trusted: str | None) -> Verdict:
        """Before verifying a password: may this attempt go ahead now?"""
        now = self.clock()
        if trusted is not None:
            streak, _ = self.store.read(self._device_key(username, trusted))
            return self._streak_verdict(streak, now)
        streak, (ip_failures,) = self.store.read(
            self._account_key(username), [self._ip_key(ip, now)]
        )
        return _worst(self._streak_verdict(streak, now), self._ip_verdict(ip_failures, now))

    def failed(self, username: str, ip: str, trusted: str | None) -> Verdict:
        """Record a failed attempt; returns how long the next attempt must wait."""
        now = self.clock()
        tallies = [(self._minute_key(now), MINUTE_TALLY_LIFETIME)]
        if trusted is None:
            key = self._account_key(username)
            # Only untrusted failures fill the IP ceiling: a trusted device is exempt from
            # it, and its typing must not hold back the rest of the school.
            tallies.append((self._ip_key(ip, now), IP_TALLY_LIFETIME))
        else:
            key = self._device_key(username, trusted)
        streak, values = self.store.fail(key, now, self.policy.forget_after, tallies)
        self._alarm(values[0], now)
        verdict = self._streak_verdict(streak, now)
        if trusted is None:
            verdict = _worst(verdict, self._ip_verdict(values[1], now))
        return verdict

    def succeeded(self, username: str, trusted: str | None) -> None:
        """A correct sign-in: clear that source's failures for the account."""
        if trusted is None:
            self.store.clear(self._account_key(username))
        else:
            self.store.clear(self._device_key(username, trusted))

    def failures_this_minute(self) -> int:
        """Failed sign-ins over all instances in the current clock minute (for a metric)."""
        return self.store.count(self._minute_key(self.clock()))

    def _streak_verdict(self, streak: Streak, now: float) -> Verdict:
        current = continued(streak, now, self.policy.forget_after)
        if not current.failures:
            return GO
        wait = _seconds_until(current.last + self.policy.pause_after(current.failures), now)
        return Verdict(wait, ACCOUNT) if wait else GO

    def _ip_verdict(self, failures: int, now: float) -> Verdict:
        if failures < self.policy.ip_failures_per_hour:
            return GO
        return Verdict(_seconds_until((now // HOUR + 1) * HOUR, now), IP)

    def _alarm(self, failures: int, now: float) -> None:
        # The tally is incremented atomically, so exactly one failure over all instances
        # sees the value just above the threshold: one warning per minute.
        if failures == self.policy.alarm_failures_per_minute + 1:
            minute = datetime.fromtimestamp(now // MINUTE * MINUTE, UTC)
            logger.warning(
                "more than %d failed sign-ins in the minute from %s UTC",
                self.policy.alarm_failures_per_minute,
                minute.strftime("%Y-%m-%d %H:%M"),
            )

    def _digest(self, kind: str, *parts: str) -> str:
        # Keyed, so that neither usernames nor IP addresses can be read back from the keys
        # by trying likely names; 128 bits are plenty to keep counters apart.
        message = "\0".join((kind, *parts)).encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def _account_key(self, username: str) -> str:
        # Normalised again (it is idempotent): a view that forgot would give an attacker
        # a fresh streak for every mix of capitals of one username.
        return "throttle:account:" + self._digest(ACCOUNT, normalise_username(username))

    def _device_key(self, username: str, device: str) -> str:
        return "throttle:device:" + self._digest("device", normalise_username(username), device)

    def _ip_key(self, ip: str, now: float) -> str:
        return f"throttle:ip:{self._digest(IP, ip_source(ip))}:{int(now // HOUR)}"

    def _minute_key(self, now: float) -> str:
        return f"throttle:minute:{int(now // MINUTE)}"


def ip_source(ip: str) -> str:
    """The address one client controls: an IPv4 address, or the /64 of an IPv6 address."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        # One home or mobile connection gets a whole /64: counting single addresses
        # would let it step around the ceiling.
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _seconds_until(moment: float, now: float) -> int:
    """Whole seconds from now until moment, rounded up; 0 once it has passed."""
    # Via milliseconds, so that float noise does not turn an exact 5 s into 6.
    milliseconds = round((moment - now) * 1000)
    return max(0, -(-milliseconds // 1000))


def _worst(first: Verdict, second: Verdict) -> Verdict:
    return second if second.wait > first.wait else first
