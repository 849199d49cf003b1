"""Throttle behaviour, on both stores with a fake clock: delays, devices, paces, proofs, the
alarm. Each failure is charged to the narrowest thing that made it."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from idp.throttle import MemoryStore, RedisStore, Source, Throttle, Verdict, ip_source
from tests.redis_keys import TEST_REDIS_URL, prefixed_keys

GO = Verdict(0, None)
SCHOOL = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
TABLET = "device-of-the-class-tablet"


def browser(device: str = "a-browser", ip: str = SCHOOL) -> Source:
    """A browser that is not trusted for the account it tries."""
    return Source(ip, device, False)


def trusted(device: str = TABLET, ip: str = SCHOOL) -> Source:
    """A browser trusted for the account it tries (its cookie lists it)."""
    return Source(ip, device, True)


def fail_times(throttle, count, username="lotte.peeters", source=None, known=True):
    """Fail `count` times in a row, each as soon as allowed; the last verdict."""
    source = source or browser()
    verdict = GO
    for _ in range(count):
        throttle.clock.advance(verdict.wait)
        assert throttle.check(username, source) == GO
        verdict = throttle.failed(username, source, known=known)
    return verdict


def test_delays_grow_as_configured(throttle, clock):
    expected = [0, 0, 0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]
    for failures, delay in enumerate(expected, start=1):
        assert throttle.failed("lotte.peeters", browser(), known=True).wait == delay
        assert throttle.policy.delay_after(failures) == delay
        if delay:
            assert throttle.check("lotte.peeters", browser()) == Verdict(delay, "account")
            clock.advance(delay - 1)
            assert throttle.check("lotte.peeters", browser()) == Verdict(1, "account")
            clock.advance(1)
        assert throttle.check("lotte.peeters", browser()) == GO


def test_the_wait_counts_from_the_last_failure_and_rounds_up(throttle, clock):
    fail_times(throttle, 6)
    clock.advance(0.4)
    assert throttle.check("lotte.peeters", browser()) == Verdict(5, "account")
    clock.advance(4.5)
    assert throttle.check("lotte.peeters", browser()) == Verdict(1, "account")
    clock.advance(0.1)
    assert throttle.check("lotte.peeters", browser()) == GO


def test_the_wait_is_never_permanent(throttle, clock):
    verdict = fail_times(throttle, 25)
    assert verdict == Verdict(900, "account")
    clock.advance(900)
    assert throttle.check("lotte.peeters", browser()) == GO


def test_everything_is_forgotten_after_forget_after(throttle, clock):
    fail_times(throttle, 20)
    clock.advance(throttle.policy.forget_after - 1)
    assert throttle.check("lotte.peeters", browser()) == GO
    clock.advance(1)
    # Forgotten: the free failures are back.
    assert fail_times(throttle, 5) == GO
    assert throttle.failed("lotte.peeters", browser(), known=True) == Verdict(5, "account")


def test_untrusted_sources_share_the_account_delay(throttle):
    fail_times(throttle, 8, source=browser("one"))
    assert throttle.check("lotte.peeters", browser("two", ELSEWHERE)) == Verdict(20, "account")
    assert throttle.check("jonas.maes", browser("one")) == GO


def test_capitals_and_spaces_do_not_make_a_fresh_account(throttle):
    fail_times(throttle, 6, username="lotte.peeters")
    assert throttle.check(" Lotte.Peeters ", browser("two", ELSEWHERE)) == Verdict(5, "account")


def test_failures_on_unknown_usernames_count_like_any_other_on_their_streak(throttle):
    # The delays do not tell whether an account exists.
    assert fail_times(throttle, 7, username="nobody.at.all", known=False) == Verdict(10, "account")
    assert throttle.check("nobody.at.all", browser("two", ELSEWHERE)) == Verdict(10, "account")


def test_a_trusted_device_skips_the_account_delay(throttle):
    for number in range(30):  # a stranger hammers the account, from browsers without cookies
        throttle.failed("lotte.peeters", browser(f"script-{number}", ELSEWHERE), known=True)
    assert throttle.check("lotte.peeters", browser()) == Verdict(900, "account")
    assert throttle.check("lotte.peeters", trusted()) == GO
    assert throttle.failed("lotte.peeters", trusted(), known=True) == GO
    throttle.succeeded("lotte.peeters", trusted())
    # The pupil's success clears the device's streak, not the stranger's.
    assert throttle.check("lotte.peeters", browser()) == Verdict(900, "account")


def test_a_trusted_device_has_its_own_growing_delays(throttle, clock):
    # A classmate on a shared tablet where the pupil once signed in is slowed down too.
    assert fail_times(throttle, 6, source=trusted()) == Verdict(5, "account")
    assert throttle.check("lotte.peeters", trusted()) == Verdict(5, "account")
    clock.advance(5)
    assert throttle.failed("lotte.peeters", trusted(), known=True) == Verdict(10, "account")
    assert throttle.check("lotte.peeters", trusted()) == Verdict(10, "account")
    # Other sources are not slowed down by it: not strangers, not the pupil's phone.
    assert throttle.check("lotte.peeters", browser()) == GO
    assert throttle.check("lotte.peeters", trusted("phone")) == GO
    assert throttle.check("jonas.maes", browser(TABLET)) == GO


def test_success_clears_the_failures_of_that_source(throttle):
    fail_times(throttle, 6)
    fail_times(throttle, 6, source=trusted())
    throttle.succeeded("lotte.peeters", browser())
    assert throttle.check("lotte.peeters", browser("other")) == GO
    assert throttle.check("lotte.peeters", trusted()) == Verdict(5, "account")
    throttle.succeeded("lotte.peeters", trusted())
    assert throttle.check("lotte.peeters", trusted()) == GO


def test_a_success_on_a_trusted_device_leaves_the_strangers_streak_alone(throttle, clock):
    # The streak is what slows a guesser down; the pupil signing in on their own tablet
    # proves the pupil, not the guesser (docs/security.md, "Limits worth knowing").
    fail_times(throttle, 12, source=browser("stranger", ELSEWHERE))
    waiting = throttle.check("lotte.peeters", browser("stranger", ELSEWHERE))
    assert waiting.reason == "account"
    throttle.succeeded("lotte.peeters", trusted())
    assert throttle.check("lotte.peeters", browser("stranger", ELSEWHERE)) == waiting
    assert throttle.check("lotte.peeters", trusted()) == GO


# The pace of one browser.


def test_a_browser_that_fails_on_many_accounts_slows_down_only_itself(throttle, clock):
    classmate = browser("classmate")
    for number in range(59):
        assert throttle.failed(f"pupil{number}", classmate, known=number % 2 == 0) == GO
    # The 60th failure within the hour: from now on one failure every 60 seconds.
    assert throttle.failed("pupil59", classmate, known=False) == Verdict(60, "device")
    assert throttle.check("someone.else", classmate) == Verdict(60, "device")
    # Every other browser of the school goes ahead, and so does this one where it is trusted.
    assert throttle.check("someone.else", browser("next-to-it")) == GO
    assert throttle.check("someone.else", Source(SCHOOL, "classmate", True)) == GO
    clock.advance(59.5)
    assert throttle.check("someone.else", classmate) == Verdict(1, "device")
    clock.advance(0.5)
    assert throttle.check("someone.else", classmate) == GO
    assert throttle.failed("someone.else", classmate, known=True) == Verdict(60, "device")


def test_a_class_taking_turns_on_one_browser_gets_its_typos_back(throttle, clock):
    tablet = browser(TABLET)
    # 25 pupils in turn on one tablet, two typos each, in twenty minutes: without taking
    # the typos back, the 50 failures would hold the tablet back halfway through the class.
    for number in range(25):
        pupil = f"pupil{number}"
        for _ in range(2):
            clock.advance(16)
            assert throttle.check(pupil, tablet) == GO
            assert throttle.failed(pupil, tablet, known=True) == GO
        assert throttle.check(pupil, tablet) == GO
        throttle.succeeded(pupil, tablet)
    assert throttle.store.read("", [], [throttle._pace_key("device", TABLET)]).paces[0] <= clock()


def test_only_the_failures_on_the_username_signed_in_are_taken_back(throttle, clock):
    classmate = browser("classmate")
    for number in range(59):
        throttle.failed(f"pupil{number}", classmate, known=True)
    # Failing on their own account first, then signing in to it, gives back only those.
    for _ in range(3):
        throttle.failed("own.account", classmate, known=True)
    assert throttle.check("pupil99", classmate).reason == "device"
    throttle.succeeded("own.account", classmate)
    assert throttle.check("pupil99", classmate) == GO
    # The 60th failure on others' accounts: the pace is full again.
    assert throttle.failed("pupil99", classmate, known=True) == Verdict(60, "device")
    # Once: signing in again gives nothing back, and neither does a trusted browser.
    throttle.succeeded("own.account", classmate)
    throttle.succeeded("own.account", Source(SCHOOL, "classmate", True))
    assert throttle.check("pupil100", classmate) == Verdict(60, "device")


def test_typos_older_than_an_hour_are_not_taken_back(in_memory, clock):
    throttle = in_memory  # the tally's expiry is what forgets them (Redis: in real time)
    tablet = browser(TABLET)
    throttle.failed("lotte.peeters", tablet, known=True)
    clock.advance(3601)
    for number in range(59):
        throttle.failed(f"pupil{number}", tablet, known=True)
    throttle.succeeded("lotte.peeters", tablet)
    assert throttle.failed("pupil59", tablet, known=True) == Verdict(60, "device")


def test_a_trusted_browsers_failures_do_not_fill_its_pace(throttle):
    for number in range(40):
        throttle.failed(f"pupil{number}", trusted(), known=True)
    assert throttle.check("someone.new", browser(TABLET)) == GO


# The pace of an IP address.


@pytest.fixture
def small_ceiling(throttle):
    """The throttle with a pace of 30 failures per IP per hour."""
    throttle.policy = replace(throttle.policy, ip_failures_per_hour=30)
    return throttle


def fill_the_school(throttle, count=30, known=True, ip=SCHOOL):
    """`count` failures on as many usernames from browsers without cookies (a script)."""
    for number in range(count):
        verdict = throttle.failed(f"pupil{number}", browser(f"script-{number}", ip), known=known)
        # The answer to a failure never tells the IP's pace: it would tell `known`.
        assert verdict == GO


def test_the_ip_pace_slows_untrusted_attempts_down_without_blocking_the_hour(small_ceiling, clock):
    throttle = small_ceiling
    clock.advance(600)  # 10 minutes into the hour: an hour's ceiling would block 50 minutes
    fill_the_school(throttle)
    assert throttle.check("someone.new", browser("new")) == Verdict(120, "ip")
    # Other addresses, trusted browsers and proven devices are not held back by it.
    assert throttle.check("someone.new", browser("new", ELSEWHERE)) == GO
    assert throttle.check("someone.new", trusted()) == GO
    assert throttle.succeeded("own.account", browser("proven-tablet")) is True
    assert throttle.check("someone.new", browser("proven-tablet")) == GO
    clock.advance(119.5)
    assert throttle.check("someone.new", browser("new")) == Verdict(1, "ip")
    clock.advance(0.5)
    assert throttle.check("someone.new", browser("new")) == GO
    throttle.failed("someone.new", browser("new"), known=True)
    assert throttle.check("another", browser("newer")) == Verdict(120, "ip")


def test_the_ip_pace_drains(small_ceiling, clock):
    fill_the_school(small_ceiling)
    clock.advance(3600 - 120)
    assert small_ceiling.check("someone.new", browser("new")) == GO
    fill_the_school(small_ceiling, count=29)
    assert small_ceiling.check("someone.new", browser("new")) == Verdict(120, "ip")


def test_made_up_usernames_do_not_fill_the_ip_pace(small_ceiling):
    fill_the_school(small_ceiling, count=1000, known=False)
    assert small_ceiling.check("a.real.pupil", browser("first-day-tablet")) == GO


def test_the_answer_to_a_failure_is_the_same_for_known_and_unknown_usernames(small_ceiling):
    fill_the_school(small_ceiling, count=29)
    # The 30th fills the pace; neither answer tells, the next check holds back both alike.
    assert small_ceiling.failed("exists", browser("one"), known=True) == GO
    assert small_ceiling.failed("made.up", browser("two"), known=False) == GO
    assert small_ceiling.check("exists", browser("three")) == Verdict(120, "ip")
    assert small_ceiling.check("made.up", browser("three")) == Verdict(120, "ip")


def test_proven_devices_neither_fill_nor_wait_for_the_ip_pace(small_ceiling):
    throttle = small_ceiling
    assert throttle.succeeded("lotte.peeters", browser("class-tablet"))
    for number in range(29):
        throttle.failed(f"pupil{number}", browser("class-tablet"), known=True)
    assert throttle.check("someone.new", browser("new")) == GO


def test_the_longer_wait_wins(small_ceiling, clock):
    throttle = small_ceiling
    fail_times(throttle, 13, source=browser("one", ELSEWHERE))  # 640 s for the account
    fill_the_school(throttle)  # 120 s for the school's address
    assert throttle.check("lotte.peeters", browser("two")) == Verdict(640, "account")
    assert throttle.check("jonas.maes", browser("two")) == Verdict(120, "ip")
    throttle.failed("lotte.peeters", browser("three", ELSEWHERE), known=True)  # 900 s now
    clock.advance(120)
    assert throttle.check("lotte.peeters", browser("two")) == Verdict(780, "account")


def test_an_ipv6_client_cannot_step_around_the_pace(small_ceiling):
    for host in range(30):
        small_ceiling.failed(
            f"pupil{host}", browser(f"s{host}", f"2001:db8:1:2::{host:x}"), known=True
        )
    assert small_ceiling.check("someone.new", browser("n", "2001:db8:1:2:ffff::1")).reason == "ip"
    assert small_ceiling.check("someone.new", browser("n", "2001:db8:1:3::1")) == GO


def test_ip_sources():
    assert ip_source("203.0.113.7") == "203.0.113.7"
    assert ip_source("::ffff:203.0.113.7") == "203.0.113.7"
    assert ip_source("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert ip_source("not an address") == "not an address"


# Proven devices: bounded per account.


def test_an_account_proves_a_bounded_number_of_devices(throttle):
    limit = throttle.policy.proven_devices_per_account
    assert limit == 5
    for number in range(limit):
        assert throttle.succeeded("own.account", browser(f"minted-{number}")) is True
    assert throttle.succeeded("own.account", browser("one-too-many")) is False
    # A device proven already stays so (another sign-in there does not count) ...
    assert throttle.succeeded("own.account", browser("minted-0")) is True
    assert throttle.succeeded("own.account", browser("still-too-many")) is False
    # ... and another account may prove the device this one could not.
    assert throttle.succeeded("classmate", browser("one-too-many")) is True


@pytest.fixture
def in_memory(policy, clock):
    """A throttle on the memory store, whose expiry follows the fake clock (Redis's TTLs
    follow the real one: tests/throttle/test_store.py checks them)."""
    return Throttle(MemoryStore(clock), replace(policy, ip_failures_per_hour=30), clock)


def test_proofs_end_after_proven_lifetime_and_the_account_may_prove_again(in_memory, clock):
    throttle = in_memory
    for number in range(5):
        throttle.succeeded("own.account", browser(f"minted-{number}"))
    assert throttle.succeeded("own.account", browser("sixth")) is False
    clock.advance(throttle.policy.proven_lifetime)
    assert throttle.succeeded("own.account", browser("sixth")) is True


def test_an_ended_proof_is_not_renewed_by_signing_in_again(in_memory, clock):
    throttle = in_memory
    throttle.succeeded("own.account", browser("tablet"))
    clock.advance(throttle.policy.proven_lifetime - 10)
    throttle.succeeded("own.account", browser("tablet"))
    clock.advance(10)
    fill_the_school(throttle)
    assert throttle.check("someone.new", browser("tablet")) == Verdict(120, "ip")
    # The next sign-in there proves it again.
    throttle.policy = replace(throttle.policy, ip_failures_per_hour=1000)
    assert throttle.succeeded("classmate", browser("tablet")) is True
    throttle.policy = replace(throttle.policy, ip_failures_per_hour=30)
    assert throttle.check("someone.new", browser("tablet")) == GO


def test_with_no_proofs_allowed_no_device_is_exempt(small_ceiling):
    small_ceiling.policy = replace(small_ceiling.policy, proven_devices_per_account=0)
    assert small_ceiling.succeeded("own.account", browser("tablet")) is False
    fill_the_school(small_ceiling)
    assert small_ceiling.check("someone.new", browser("tablet")).reason == "ip"


# A school behind one address.


def test_a_hundred_pupils_behind_one_ip_with_typos_all_get_through(throttle, clock):
    pupils = [f"pupil{number:03}" for number in range(100)]
    for typos in (1, 2):
        for number, pupil in enumerate(pupils):
            if typos == 1 or number % 2:
                assert throttle.check(pupil, browser(pupil)) == GO
                assert throttle.failed(pupil, browser(pupil), known=True) == GO
        clock.advance(20)
    for pupil in pupils:
        assert throttle.check(pupil, browser(pupil)) == GO
        throttle.succeeded(pupil, browser(pupil))
    assert throttle.check("late.pupil", browser("late")) == GO


def test_a_script_of_made_up_names_leaves_the_first_school_day_alone(throttle):
    fill_the_school(throttle, count=1000, known=False)
    for number in range(100):
        assert throttle.check(f"pupil{number}", browser(f"new-tablet-{number}")) == GO


@pytest.fixture
def alarm_at_10(throttle):
    """The throttle with an alarm above 10 failures a minute."""
    throttle.policy = replace(throttle.policy, alarm_failures_per_minute=10)
    return throttle


def test_the_alarm_logs_once_per_minute_above_the_threshold(alarm_at_10, clock, caplog):
    throttle = alarm_at_10
    # A second instance on the same shared counters.
    other = Throttle(throttle.store, throttle.policy, clock, secret=b"test secret")
    caplog.set_level(logging.WARNING, logger="idp.throttle")
    for number in range(10):
        throttle.failed(f"pupil{number}", browser(str(number)), known=True)
    assert caplog.records == []
    assert throttle.failures_this_minute() == 10
    for number in range(30):
        # Unknown usernames count towards the alarm too.
        (throttle if number % 2 else other).failed(
            f"guess{number}", browser(str(number), f"10.0.0.{number}"), known=False
        )
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert (
        "more than 10 failed sign-ins or unknown cards in the minute from 2023-11-14 23:00"
        in caplog.text
    )
    assert other.failures_this_minute() == 40
    clock.advance(60)
    assert throttle.failures_this_minute() == 0
    for number in range(10):
        throttle.failed(f"pupil{number}", browser(str(number)), known=True)
    assert len(caplog.records) == 1
    throttle.failed("pupil10", trusted(), known=True)  # trusted failures count too
    assert len(caplog.records) == 2
    assert "in the minute from 2023-11-14 23:01" in caplog.records[1].getMessage()


def test_redis_keys_name_neither_usernames_nor_addresses(policy, clock, redis_prefix):
    store = RedisStore(TEST_REDIS_URL, redis_prefix)
    throttle = Throttle(store, policy, clock, secret=b"test secret")
    throttle.failed("lotte.peeters", browser(TABLET), known=True)
    throttle.failed("lotte.peeters", trusted(), known=True)
    throttle.succeeded("jonas.maes", browser(TABLET))
    keys = prefixed_keys(redis_prefix)
    # Account streak, device streak, minute, the browser's failures on the account, the two
    # paces, the proof and its tally.
    assert len(keys) == 8
    assert not [key for key in keys if "lotte" in key or "203.0" in key or TABLET in key]
    store.client.close()
