"""The policy's numbers: delays and the guesses they allow per day."""

from __future__ import annotations

import functools
import itertools

import pytest

from idp.config import load_settings
from idp.throttle import (
    MemoryStore,
    Source,
    Throttle,
    ThrottlePolicy,
    attempts_per_day,
    paced_failures,
)
from tests.throttle.conftest import FakeClock


def test_policy_reads_the_throttle_section():
    section = load_settings({"throttle": {"free_failures": 3, "max_delay": 60}})["throttle"]
    policy = ThrottlePolicy.from_settings(section)
    assert (policy.free_failures, policy.max_delay) == (3, 60)
    assert policy.forget_after == section["forget_after"] == 86400


def test_defaults_match_the_configuration_defaults():
    assert ThrottlePolicy.from_settings(load_settings()["throttle"]) == ThrottlePolicy()


def test_delays_are_free_then_double_up_to_the_cap():
    policy = ThrottlePolicy(free_failures=5, first_delay=5, max_delay=900)
    delays = [policy.delay_after(n) for n in range(0, 16)]
    assert delays == [0, 0, 0, 0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900]


def test_delay_of_an_absurd_failure_count_is_the_cap():
    assert ThrottlePolicy().delay_after(10**9) == 900


def test_default_policy_allows_108_guesses_a_day():
    # 6 at once, 8 more within 1,275 s (5 + 10 + ... + 640), then one per 900 s.
    assert attempts_per_day(ThrottlePolicy()) == 6 + 8 + (86399 - 1275) // 900 == 108


def _by_search(policy: ThrottlePolicy, window: int) -> int:
    """The most guesses in `window`, by trying every whole-second schedule."""

    @functools.cache
    def after(moment: int, failures: int) -> int:
        earliest = moment + policy.pause_after(failures)
        return max(
            (
                1 + after(later, failures + 1 if later - moment < policy.forget_after else 1)
                for later in range(earliest, window)
            ),
            default=0,
        )

    return 1 + after(0, 1)


@pytest.mark.parametrize(
    ("free", "first", "cap", "forget", "window"),
    [
        (5, 5, 900, 86400, 1000),
        (2, 3, 20, 60, 240),  # short forget_after: waiting to be forgotten pays off
        (1, 1, 8, 10, 150),
        (3, 2, 50, 30, 200),  # the cap beyond forget_after
        (4, 7, 7, 100, 5),
    ],
)
def test_attempts_per_day_is_the_best_schedule(free, first, cap, forget, window):
    policy = ThrottlePolicy(
        free_failures=free, first_delay=first, max_delay=cap, forget_after=forget
    )
    assert attempts_per_day(policy, window) == _by_search(policy, window)


def test_attempts_per_day_matches_a_search_on_many_small_policies():
    for free, first, cap, forget in itertools.product((1, 3), (1, 2, 5), (4, 30), (5, 45)):
        policy = ThrottlePolicy(
            free_failures=free, first_delay=first, max_delay=cap, forget_after=forget
        )
        assert attempts_per_day(policy, 120) == _by_search(policy, 120), policy


def test_a_policy_without_delays_or_paces_is_refused():
    with pytest.raises(ValueError, match="max_delay must be at least 1"):
        ThrottlePolicy(max_delay=0)
    with pytest.raises(ValueError, match="ip_failures_per_hour must be at least 1"):
        ThrottlePolicy(ip_failures_per_hour=0)
    with pytest.raises(ValueError, match="device_failures_per_hour must be at least 1"):
        ThrottlePolicy(device_failures_per_hour=0)
    with pytest.raises(ValueError, match="proven_devices_per_account must be at least 0"):
        ThrottlePolicy(proven_devices_per_account=-1)


def _paced_by_the_throttle(per_hour: int, window: int) -> int:
    """Failures on as many existing accounts from one address, each as soon as the
    throttle lets it through, with the first at 0 and all before `window` seconds."""
    clock = FakeClock()
    policy = ThrottlePolicy(ip_failures_per_hour=per_hour)
    throttle = Throttle(MemoryStore(clock), policy, clock)
    start = clock()
    failures = 0
    while True:
        source = Source("203.0.113.7", f"script-{failures}", False)
        clock.advance(throttle.check(f"pupil{failures}", source).wait)
        if clock() - start >= window:
            return failures
        throttle.failed(f"pupil{failures}", source, known=True)
        failures += 1


@pytest.mark.parametrize(
    ("per_hour", "window"), [(30, 3600), (30, 7200), (7, 1000), (1000, 100), (13, 86400)]
)
def test_paced_failures_is_what_the_throttle_lets_through(per_hour, window):
    assert paced_failures(per_hour, window) == _paced_by_the_throttle(per_hour, window)
