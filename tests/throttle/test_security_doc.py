"""docs/security.md quotes throttling figures: recompute them from the defaults."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

from idp.config import SCHEMA
from idp.credentials import pictures, words
from idp.throttle import (
    MemoryStore,
    Source,
    Throttle,
    ThrottlePolicy,
    attempts_per_day,
    paced_failures,
)
from tests.throttle.conftest import FakeClock

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
DAY = 86400
YEAR = 365.25 * DAY


def quoted_figures() -> dict[str, str]:
    """The rows of the figures table in docs/security.md."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- figures -->", 1)[1].split("<!-- /figures -->", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in table.strip().splitlines()[2:]]
    return {label.strip(): value.strip() for label, value in rows}


def expected_figures() -> dict[str, str]:
    """The same figures, computed from the code and the default configuration."""
    policy = ThrottlePolicy.from_settings(
        {name: key.default for name, key in SCHEMA["throttle"].items()}
    )
    word_count = words.password_count()
    picture_count = pictures.combination_count()
    first_day = attempts_per_day(policy)
    further_day = attempts_per_day(policy, 2 * DAY) - first_day
    # From browsers without cookies only the address's pace binds guesses spread over
    # many existing accounts; a browser that keeps its cookie is held to its own pace.
    ip_per_day = paced_failures(policy.ip_failures_per_hour, DAY)
    browser_per_day = paced_failures(policy.device_failures_per_hour, DAY)
    # Proofs last proven_lifetime and are not renewed; an account's window of
    # proven_devices_per_account proofs is as long and starts with its first proof, which
    # has ended when the next window starts: this window's and all but one of the last's.
    proven_at_once = 2 * policy.proven_devices_per_account - 1
    proven_per_day = proven_at_once * browser_per_day
    # The alarm fires when a minute goes over the threshold: the threshold itself is silent.
    quiet_per_day = 24 * 60 * policy.alarm_failures_per_minute

    def days_to_guess(count: int) -> float:
        # Trying every password once in random order finds it after (n + 1) / 2 on average.
        return 1 + ((count + 1) / 2 - first_day) / further_day

    free = next(n for n in range(1, 1000) if policy.delay_after(n) > 0)
    return {
        "word passwords": f"{word_count:,} ({math.log2(word_count):.1f} bits)",
        "picture passwords": f"{picture_count:,} ({math.log2(picture_count):.1f} bits)",
        "attempts on one account before the first wait": str(free),
        "guesses on one account in any 24 hours": str(first_day),
        "guesses on one account on each further day": str(further_day),
        "expected time to guess one given word password": (
            f"{days_to_guess(word_count):,.0f} days"
        ),
        "expected time to guess one given picture password": (
            f"{days_to_guess(picture_count) * DAY / YEAR:,.0f} years"
        ),
        "failed guesses per day on existing accounts from one IP address, browsers never "
        "signed in": f"{ip_per_day:,}",
        "word-password accounts one IP address guesses per day, expected": (
            f"{ip_per_day / word_count:.2f} (one every {word_count / ip_per_day:.1f} days)"
        ),
        "picture-password accounts one IP address guesses per day, expected": (
            f"one every {picture_count / ip_per_day * DAY / YEAR:,.0f} years"
        ),
        "failed guesses per day from one browser that keeps its cookie": f"{browser_per_day:,}",
        "devices one account keeps proven at once, at most": str(proven_at_once),
        "failed guesses per day from the proven devices of one account, from any addresses": (
            f"{proven_per_day:,}"
        ),
        "word-password accounts the proven devices of one account guess per day, expected": (
            f"{proven_per_day / word_count:.2f} (one every {word_count / proven_per_day:.1f} days)"
        ),
        "failed sign-ins per day that raise no alarm": f"{quiet_per_day:,}",
        "word-password accounts guessed per day without an alarm, expected": (
            f"{quiet_per_day / word_count:.1f}"
        ),
    }


def test_the_figures_in_the_security_doc_follow_from_the_defaults():
    assert quoted_figures() == expected_figures()


def test_the_settings_quoted_in_the_security_doc_are_the_defaults():
    text = DOC.read_text(encoding="utf-8")
    quoted = dict(re.findall(r"`(\w+) = (\d+)`", text))
    assert set(quoted) == {
        "free_failures",
        "first_delay",
        "max_delay",
        "forget_after",
        "device_failures_per_hour",
        "ip_failures_per_hour",
        "proven_devices_per_account",
        "proven_lifetime",
        "alarm_failures_per_minute",
        "device_lifetime",
    }
    for name, value in quoted.items():
        assert int(value) == SCHEMA["throttle"][name].default, name


def test_the_doc_quotes_the_entropy_the_credential_modules_state():
    # words.py and pictures.py state their entropy in their docstrings too.
    assert f"{math.log2(words.password_count()):.1f} bits" in words.__doc__
    assert f"{math.log2(pictures.combination_count()):.1f} bits" in pictures.__doc__


def _most_alive(policy: ThrottlePolicy, prove_at: list[int]) -> int:
    """Most proofs of one account alive at once when it proves a new browser at each of
    these whole seconds."""
    clock = FakeClock()
    throttle = Throttle(MemoryStore(clock), policy, clock)
    start = clock()
    alive: list[float] = []
    most = 0
    for step, moment in enumerate(sorted(prove_at)):
        clock.now = start + moment
        if throttle.succeeded("own.account", Source("203.0.113.7", f"minted-{step}", False)):
            alive.append(clock())
        alive = [proved for proved in alive if clock() - proved < policy.proven_lifetime]
        most = max(most, len(alive))
    return most


def test_an_account_keeps_at_most_twice_its_share_less_one_proven():
    """The figure behind "devices one account keeps proven at once"."""
    policy = ThrottlePolicy(proven_lifetime=100, proven_devices_per_account=3)
    # Opening a window with one proof, then proving the rest just before it ends and the
    # next share just after, reaches the bound ...
    assert _most_alive(policy, [0, 98, 99, 100, 101, 102]) == 5
    # ... and no schedule goes beyond it.
    chance = random.Random(20261130)  # noqa: S311 - reproducible schedules, not secrets
    for _ in range(300):
        moments = chance.sample(range(400), chance.randint(1, 40))
        assert _most_alive(policy, moments) <= 5


def test_a_cleared_streak_would_give_a_guesser_14_guesses_in_21_minutes():
    """The figure behind "A pupil whose username is targeted" (Limits worth knowing)."""
    policy = ThrottlePolicy.from_settings(
        {name: key.default for name, key in SCHEMA["throttle"].items()}
    )
    moments = [0]
    while (later := moments[-1] + policy.pause_after(len(moments))) < 21 * 60 + 60:
        moments.append(later)
    assert len(moments) == 14 and moments[-1] <= 21 * 60 + 15
    assert "(14 guesses within 21 minutes instead of one per 15 minutes)" in " ".join(
        DOC.read_text(encoding="utf-8").split()
    )
    assert policy.max_delay == 15 * 60
