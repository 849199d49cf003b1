"""Token requests in the first second of a freshly started `leerid serve` (gunicorn, two
workers of several threads) must all be answered: every worker's first requests race for
the signing keys, which each process reads on first use."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from idp.signing_keys import rotate
from tests.hostile.world import REDIRECT_URI
from tests.redis_keys import TEST_REDIS_URL

REQUESTS = 40
ROTATIONS = 4
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0


@pytest.fixture
def settings(settings: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Codes that outlive a slow start of the server on a busy machine."""
    settings.setdefault("tokens", {})["authorization_code_lifetime"] = 600
    return settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    """Return as soon as the port accepts connections."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, "leerid serve stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.01)
    raise AssertionError(f"leerid serve did not listen within {START_TIMEOUT} s")


def exchange(url: str, form: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(f"{url}/token", data=data)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def keys_with_rotations(source: Path, target: Path) -> Path:
    """The test's keys plus a few rotations' upcoming keys, as a server has after
    `leerid keys rotate`: reading them takes long enough for first requests to overlap."""
    shutil.copytree(source, target)
    for _ in range(ROTATIONS):
        rotate(target, delay=86_400, retention=3600)
    return target


@pytest.mark.slow
def test_token_requests_at_start_up_all_succeed(world, settings, tmp_path: Path):
    keys = keys_with_rotations(Path(settings["keys"]["directory"]), tmp_path / "keys")
    browser = world.signed_in()
    forms = []
    for _ in range(REQUESTS):
        code, verifier = world.code(browser)
        forms.append(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
                "client_id": world.post_app.client_id,
                "client_secret": world.post_app.client_secret,
            }
        )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEERID_")},
        "LEERID_DATABASE_URL": settings["database"]["url"],
        "LEERID_KEYS_DIRECTORY": str(keys),
        "LEERID_SERVER_INSTANCE_DIR": str(tmp_path / "serve"),
        "LEERID_SERVER_ISSUER": url,
        "LEERID_THROTTLE_REDIS_URL": TEST_REDIS_URL,
        "LEERID_THROTTLE_KEY_PREFIX": settings["throttle"]["key_prefix"],
    }
    command = [sys.executable, "-m", "idp.cli", "serve", "--port", str(port), "--workers", "2"]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
    try:
        wait_for_port(port, server)
        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            answers = list(pool.map(lambda form: exchange(url, form), forms))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
    statuses = [status for status, _ in answers]
    failed = [status for status in statuses if status >= 500]
    # The server's log names the exceptions behind them.
    errors = {line for line in log.read_text(errors="replace").splitlines() if "Error:" in line}
    assert not failed, f"{len(failed)} of {REQUESTS} answered 5xx: {sorted(errors)}"
    assert statuses == [200] * REQUESTS, statuses
    assert all("id_token" in json.loads(body) for _, body in answers)
