"""Sign-in throttling that fits schools, where a whole school shares one IP address.

Every failure is charged to the narrowest thing that made it:

- A browser trusted for the account (its device cookie lists it, see devices.py) has a
  streak of its own on that account and nothing else: a stranger's failures never slow a
  pupil's own devices, and a classmate on a shared tablet is slowed down there.
- Every other browser shares the account's streak: after the free failures each attempt
  waits a growing delay from the latest failure, never longer than max_delay, and the
  failures are forgotten after forget_after seconds without one. Usernames that do not
  exist have streaks like any other, so the delays do not tell that they do not exist.
- Such failures also fill the browser's own pace (device_failures_per_hour), so that a
  classmate typing on one browser slows down only that browser. When a pupil then signs in
  on that browser, the failures it made on that pupil's username in the last hour were
  that pupil's typos, not guesses: they are taken back from its pace, so that a class
  taking turns on one tablet does not fill it.
- Failures on existing usernames from browsers that are not proven devices (no sign-in
  has proven them, see `succeeded`) fill the pace of their IP address; while it is full,
  attempts from such browsers there are slowed down to ip_failures_per_hour. Usernames
  that do not exist cannot compromise anyone and do not count, so a script typing made-up
  names cannot slow down a school; proven devices are neither counted nor held back.
- Every failure counts towards a per-minute total over all instances that raises an alarm
  in the log (and is served to the operator, see metrics.py).

Card look-ups (`/k/<token>`) are throttled per browser, apart from sign-ins: a browser's
unknown cards form a streak of its own (free failures, then growing delays, cleared by a
card that works), and count towards the per-minute alarm. Nothing is paced per IP
address: a pace would let one classmate's script keep every new tablet of the school from
opening its card (outside testing did just that), and a card's token is too long to guess
anyway (docs/security.md, "A card alone never signs in").
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
from .policy import HOUR, ThrottlePolicy
from .store import Store, Streak, continued

logger = logging.getLogger("idp.throttle")

MINUTE = 60
# Tallies live a little beyond their window, so that a late reader still finds them.
MINUTE_TALLY_LIFETIME = 2 * MINUTE
ACCOUNT = "account"
DEVICE = "device"
IP = "ip"


class Source(NamedTuple):
    """Where an attempt comes from: the client's IP address, the browser's device id (from
    its cookie, or new with this attempt) and whether that device is trusted for the
    username being tried."""

    ip: str
    device: str
    trusted: bool


class Verdict(NamedTuple):
    """Whole seconds to wait before the next attempt (0: go ahead) and what holds it back:
    "account", "device" or "ip"."""

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
        """Counters in `store`; `secret` keys the hashes that stand for usernames, devices
        and IP addresses in the counters' names."""
        self.store = store
        self.policy = policy
        self.clock = clock
        self._secret = secret

    def check(self, username: str, source: Source) -> Verdict:
        """Before verifying a password: may this attempt go ahead now?"""
        now = self.clock()
        if source.trusted:
            reading = self.store.read(self._device_key(username, source.device))
            return self._streak_verdict(reading.streak, now)
        reading = self.store.read(
            self._account_key(username),
            [self._proven_key(source.device)],
            [self._pace_key(DEVICE, source.device), self._pace_key(IP, ip_source(source.ip))],
        )
        (proven,) = reading.tallies
        device_pace, ip_pace = reading.paces
        verdict = _worst(
            self._streak_verdict(reading.streak, now),
            _pace_verdict(device_pace, now, self.policy.device_failures_per_hour, DEVICE),
        )
        if proven:
            return verdict
        return _worst(verdict, _pace_verdict(ip_pace, now, self.policy.ip_failures_per_hour, IP))

    def failed(self, username: str, source: Source, *, known: bool) -> Verdict:
        """Record a failed attempt on `username`, which exists when `known`; returns how
        long the next attempt must wait (for the account or the device, never the IP)."""
        now = self.clock()
        tallies = [(self._minute_key(now), MINUTE_TALLY_LIFETIME)]
        if source.trusted:
            key = self._device_key(username, source.device)
            reading = self.store.fail(key, now, self.policy.forget_after, tallies)
            self._alarm(reading.tallies[0], now)
            return self._streak_verdict(reading.streak, now)
        proven = self.store.count(self._proven_key(source.device))
        # Which of this browser's failures were on this username, for a refund when the
        # right password follows (see succeeded).
        tallies.append((self._charged_key(username, source.device), HOUR))
        # The same keys whether or not the username exists, only the IP's charge differs
        # (0 rewrites the pace unchanged): the work, and so the time, is the same.
        ip_charge = HOUR / self.policy.ip_failures_per_hour if known and not proven else 0.0
        paces = [
            (self._pace_key(DEVICE, source.device), HOUR / self.policy.device_failures_per_hour),
            (self._pace_key(IP, ip_source(source.ip)), ip_charge),
        ]
        reading = self.store.fail(
            self._account_key(username), now, self.policy.forget_after, tallies, paces
        )
        self._alarm(reading.tallies[0], now)
        # The IP's pace is left out: only existing usernames fill it, so showing it here
        # would show whether this one exists. The next check holds back every username.
        return _worst(
            self._streak_verdict(reading.streak, now),
            _pace_verdict(reading.paces[0], now, self.policy.device_failures_per_hour, DEVICE),
        )

    def succeeded(self, username: str, source: Source) -> bool:
        """A correct sign-in: clear that source's failures for the account, take the
        browser's failures on this username back from its pace, and prove the device,
        unless the account proved its share of devices already (see
        ThrottlePolicy.proven_devices_per_account). Returns whether the device is proven.

        A success on a trusted browser clears only that browser's streak, never the streak
        the untrusted sources share (docs/security.md, "Limits worth knowing")."""
        if source.trusted:
            self.store.clear(self._device_key(username, source.device))
        else:
            # Clears the account's streak; and the failures this browser made on this one
            # username in the last hour were the typos of the pupil who just proved the
            # password, not guesses: they come off its pace, once.
            self.store.refund(
                self._account_key(username),
                self._charged_key(username, source.device),
                self._pace_key(DEVICE, source.device),
                self.clock(),
                HOUR / self.policy.device_failures_per_hour,
            )
        return self.store.prove(
            self._proven_key(source.device),
            self._proofs_key(username),
            self.policy.proven_devices_per_account,
            self.policy.proven_lifetime,
        )

    def check_card(self, source: Source) -> Verdict:
        """Before looking up a card token: may this browser look one up now? The reason
        is "device" (this browser's unknown cards)."""
        reading = self.store.read(self._card_key(source.device))
        streak = self._streak_verdict(reading.streak, self.clock())
        return Verdict(streak.wait, DEVICE) if streak.wait else GO

    def card_failed(self, source: Source) -> None:
        """Record a look-up of a card token that opens nothing (unknown, replaced, expired
        or of an account that cannot sign in)."""
        now = self.clock()
        tallies = [(self._minute_key(now), MINUTE_TALLY_LIFETIME)]
        reading = self.store.fail(
            self._card_key(source.device), now, self.policy.forget_after, tallies
        )
        self._alarm(reading.tallies[0], now)

    def card_found(self, source: Source) -> None:
        """A card that works: this browser's streak of unknown cards was typos."""
        self.store.clear(self._card_key(source.device))

    def check_admin(self, username: str, ip: str) -> Verdict:
        """Before verifying a Schoolloket sign-in from `ip`: may this attempt go ahead now?
        The administrators' streaks are their own kind, apart from the pupils', and kept
        per username and network: guesses from elsewhere never slow the administrator
        down at school (a password of ~98 bits and a TOTP code need no lock-out)."""
        reading = self.store.read(self._admin_key(username, ip))
        return self._streak_verdict(reading.streak, self.clock())

    def admin_failed(self, username: str, ip: str) -> Verdict:
        """Record a failed Schoolloket sign-in (wrong password or code, or no such
        administrator); returns how long the next attempt from `ip` must wait."""
        now = self.clock()
        tallies = [(self._minute_key(now), MINUTE_TALLY_LIFETIME)]
        key = self._admin_key(username, ip)
        reading = self.store.fail(key, now, self.policy.forget_after, tallies)
        self._alarm(reading.tallies[0], now)
        return self._streak_verdict(reading.streak, now)

    def admin_succeeded(self, username: str, ip: str) -> None:
        """A correct Schoolloket sign-in clears the streak of that username and network."""
        self.store.clear(self._admin_key(username, ip))

    def failures_this_minute(self) -> int:
        """Failed sign-ins and unknown cards over all instances in the current clock
        minute (for a metric)."""
        return self.store.count(self._minute_key(self.clock()))

    def _streak_verdict(self, streak: Streak, now: float) -> Verdict:
        current = continued(streak, now, self.policy.forget_after)
        if not current.failures:
            return GO
        wait = _seconds_until(current.last + self.policy.pause_after(current.failures), now)
        return Verdict(wait, ACCOUNT) if wait else GO

    def _alarm(self, failures: int, now: float) -> None:
        # The tally is incremented atomically, so exactly one failure over all instances
        # sees the value just above the threshold: one warning per minute.
        if failures == self.policy.alarm_failures_per_minute + 1:
            minute = datetime.fromtimestamp(now // MINUTE * MINUTE, UTC)
            logger.warning(
                "more than %d failed sign-ins or unknown cards in the minute from %s UTC",
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

    def _admin_key(self, username: str, ip: str) -> str:
        return "throttle:admin:" + self._digest(
            "admin", normalise_username(username), ip_source(ip)
        )

    def _card_key(self, device: str) -> str:
        return "throttle:card:" + self._digest("card", device)

    def _charged_key(self, username: str, device: str) -> str:
        return "throttle:charged:" + self._digest("charged", normalise_username(username), device)

    def _pace_key(self, kind: str, name: str) -> str:
        return f"throttle:pace:{kind}:" + self._digest(f"pace-{kind}", name)

    def _proven_key(self, device: str) -> str:
        return "throttle:proven:" + self._digest("proven", device)

    def _proofs_key(self, username: str) -> str:
        return "throttle:proofs:" + self._digest("proofs", normalise_username(username))

    def _minute_key(self, now: float) -> str:
        return f"throttle:minute:{int(now // MINUTE)}"


def _pace_verdict(drained: float, now: float, per_hour: int, reason: str) -> Verdict:
    """Hold back while one more failure would put the pace more than an hour behind."""
    wait = _seconds_until(drained - HOUR + HOUR / per_hour, now)
    return Verdict(wait, reason) if wait else GO


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
