"""Card look-ups are throttled apart from sign-ins, on both stores with a fake clock: a
browser's unknown cards slow down that browser, a network's slow down its unproven
browsers' card look-ups, and nothing of it slows anyone's password."""

from __future__ import annotations

from dataclasses import replace

from idp.throttle import Verdict
from tests.throttle.test_throttle import ELSEWHERE, GO, browser, fill_the_school


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


def test_a_network_trying_cards_slows_its_unproven_browsers_card_look_ups(throttle, clock):
    throttle.policy = replace(throttle.policy, ip_failures_per_hour=30)
    for number in range(30):  # a script without cookies: a new browser every time
        throttle.card_failed(browser(f"script-{number}"))
    assert throttle.check_card(browser("new")) == Verdict(120, "ip")
    assert throttle.check_card(browser("new", ELSEWHERE)) == GO
    assert throttle.succeeded("lotte.peeters", browser("proven-tablet"))
    assert throttle.check_card(browser("proven-tablet")) == GO
    # Passwords are not held back by the cards' pace, on any browser.
    assert throttle.check("lotte.peeters", browser("new")) == GO
    clock.advance(120)
    assert throttle.check_card(browser("new")) == GO


def test_proven_browsers_do_not_fill_the_networks_card_pace(throttle):
    throttle.policy = replace(throttle.policy, ip_failures_per_hour=30)
    assert throttle.succeeded("lotte.peeters", browser("class-tablet"))
    for _ in range(30):
        throttle.card_failed(browser("class-tablet"))
    assert throttle.check_card(browser("new")) == GO


def test_failed_sign_ins_do_not_slow_card_look_ups(throttle):
    throttle.policy = replace(throttle.policy, ip_failures_per_hour=30)
    fill_the_school(throttle)
    assert throttle.check("someone.new", browser("new")).reason == "ip"
    assert throttle.check_card(browser("new")) == GO
