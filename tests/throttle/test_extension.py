"""create_app builds the Throttle from the settings: Redis shared by instances, or memory."""

from __future__ import annotations

from flask import Flask

from idp import create_app
from idp.db import get_database
from idp.keystore import ensure_secrets
from idp.throttle import MemoryStore, RedisStore, Source, ThrottlePolicy, Verdict, get_throttle
from tests.redis_keys import prefixed_keys

SCHOOL_BROWSER = Source("203.0.113.7", "a-browser", False)


def test_test_apps_count_in_the_real_redis(app, settings):
    throttle = get_throttle()
    assert isinstance(throttle.store, RedisStore)
    assert throttle.policy == ThrottlePolicy()
    prefix = settings["throttle"]["key_prefix"]
    throttle.failed("lotte.peeters", SCHOOL_BROWSER, known=True)
    # The account's streak, the minute, the browser's failures on the account (for a
    # refund), the browser's and the address's paces.
    assert len(prefixed_keys(prefix)) == 5
    # The served app is another instance: it sees the same counters.
    with app.app_context():
        assert get_throttle() is not throttle
        assert get_throttle().failures_this_minute() == 1


def test_instances_share_counters_through_redis(app):
    here = get_throttle()
    with app.app_context():
        there = get_throttle()
    for _ in range(6):
        there.failed("lotte.peeters", SCHOOL_BROWSER, known=True)
    assert here.check("lotte.peeters", Source("198.51.100.20", "x", False)).reason == "account"


def test_without_a_redis_url_the_counters_stay_in_memory(settings):
    embedded = create_app({**settings, "throttle": {"redis_url": "", "free_failures": 2}})
    throttle: object = embedded.extensions["leerid.throttle"]
    with embedded.app_context():
        assert isinstance(get_throttle().store, MemoryStore)
        assert get_throttle() is throttle
        for _ in range(3):
            verdict = get_throttle().failed("lotte.peeters", SCHOOL_BROWSER, known=True)
        assert verdict == Verdict(5, "account")
    get_database(embedded).engine.dispose()


def test_counter_names_are_keyed_by_the_deployment_secret(settings, tmp_path):
    other_keys = tmp_path / "other-keys"
    ensure_secrets(other_keys)
    apps = [
        create_app(settings),
        create_app(settings),
        create_app({**settings, "keys": {"directory": str(other_keys)}}),
    ]

    def name(app: Flask) -> str:
        with app.app_context():
            return get_throttle()._account_key("lotte.peeters")

    first, second, other = (name(app) for app in apps)
    assert first == second  # every instance of one deployment counts on the same key
    assert other != first
    assert "lotte" not in first
    for app in apps:
        get_database(app).engine.dispose()
