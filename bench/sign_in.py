"""Benchmark: a pupil's whole sign-in through an app, against bare Argon2id verification.

Every sign-in must verify one Argon2id hash, which is made slow on purpose; what LeerID
adds around it (pages, throttling counters in Redis, the SSO session, the code and token
exchange) should cost little beside it. On a noisy machine absolute rates move, so the
result is the ratio of the two rates measured in the same run: flows per second divided
by verifications per second (1.0 would mean LeerID adds nothing).

Each flow, in-process with Flask's test client and one thread: /authorize (redirected to
the sign-in), the username step, the password step (Argon2id with the configured
parameters, throttle check and reset) whose response carries the code to the app, and the
code exchanged at /token.

    python bench/sign_in.py --pupils 200 --rounds 5
    python bench/sign_in.py --database-url sqlite:///   # the embedded setup

A private database is created next to the given one and dropped afterwards; the
throttling counters live in the Redis at --redis-url under a prefix of their own.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import importlib
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import redis
from import_enrollments import drop_database, private_database
from sqlalchemy import create_engine

from idp import create_app, schema
from idp.config import load_settings
from idp.db import get_session
from idp.keystore import ensure_secrets
from idp.models import (
    Account,
    AccountKind,
    CredentialType,
    EducationType,
    Enrollment,
    Person,
    Province,
    School,
)
from idp.passwords import Argon2Parameters, hash_secret, verify_secret
from idp.services.clients import register_client
from idp.signing_keys import ensure_signing_keys

# What `leerid serve` does once its app is built; None in versions from before it, which
# docs/benchmarks.md compares with this script.
settle_heap = getattr(importlib.import_module("idp.server"), "settle_heap", None)

PASSWORD = "boom47"  # noqa: S105 - a word password, as a basic pupil types it
REDIRECT_URI = "https://rekenrally.example/callback"
# Sign-ins (and as many verifications) per turn; see main().
BLOCK = 10
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def seed(pupils: int, parameters: Argon2Parameters) -> tuple[list[str], str, str]:
    """A school with `pupils` word-password pupils, and a registered app."""
    session = get_session()
    school = School(instellingsnummer="100001", name="Basisschool Bench", province=Province.LIMBURG)
    session.add(school)
    # One hash for everyone: verifying costs the same whatever the salt.
    password_hash = hash_secret(PASSWORD, parameters)
    usernames = []
    for number in range(pupils):
        person = Person(first_name="Lotte", last_name=f"Bench{number}")
        session.add(person)
        session.add(
            Enrollment(
                person=person,
                school=school,
                stamnummer=str(number),
                education_type=EducationType.GEWOON_LAGER,
                start_date=dt.date(2026, 9, 1),
            )
        )
        username = f"lotte.bench{number}"
        session.add(
            Account(
                person=person,
                username=username,
                kind=AccountKind.BASIC,
                credential_type=CredentialType.WORD,
                password_hash=password_hash,
            )
        )
        usernames.append(username)
    created = register_client(
        session, name="Rekenrally", redirect_uris=[REDIRECT_URI], actor="bench"
    )
    session.commit()
    return usernames, created.client.client_id, created.client_secret or ""


def verify_time(stored: str, parameters: Argon2Parameters, count: int) -> float:
    """Seconds that `count` bare Argon2id verifications take, one thread."""
    began = time.perf_counter()
    for _ in range(count):
        verify_secret(stored, PASSWORD, parameters)
    return time.perf_counter() - began


def _post_form(browser: Any, url: str, **fields: str) -> Any:
    page = browser.get(url)
    token = CSRF.search(page.get_data(as_text=True))
    if token is None:
        raise RuntimeError(f"no form at {url} ({page.status_code})")
    return browser.post(url, data={"csrf_token": token.group(1), **fields})


def one_flow(app: Any, username: str, client_id: str, client_secret: str) -> None:
    """A new browser signs a pupil in through the app and the app gets its tokens."""
    browser = app.test_client()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": "s",
            "nonce": uuid.uuid4().hex,
        }
    )
    login = browser.get(f"/authorize?{query}").headers["Location"]
    step = _post_form(browser, login, username=username)
    response = _post_form(browser, step.headers["Location"], password=PASSWORD)
    # On to the app, through whatever redirects LeerID makes on the way (the same script
    # then measures older versions, which went back through /authorize first).
    while not response.headers.get("Location", "").startswith(REDIRECT_URI):
        _expect(response, 302)
        response = browser.get(response.headers["Location"])
    callback = response.headers["Location"]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    token = browser.post(
        "/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        headers={"Authorization": f"Basic {basic}"},
    )
    _expect(token, 200)


def _expect(response: Any, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.status_code}, not {status}: {response.get_data(True)}")


def main() -> None:
    """Run the benchmark and print one JSON object with the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=200, help="sign-ins per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    options = parser.parse_args()

    parameters = Argon2Parameters.from_settings(load_settings()["passwords"])
    work = Path(tempfile.mkdtemp(prefix="leerid-bench-"))
    url, name = private_database(options.database_url)
    prefix = f"leerid-bench-{uuid.uuid4().hex[:8]}"
    try:
        engine = create_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        ensure_secrets(work / "keys")
        ensure_signing_keys(work / "keys")
        app = create_app(
            {
                "database": {"url": url},
                "keys": {"directory": str(work / "keys")},
                "throttle": {"redis_url": options.redis_url, "key_prefix": prefix},
            }
        )
        with app.app_context():
            usernames, client_id, secret = seed(options.pupils, parameters)
        one_flow(app, usernames[0], client_id, secret)  # warm up: imports, keys, pools
        if settle_heap is not None:
            settle_heap()
        stored = hash_secret(PASSWORD, parameters)
        rounds = []
        for _ in range(options.rounds):
            # Verifications and sign-ins take turns in blocks of BLOCK, so that the
            # machine's speed, which drifts on a shared machine, weighs on both alike.
            flow_time = verify_seconds = 0.0
            for start in range(0, len(usernames), BLOCK):
                block = usernames[start : start + BLOCK]
                verify_seconds += verify_time(stored, parameters, len(block))
                began = time.perf_counter()
                for username in block:
                    one_flow(app, username, client_id, secret)
                flow_time += time.perf_counter() - began
            rounds.append(
                {
                    "flows_per_second": options.pupils / flow_time,
                    "verifies_per_second": options.pupils / verify_seconds,
                }
            )
        ratios = [r["flows_per_second"] / r["verifies_per_second"] for r in rounds]
        result = {
            "database": url.split(":", 1)[0],
            "argon2": vars(parameters),
            "sign_ins_per_round": options.pupils,
            "rounds": [{k: round(v, 2) for k, v in r.items()} for r in rounds],
            "median_flows_per_second": round(
                statistics.median(r["flows_per_second"] for r in rounds), 2
            ),
            "median_verifies_per_second": round(
                statistics.median(r["verifies_per_second"] for r in rounds), 2
            ),
            "median_ratio": round(statistics.median(ratios), 3),
            "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        }
        json.dump(result, sys.stdout, indent=2)
        print()
    finally:
        drop_database(options.database_url, name)
        shutil.rmtree(work, ignore_errors=True)
        client = redis.Redis.from_url(options.redis_url)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)


if __name__ == "__main__":
    main()
