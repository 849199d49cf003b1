"""The tests' Redis: other engineers run tests on it at the same time, so every test keeps
its keys under a prefix of its own and deletes exactly those afterwards (never FLUSHDB)."""

from __future__ import annotations

import os
import uuid

import redis

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unique_prefix() -> str:
    """A key prefix no other test, run or engineer uses."""
    return f"leerid-test-{uuid.uuid4().hex}"


def prefixed_keys(prefix: str, url: str = TEST_REDIS_URL) -> list[str]:
    """Every key under `prefix` (the prefix is hex and dashes: no glob characters)."""
    with redis.Redis.from_url(url, decode_responses=True) as client:
        return sorted(client.scan_iter(match=prefix + ":*", count=1000))


def delete_prefixed(prefix: str, url: str = TEST_REDIS_URL) -> None:
    """Delete every key under `prefix`, and nothing else."""
    with redis.Redis.from_url(url, decode_responses=True) as client:
        keys = list(client.scan_iter(match=prefix + ":*", count=1000))
        if keys:
            client.delete(*keys)
