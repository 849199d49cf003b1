"""The stores, each tested the same way: MemoryStore and RedisStore on the real Redis."""

from __future__ import annotations

import threading
import time

import pytest

from idp.throttle import MemoryStore, Reading, RedisStore, Streak
from idp.throttle.store import NO_STREAK
from tests.redis_keys import TEST_REDIS_URL, prefixed_keys

from .conftest import FakeClock


def test_nothing_stored_reads_as_nothing(store):
    assert store.read("streak", ["tally"], ["pace"]) == Reading(NO_STREAK, [0], [0.0])
    assert store.count("tally") == 0


def test_failures_extend_the_streak_and_count_every_tally(store):
    assert store.fail("s", 100.0, 60, [("a", 120), ("b", 120)]) == (
        Reading(Streak(1, 100.0), [1, 1], [])
    )
    assert store.fail("s", 110.5, 60, [("a", 120)]) == Reading(Streak(2, 110.5), [2], [])
    assert store.read("s", ["a", "b"]) == Reading(Streak(2, 110.5), [2, 1], [])
    assert store.count("a") == 2


def test_a_streak_starts_again_after_forget_after(store):
    store.fail("s", 100.0, 60, [])
    store.fail("s", 159.9, 60, [])
    assert store.fail("s", 219.9, 60, []).streak == Streak(1, 219.9)


def test_a_late_failure_does_not_move_the_latest_time_back(store):
    # Another instance's clock lags a little: the wait must still count from the latest.
    store.fail("s", 100.0, 60, [])
    assert store.fail("s", 99.0, 60, []).streak == Streak(2, 100.0)


def test_clear_forgets_only_that_streak(store):
    store.fail("s", 100.0, 60, [("t", 120)])
    store.fail("other", 100.0, 60, [])
    store.clear("s")
    assert store.read("s", ["t"]) == Reading(NO_STREAK, [1], [])
    assert store.read("other").streak == Streak(1, 100.0)


def test_times_survive_exactly(store):
    moment = 1_700_000_123.456789
    assert store.fail("s", moment, 60, []).streak.last == moment
    assert store.read("s").streak.last == moment


def test_concurrent_failures_all_count(store):
    def fail_many() -> None:
        for _ in range(50):
            store.fail("s", 100.0, 60, [("t", 120)], [("p", 2.5)])

    threads = [threading.Thread(target=fail_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.read("s", ["t"], ["p"]) == Reading(Streak(200, 100.0), [200], [600.0])


def near(moment: float) -> object:
    """One pace's moment as Redis keeps it (to the microsecond)."""
    return pytest.approx([moment], abs=1e-5)


def test_a_pace_adds_its_interval_from_now_or_from_its_backlog(store):
    moment = 1_700_000_000.25
    # From an idle start, and the backlog grows by one interval per failure ...
    assert store.fail("s", moment, 60, [], [("p", 3.6)]).paces == pytest.approx(
        [moment + 3.6], abs=1e-5
    )
    assert store.fail("s", moment + 1, 60, [], [("p", 3.6)]).paces == pytest.approx(
        [moment + 7.2], abs=1e-5
    )
    assert store.read("s", [], ["p"]).paces == near(moment + 7.2)
    # ... an interval of 0 reads it without charging it ...
    assert store.fail("s", moment + 2, 60, [], [("p", 0.0)]).paces == pytest.approx(
        [moment + 7.2], abs=1e-5
    )
    # ... and once drained it starts from now again.
    assert store.fail("s", moment + 100, 60, [], [("p", 3.6)]).paces == pytest.approx(
        [moment + 103.6], abs=1e-5
    )


def test_a_refund_takes_back_what_a_tally_counted_once_and_never_past_now(store):
    moment = 1_700_000_000.25
    for _ in range(4):
        store.fail("s", moment, 60, [("typos", 3600)], [("p", 60.0)])
    store.fail("s", moment, 60, [], [("p", 60.0)])  # one failure not on the tally
    assert store.read("s", ["typos"], ["p"]).paces == near(moment + 300.0)
    assert store.refund("s", "typos", "p", moment + 10, 60.0) == 4
    assert store.read("s", ["typos"], ["p"]) == Reading(NO_STREAK, [0], near(moment + 60))
    # Once: the tally is gone.
    assert store.refund("s", "typos", "p", moment + 10, 60.0) == 0
    assert store.read("s", [], ["p"]).paces == near(moment + 60.0)
    # Failures that drained meanwhile are not taken back a second time: an empty pace stays
    # empty, it never holds credit.
    store.fail("s", moment, 60, [("typos", 3600)], [("p", 60.0)])
    assert store.refund("s", "typos", "p", moment + 1000, 60.0) == 1
    assert store.read("s", [], ["p"]).paces == near(moment + 120.0)  # already drained
    assert store.fail("s", moment + 1000, 60, [], [("p", 60.0)]).paces == near(moment + 1060)


def test_proofs_count_per_account_up_to_the_limit(store):
    assert store.prove("device-1", "account", 2, 3600) is True
    assert store.prove("device-1", "account", 2, 3600) is True  # already proven: free
    assert store.prove("device-2", "account", 2, 3600) is True
    assert store.prove("device-3", "account", 2, 3600) is False
    assert store.read("", ["device-1", "device-3", "account"]).tallies == [1, 0, 2]
    assert store.prove("device-3", "other account", 2, 3600) is True
    assert store.prove("device-4", "account", 0, 3600) is False


def test_memory_store_expires_and_sweeps_entries(clock: FakeClock):
    store = MemoryStore(clock)
    store.fail("s", clock(), 60, [("t", 120)])
    clock.advance(60)
    assert store.read("s", ["t"]) == Reading(NO_STREAK, [1], [])
    clock.advance(60)
    assert store.count("t") == 0
    for name in range(100):
        store.fail(f"once-{name}", clock(), 60, [])
    clock.advance(MemoryStore.SWEEP_INTERVAL + 60)
    store.fail("new", clock(), 60, [])
    # Entries nobody reads again are swept, so unknown usernames do not pile up.
    assert len(store) == 1


def test_every_redis_key_expires_and_sits_under_the_prefix(redis_prefix):
    store = RedisStore(TEST_REDIS_URL, redis_prefix)
    store.fail("throttle:account:x", 100.0, 86400, [("ip", 3660), ("minute", 120)])
    keys = prefixed_keys(redis_prefix)
    assert keys == [f"{redis_prefix}:{name}" for name in ("ip", "minute", "throttle:account:x")]
    lifetimes = [store.client.ttl(key) for key in keys]
    assert 0 < lifetimes[0] <= 3660
    assert 0 < lifetimes[1] <= 120
    assert 86000 < lifetimes[2] <= 86400
    # A pace lives until it has drained; proofs and their tally for their lifetime, and
    # the tally's window is not moved by later proofs.
    now = time.time()
    store.fail("streak", now, 60, [], [("pace", 3.6)] * 1000)
    store.prove("proof-1", "proofs", 5, 604800)
    store.client.expire(f"{redis_prefix}:proofs", 1000)
    store.prove("proof-2", "proofs", 5, 604800)
    assert 3500 < store.client.ttl(f"{redis_prefix}:pace") <= 3601
    assert 604000 < store.client.ttl(f"{redis_prefix}:proof-2") <= 604800
    assert 0 < store.client.ttl(f"{redis_prefix}:proofs") <= 1000
    store.client.close()
