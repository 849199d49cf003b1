"""Fixtures for throttling: a fake clock, and every store-level test run on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from idp.throttle import MemoryStore, RedisStore, Store, Throttle, ThrottlePolicy
from tests.redis_keys import TEST_REDIS_URL, delete_prefixed, unique_prefix

# 2023-11-14 23:00:00 UTC, the start of a clock hour (and of a minute).
HOUR_START = 1_700_000_000 // 3600 * 3600 + 3600


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = HOUR_START + 0.25) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock a quarter second into a clock hour."""
    return FakeClock()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own, whose keys are deleted afterwards."""
    prefix = unique_prefix()
    yield prefix
    delete_prefixed(prefix)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[Store]:
    """Each store in turn: MemoryStore on the fake clock, RedisStore on the real Redis."""
    if request.param == "memory":
        yield MemoryStore(clock)
        return
    prefix: str = request.getfixturevalue("redis_prefix")
    redis_store = RedisStore(TEST_REDIS_URL, prefix)
    yield redis_store
    redis_store.client.close()


@pytest.fixture
def policy() -> ThrottlePolicy:
    """The default policy (config.example.toml)."""
    return ThrottlePolicy()


@pytest.fixture
def throttle(store: Store, policy: ThrottlePolicy, clock: FakeClock) -> Throttle:
    """A Throttle with the default policy on the store under test and the fake clock."""
    return Throttle(store, policy, clock, secret=b"test secret")
