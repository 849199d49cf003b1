"""The policy's numbers: delays and the guesses they allow per day."""

from __future__ import annotations

import functools
import itertools

import pytest

from idp.config import load_settings
from idp.throttle import ThrottlePolicy, attempts_per_day


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


def test_a_policy_without_delays_is_refused():
    with pytest.raises(ValueError, match="max_delay must be at least 1"):
        ThrottlePolicy(max_delay=0)
