"""Throttle behaviour, on both stores with a fake clock: delays, devices, IPs, the alarm."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from idp.throttle import RedisStore, Throttle, Verdict, ip_source
from tests.redis_keys import TEST_REDIS_URL, prefixed_keys

from .conftest import HOUR_START

GO = Verdict(0, None)
SCHOOL = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
TABLET = "device-of-the-class-tablet"


def fail_times(throttle, count, username="lotte.peeters", ip=SCHOOL, trusted=None):
    """Fail `count` times in a row, each as soon as allowed; the last verdict."""
    verdict = GO
    for _ in range(count):
        throttle.clock.advance(verdict.wait)
        assert throttle.check(username, ip, trusted) == GO
        verdict = throttle.failed(username, ip, trusted)
    return verdict


def test_delays_grow_as_configured(throttle, clock):
    expected = [0, 0, 0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]
    for failures, delay in enumerate(expected, start=1):
        assert throttle.failed("lotte.peeters", SCHOOL, None).wait == delay
        assert throttle.policy.delay_after(failures) == delay
        if delay:
            assert throttle.check("lotte.peeters", SCHOOL, None) == Verdict(delay, "account")
            clock.advance(delay - 1)
            assert throttle.check("lotte.peeters", SCHOOL, None) == Verdict(1, "account")
            clock.advance(1)
        assert throttle.check("lotte.peeters", SCHOOL, None) == GO


def test_the_wait_counts_from_the_last_failure_and_rounds_up(throttle, clock):
    fail_times(throttle, 6)
    clock.advance(0.4)
    assert throttle.check("lotte.peeters", SCHOOL, None) == Verdict(5, "account")
    clock.advance(4.5)
    assert throttle.check("lotte.peeters", SCHOOL, None) == Verdict(1, "account")
    clock.advance(0.1)
    assert throttle.check("lotte.peeters", SCHOOL, None) == GO


def test_the_wait_is_never_permanent(throttle, clock):
    verdict = fail_times(throttle, 60)
    assert verdict == Verdict(900, "account")
    clock.advance(900)
    assert throttle.check("lotte.peeters", SCHOOL, None) == GO


def test_everything_is_forgotten_after_forget_after(throttle, clock):
    fail_times(throttle, 20)
    clock.advance(throttle.policy.forget_after - 1)
    assert throttle.check("lotte.peeters", SCHOOL, None) == GO
    clock.advance(1)
    # Forgotten: the free failures are back.
    assert fail_times(throttle, 5) == GO
    assert throttle.failed("lotte.peeters", SCHOOL, None) == Verdict(5, "account")


def test_untrusted_sources_share_the_account_delay(throttle):
    fail_times(throttle, 8, ip=SCHOOL)
    assert throttle.check("lotte.peeters", ELSEWHERE, None) == Verdict(20, "account")
    assert throttle.check("jonas.maes", SCHOOL, None) == GO


def test_capitals_and_spaces_do_not_make_a_fresh_account(throttle):
    fail_times(throttle, 6, username="lotte.peeters")
    assert throttle.check(" Lotte.Peeters ", ELSEWHERE, None) == Verdict(5, "account")


def test_failures_on_unknown_usernames_count_like_any_other(throttle):
    # The throttle never asks whether an account exists: the delays do not tell.
    assert fail_times(throttle, 7, username="nobody.at.all") == Verdict(10, "account")
    assert throttle.check("nobody.at.all", ELSEWHERE, None) == Verdict(10, "account")


def test_a_trusted_device_skips_the_account_delay(throttle):
    fail_times(throttle, 30)  # a stranger hammers the account
    assert throttle.check("lotte.peeters", SCHOOL, None) == Verdict(900, "account")
    assert throttle.check("lotte.peeters", SCHOOL, TABLET) == GO
    assert throttle.failed("lotte.peeters", SCHOOL, TABLET) == GO
    throttle.succeeded("lotte.peeters", TABLET)
    # The pupil's success clears the device's streak, not the stranger's.
    assert throttle.check("lotte.peeters", SCHOOL, None) == Verdict(900, "account")


def test_a_trusted_device_has_its_own_growing_delays(throttle, clock):
    # A classmate on a shared tablet where the pupil once signed in is slowed down too.
    assert fail_times(throttle, 6, trusted=TABLET) == Verdict(5, "account")
    assert throttle.check("lotte.peeters", SCHOOL, TABLET) == Verdict(5, "account")
    clock.advance(5)
    assert throttle.failed("lotte.peeters", SCHOOL, TABLET) == Verdict(10, "account")
    assert throttle.check("lotte.peeters", SCHOOL, TABLET) == Verdict(10, "account")
    # Other sources are not slowed down by it: not strangers, not the pupil's phone.
    assert throttle.check("lotte.peeters", SCHOOL, None) == GO
    assert throttle.check("lotte.peeters", SCHOOL, "phone") == GO
    assert throttle.check("jonas.maes", SCHOOL, TABLET) == GO


def test_success_clears_the_failures_of_that_source(throttle):
    fail_times(throttle, 6)
    fail_times(throttle, 6, trusted=TABLET)
    throttle.succeeded("lotte.peeters", None)
    assert throttle.check("lotte.peeters", SCHOOL, None) == GO
    assert throttle.check("lotte.peeters", SCHOOL, TABLET) == Verdict(5, "account")
    throttle.succeeded("lotte.peeters", TABLET)
    assert throttle.check("lotte.peeters", SCHOOL, TABLET) == GO


@pytest.fixture
def small_ceiling(throttle):
    """The throttle with a ceiling of 30 failures per IP per hour."""
    throttle.policy = replace(throttle.policy, ip_failures_per_hour=30)
    return throttle


def test_the_ip_ceiling_holds_back_untrusted_attempts_until_the_hour_ends(small_ceiling, clock):
    throttle = small_ceiling
    clock.advance(600)  # 10 minutes into the hour
    for pupil in range(29):
        assert throttle.failed(f"pupil{pupil}", SCHOOL, None) == GO
    # The 30th failure reaches the ceiling: the rest of the hour is 50 minutes.
    assert throttle.failed("pupil29", SCHOOL, None) == Verdict(3000, "ip")
    assert throttle.check("someone.new", SCHOOL, None) == Verdict(3000, "ip")
    # Other addresses and trusted devices are not held back by it.
    assert throttle.check("someone.new", ELSEWHERE, None) == GO
    assert throttle.check("someone.new", SCHOOL, TABLET) == GO
    clock.advance(2999.5)
    assert throttle.check("someone.new", SCHOOL, None) == Verdict(1, "ip")
    clock.advance(0.5)  # the next clock hour
    assert clock() == HOUR_START + 3600.25
    assert throttle.check("someone.new", SCHOOL, None) == GO


def test_the_longer_wait_wins(small_ceiling, clock):
    throttle = small_ceiling
    fail_times(throttle, 13)  # 640 s for the account
    for pupil in range(17):
        throttle.failed(f"pupil{pupil}", SCHOOL, None)
    waited = clock() - HOUR_START
    assert throttle.check("lotte.peeters", SCHOOL, None).reason == "ip"
    clock.advance(3600 - waited)
    assert throttle.check("lotte.peeters", SCHOOL, None) == GO


def test_trusted_failures_do_not_fill_the_ip_ceiling(small_ceiling):
    for pupil in range(40):
        small_ceiling.failed(f"pupil{pupil}", SCHOOL, TABLET)
    assert small_ceiling.check("someone.new", SCHOOL, None) == GO


def test_an_ipv6_client_cannot_step_around_the_ceiling(small_ceiling):
    for host in range(30):
        small_ceiling.failed(f"pupil{host}", f"2001:db8:1:2::{host:x}", None)
    assert small_ceiling.check("someone.new", "2001:db8:1:2:ffff::1", None).reason == "ip"
    assert small_ceiling.check("someone.new", "2001:db8:1:3::1", None) == GO


def test_ip_sources():
    assert ip_source("203.0.113.7") == "203.0.113.7"
    assert ip_source("::ffff:203.0.113.7") == "203.0.113.7"
    assert ip_source("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert ip_source("not an address") == "not an address"


def test_a_hundred_pupils_behind_one_ip_with_typos_all_get_through(throttle, clock):
    pupils = [f"pupil{number:03}" for number in range(100)]
    for typos in (1, 2):
        for number, pupil in enumerate(pupils):
            if typos == 1 or number % 2:
                assert throttle.check(pupil, SCHOOL, None) == GO
                assert throttle.failed(pupil, SCHOOL, None) == GO
        clock.advance(20)
    for pupil in pupils:
        assert throttle.check(pupil, SCHOOL, None) == GO
        throttle.succeeded(pupil, None)
    assert throttle.check("late.pupil", SCHOOL, None) == GO


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
        throttle.failed(f"pupil{number}", SCHOOL, None)
    assert caplog.records == []
    assert throttle.failures_this_minute() == 10
    for number in range(30):
        (throttle if number % 2 else other).failed(f"guess{number}", f"10.0.0.{number}", None)
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "more than 10 failed sign-ins in the minute from 2023-11-14 23:00" in caplog.text
    assert other.failures_this_minute() == 40
    clock.advance(60)
    assert throttle.failures_this_minute() == 0
    for number in range(10):
        throttle.failed(f"pupil{number}", SCHOOL, None)
    assert len(caplog.records) == 1
    throttle.failed("pupil10", SCHOOL, TABLET)  # trusted failures count too
    assert len(caplog.records) == 2
    assert "in the minute from 2023-11-14 23:01" in caplog.records[1].getMessage()


def test_redis_keys_name_neither_usernames_nor_addresses(policy, clock, redis_prefix):
    store = RedisStore(TEST_REDIS_URL, redis_prefix)
    throttle = Throttle(store, policy, clock, secret=b"test secret")
    throttle.failed("lotte.peeters", SCHOOL, None)
    throttle.failed("lotte.peeters", SCHOOL, TABLET)
    keys = prefixed_keys(redis_prefix)
    assert len(keys) == 4
    assert not [key for key in keys if "lotte" in key or "203.0" in key or TABLET in key]
    store.client.close()
