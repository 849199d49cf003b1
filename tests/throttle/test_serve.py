"""`leerid serve` refuses several workers without shared throttling counters."""

from __future__ import annotations

import pytest

from idp.cli import setup


@pytest.fixture
def started(monkeypatch):
    """What `leerid serve` would start gunicorn with, instead of starting it."""
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(setup, "run_server", lambda **options: calls.append(options))
    return calls


def test_several_workers_without_redis_are_refused(leerid, monkeypatch, started):
    monkeypatch.setenv("LEERID_THROTTLE_REDIS_URL", "")
    result = leerid("serve", "--workers", "4")
    assert result.exit_code == 1
    assert result.output == (
        "Error: 4 workers need shared throttling counters, but throttle.redis_url is empty. "
        "Set it (or LEERID_THROTTLE_REDIS_URL) to a Redis URL, or serve with --workers 1.\n"
    )
    assert started == []
    # The default is two workers: refused too.
    assert leerid("serve").exit_code == 1
    assert started == []


def test_one_worker_without_redis_is_served(leerid, monkeypatch, started):
    monkeypatch.setenv("LEERID_THROTTLE_REDIS_URL", "")
    result = leerid("serve", "--workers", "1", "--port", "5099")
    assert result.exit_code == 0, result.output
    assert started == [{"host": "127.0.0.1", "port": 5099, "workers": 1}]


def test_several_workers_with_redis_are_served(leerid, started):
    assert leerid("serve", "--workers", "4").exit_code == 0
    assert started == [{"host": "127.0.0.1", "port": 5000, "workers": 4}]
