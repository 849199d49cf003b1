"""The numbers of sign-in throttling, from the [throttle] configuration section."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

HOUR = 3600
DAY = 86400
WEEK = 7 * DAY


@dataclass(frozen=True)
class ThrottlePolicy:
    """Free failures, growing delays, the paces per device and per IP address, proven
    devices, the alarm and the device lifetime (see docs/security.md, "The rules").

    Times are in seconds; the defaults are those of config.example.toml.
    """

    free_failures: int = 5
    first_delay: int = 5
    max_delay: int = 900
    forget_after: int = DAY
    device_failures_per_hour: int = 60
    ip_failures_per_hour: int = 1000
    proven_devices_per_account: int = 5
    proven_lifetime: int = WEEK
    alarm_failures_per_minute: int = 600
    device_lifetime: int = 365 * DAY

    def __post_init__(self) -> None:
        # The configuration already refuses these; a policy built by code must too, since
        # a zero delay, pace or window would make the throttle (and the figures) meaningless.
        for name in (
            "first_delay",
            "max_delay",
            "forget_after",
            "device_failures_per_hour",
            "ip_failures_per_hour",
            "proven_lifetime",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.proven_devices_per_account < 0:
            raise ValueError("proven_devices_per_account must be at least 0")

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> ThrottlePolicy:
        """Read the policy from a [throttle] configuration section (other keys are ignored)."""
        return cls(**{field.name: section[field.name] for field in fields(cls)})

    def delay_after(self, failures: int) -> int:
        """Seconds the next attempt waits after `failures` failures in a row."""
        steps = failures - self.free_failures - 1
        if steps < 0:
            return 0
        # first_delay >= 1, so from this many doublings on the cap is reached anyway; the
        # shortcut keeps a huge failure count from building a huge integer.
        if steps >= self.max_delay.bit_length():
            return self.max_delay
        return min(self.max_delay, self.first_delay << steps)

    def pause_after(self, failures: int) -> int:
        """The wait that really applies: after forget_after the failures are forgotten."""
        return min(self.delay_after(failures), self.forget_after)


def attempts_per_day(policy: ThrottlePolicy, window: int = DAY) -> int:
    """Most guesses all untrusted sources together can make on one account in `window` s."""
    # Exact, not simulated: the first guess is at time 0 and every guess comes before
    # `window`. Between two guesses an attacker either goes as soon as the wait is over, or
    # waits forget_after so that the failures are forgotten and the free ones come back
    # (waiting any other time gains nothing). With `starts` fresh starts, every other
    # guess costs the wait before it; the cheapest waits of `starts` identical ramps give
    # the most guesses (waits grow along a ramp, so cheapest-first keeps their order).
    # The best number of fresh starts wins; tests check this against a full search.
    best = 0
    starts = 1
    # Integer waits: "before `window`" means they add up to at most window - 1.
    while (budget := window - 1 - (starts - 1) * policy.forget_after) >= 0:
        best = max(best, starts + _cheapest_guesses(policy, starts, budget))
        starts += 1
    return best


def _cheapest_guesses(policy: ThrottlePolicy, ramps: int, budget: int) -> int:
    """Guesses after the first of each ramp whose waits add up to at most `budget`."""
    ceiling = min(policy.max_delay, policy.forget_after)
    guesses = 0
    failures = 1
    while True:
        cost = policy.pause_after(failures)
        if cost == 0:
            guesses += ramps
        elif cost == ceiling:
            # The ramp has reached its ceiling: every further guess costs the same.
            return guesses + budget // cost
        else:
            taken = min(ramps, budget // cost)
            guesses += taken
            budget -= taken * cost
            if taken < ramps:
                return guesses
        failures += 1


def paced_failures(per_hour: int, window: int) -> int:
    """Most failures a pace of `per_hour` lets through in `window` seconds (from an idle
    start): the whole hour's worth at once, then one every 3600 / per_hour seconds."""
    # The k-th failure beyond the first per_hour may come (k * 3600 / per_hour) s after
    # the start; it counts while that is before `window`. In whole numbers, so that
    # 3600 / 1000 = 3.6 leaves no float noise at the edge.
    return per_hour + -(-window * per_hour // HOUR) - 1
