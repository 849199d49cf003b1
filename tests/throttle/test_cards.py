"""Card look-ups are throttled apart from sign-ins, on both stores with a fake clock: a
browser's unknown cards slow down that browser only, never another browser's card or
anyone's password, and they count towards the alarm."""

from __future__ import annotations

from dataclasses import replace

from idp.throttle import Verdict
from tests.throttle.test_throttle import GO, browser, fill_the_school


def unknown_cards(throttle, count, source):
    """`count` look-ups of cards that open nothing, each as soon as allowed."""
    for _ in range(count):
        throttle.clock.advance(throttle.check_card(source).wait)
        assert throttle.check_card(source) == GO
        throttle.card_failed(source)


def test_a_browser_trying_cards_waits_longer_and_longer(throttle, clock):
    guesser = browser("guesser")
    unknown_cards(throttle, 5, guesser)
    assert throttle.check_card(guesser) == GO  # the free failures: typos
    throttle.card_failed(guesser)
    assert throttle.check_card(guesser) == Verdict(5, "device")
    clock.advance(5)
    throttle.card_failed(guesser)
    assert throttle.check_card(guesser) == Verdict(10, "device")
    # Only that browser: the tablet beside it looks up its card at once.
    assert throttle.check_card(browser("tablet")) == GO


def test_a_card_that_works_forgets_the_browsers_typos(throttle):
    child = browser("class-tablet")
    unknown_cards(throttle, 6, child)
    assert throttle.check_card(child).wait
    throttle.clock.advance(throttle.check_card(child).wait)
    throttle.card_found(child)
    unknown_cards(throttle, 5, child)
    assert throttle.check_card(child) == GO


def test_a_network_trying_cards_never_holds_back_a_new_browsers_card(throttle):
    # Outside testing: a pace per address let one script keep every new tablet of a school
    # from opening its card. Guessing is hopeless anyway (79 bits); only browsers wait.
    for number in range(5000):  # a script without cookies: a new browser every time
        throttle.card_failed(browser(f"script-{number}"))
    assert throttle.check_card(browser("new-tablet")) == GO
    assert throttle.check("lotte.peeters", browser("new-tablet")) == GO


def test_unknown_cards_count_towards_the_alarm(throttle, caplog):
    throttle.policy = replace(throttle.policy, alarm_failures_per_minute=10)
    for number in range(11):
        throttle.card_failed(browser(f"script-{number}"))
    assert throttle.failures_this_minute() == 11
    assert "more than 10 failed sign-ins or unknown cards in the minute" in caplog.text


def test_failed_sign_ins_do_not_slow_card_look_ups(throttle):
    throttle.policy = replace(throttle.policy, ip_failures_per_hour=30)
    fill_the_school(throttle)
    assert throttle.check("someone.new", browser("new")).reason == "ip"
    assert throttle.check_card(browser("new")) == GO
