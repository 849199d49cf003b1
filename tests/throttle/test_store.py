"""The stores, each tested the same way: MemoryStore and RedisStore on the real Redis."""

from __future__ import annotations

import threading

from idp.throttle import MemoryStore, RedisStore, Streak
from idp.throttle.store import NO_STREAK
from tests.redis_keys import TEST_REDIS_URL, prefixed_keys

from .conftest import FakeClock


def test_nothing_stored_reads_as_nothing(store):
    assert store.read("streak", ["tally"]) == (NO_STREAK, [0])
    assert store.count("tally") == 0


def test_failures_extend_the_streak_and_count_every_tally(store):
    assert store.fail("s", 100.0, 60, [("a", 120), ("b", 120)]) == (Streak(1, 100.0), [1, 1])
    assert store.fail("s", 110.5, 60, [("a", 120)]) == (Streak(2, 110.5), [2])
    assert store.read("s", ["a", "b"]) == (Streak(2, 110.5), [2, 1])
    assert store.count("a") == 2


def test_a_streak_starts_again_after_forget_after(store):
    store.fail("s", 100.0, 60, [])
    store.fail("s", 159.9, 60, [])
    assert store.fail("s", 219.9, 60, []) == (Streak(1, 219.9), [])


def test_a_late_failure_does_not_move_the_latest_time_back(store):
    # Another instance's clock lags a little: the wait must still count from the latest.
    store.fail("s", 100.0, 60, [])
    assert store.fail("s", 99.0, 60, []) == (Streak(2, 100.0), [])


def test_clear_forgets_only_that_streak(store):
    store.fail("s", 100.0, 60, [("t", 120)])
    store.fail("other", 100.0, 60, [])
    store.clear("s")
    assert store.read("s", ["t"]) == (NO_STREAK, [1])
    assert store.read("other")[0] == Streak(1, 100.0)


def test_times_survive_exactly(store):
    moment = 1_700_000_123.456789
    assert store.fail("s", moment, 60, [])[0].last == moment
    assert store.read("s")[0].last == moment


def test_concurrent_failures_all_count(store):
    def fail_many() -> None:
        for _ in range(50):
            store.fail("s", 100.0, 60, [("t", 120)])

    threads = [threading.Thread(target=fail_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.read("s", ["t"]) == (Streak(200, 100.0), [200])


def test_memory_store_expires_and_sweeps_entries(clock: FakeClock):
    store = MemoryStore(clock)
    store.fail("s", clock(), 60, [("t", 120)])
    clock.advance(60)
    assert store.read("s", ["t"]) == (NO_STREAK, [1])
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
    store.client.close()
