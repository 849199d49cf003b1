"""docs/security.md quotes throttling figures: recompute them from the defaults."""

from __future__ import annotations

import math
import re
from pathlib import Path

from idp.config import SCHEMA
from idp.credentials import pictures, words
from idp.throttle import ThrottlePolicy, attempts_per_day

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
    ip_per_day = 24 * policy.ip_failures_per_hour
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
        "failed guesses per day from one IP address, over many accounts": f"{ip_per_day:,}",
        "word-password accounts one IP address guesses per day, expected": (
            f"{ip_per_day / word_count:.2f} (one every {word_count / ip_per_day:.1f} days)"
        ),
        "picture-password accounts one IP address guesses per day, expected": (
            f"one every {picture_count / ip_per_day * DAY / YEAR:,.0f} years"
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
        "ip_failures_per_hour",
        "alarm_failures_per_minute",
        "device_lifetime",
    }
    for name, value in quoted.items():
        assert int(value) == SCHEMA["throttle"][name].default, name


def test_the_doc_quotes_the_entropy_the_credential_modules_state():
    # words.py and pictures.py state their entropy in their docstrings too.
    assert f"{math.log2(words.password_count()):.1f} bits" in words.__doc__
    assert f"{math.log2(pictures.combination_count()):.1f} bits" in pictures.__doc__
