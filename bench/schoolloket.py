"""Benchmark: the Schoolloket's pupil search and statistics page over a million pupils.

Targets (issue 10): pupil search (partial, accent-insensitive) p95 <= 50 ms and the
statistics page <= 500 ms, measured through the HTTP routes (Flask's test client: the
whole WSGI stack, the administrator's session, CSRF-free GETs), on PostgreSQL. The
department's statistics are read from a snapshot (idp.services.report_snapshots): the
first look, which counts, and a count on its own (what the background does every few
minutes) are reported beside the page's times.

The pupils are imported by LeerID's own import (as bench/import_enrollments.py does),
with names drawn from syllables so that a search fragment finds a realistic handful of
pupils, not a tenth of the country; 45 % of them get an account (as in the
parliamentary answer), written directly in SQL.

    python bench/schoolloket.py --rows 1000000
    python bench/schoolloket.py --rows 100000 --searches 100

A private database is created next to the given one and dropped afterwards (kept with
--keep, to profile the queries against it).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
from import_enrollments import drop_database, private_database, write_files
from sqlalchemy import create_engine, select, text

from idp import create_app, schema, totp
from idp.db import get_database, get_session
from idp.keystore import ensure_secrets, load_secrets
from idp.models import AdminRole, School
from idp.server import settle_heap
from idp.services import report_snapshots
from idp.services.admin_sessions import enrol_known_totp
from idp.services.admins import create_admin
from idp.services.imports import import_enrollments, import_schools

SYLLABLES = [
    "van", "de", "broe", "ck", "pee", "ters", "jan", "sens", "yıl", "maz", "du", "bois",
    "ma", "es", "claes", "wou", "ters", "goos", "sens", "mer", "tens", "ver", "mee",
    "ren", "dho", "ndt", "el", "am", "ra", "ni", "ço", "ban", "lam", "bert", "hen",
    "drickx", "wil", "lems", "ja", "cobs",
]  # fmt: skip
FIRST = ["Noëlla", "Zoë", "Çağan", "Mohamed", "Éloïse", "Lars", "Ines", "Arne", "Łucja",
         "Emma", "Yalçın", "Renée", "Jonas", "Amir", "Lotte", "Nora", "Finn", "Mila"]  # fmt: skip
PASSWORD = "Bench-Beheerder-2026!"  # noqa: S105 - the bench's own administrators
ACCOUNTS = """
INSERT INTO account (person_id, username, kind, credential_type, password_hash,
    must_change_password, status, card_generation, created_at, updated_at)
SELECT id, 'b' || id, 'basic', 'word', 'x', false, 'active', 0, now(), now()
FROM person WHERE national_number_hash IS NOT NULL AND id % 20 < 9
"""


def last_name(rng: random.Random) -> str:
    parts = [rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4))]
    return "".join(parts).capitalize()


def signed_in(app: Any, username: str, secret: str) -> Any:
    """A test client signed in to the Schoolloket with password and TOTP code."""
    client = app.test_client()
    page = client.get("/schoolloket/aanmelden").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    data = {"csrf_token": token, "username": username, "password": PASSWORD,
            "code": totp.code_at(secret, time.time())}  # fmt: skip
    response = client.post("/schoolloket/aanmelden", data=data)
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: {response.status_code}")
    return client


def timed(client: Any, path: str) -> float:
    """Milliseconds for one GET, which must answer 200."""
    began = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code}")
    return elapsed


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> None:
    """Run the benchmark and print one JSON object with the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--stats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument(
        "--keep", action="store_true", help="leave the database in place (for profiling)"
    )
    options = parser.parse_args()
    schools = max(1, options.rows // 330)
    work = Path(tempfile.mkdtemp(prefix="leerid-bench-"))
    school_file, pupil_file = write_files(
        work, options.rows, schools, options.seed, last_name, lambda rng: rng.choice(FIRST)
    )
    url, name = private_database(options.database_url)
    prefix = f"bench-{name or 'sqlite'}"
    try:
        engine = create_engine(url)
        schema.upgrade(engine)
        ensure_secrets(work / "keys")
        settings = {
            "database": {"url": url},
            "keys": {"directory": str(work / "keys")},
            "throttle": {"redis_url": options.redis_url, "key_prefix": prefix},
        }
        app = create_app(settings)
        secrets = load_secrets(work / "keys")
        super_secret, school_secret = totp.new_secret(), totp.new_secret()
        with app.app_context():
            session = get_session()
            import_schools(session, school_file, actor="bench")
            began = time.perf_counter()
            import_enrollments(session, secrets, pupil_file, actor="bench")
            imported = time.perf_counter() - began
            # The school administrator's school: the first of the register (any has about
            # 330 pupils), whatever --rows made.
            first_school = session.scalar(
                select(School.instellingsnummer).order_by(School.instellingsnummer).limit(1)
            )
            for username, role, secret in (
                ("departement", AdminRole.SUPER_ADMIN, super_secret),
                ("beheerder", AdminRole.SCHOOL_ADMIN, school_secret),
            ):
                made = create_admin(
                    session, username, role=role, actor="bench", password=PASSWORD,
                    schools=[first_school] if role is AdminRole.SCHOOL_ADMIN else (),
                )  # fmt: skip
                made.admin.must_change_password = False
                enrol_known_totp(made.admin, secret, secrets)
            session.commit()
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text(ACCOUNTS))
                connection.execute(text("ANALYZE"))
        engine.dispose()

        rng = random.Random(options.seed + 1)
        # Part of a last name, a first name with part of a last name, a stamnummer's start.
        quarter = options.searches // 4
        fragments = [
            *(rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(2 * quarter)),
            *(f"{rng.choice(FIRST)[:4]} {rng.choice(SYLLABLES)}" for _ in range(quarter)),
            *(str(rng.randrange(1, options.rows))[:5] for _ in range(quarter)),
        ]
        everything = signed_in(app, "departement", super_secret)
        one_school = signed_in(app, "beheerder", school_secret)
        # As a served worker does once its app is built (idp.server).
        settle_heap()
        first_look: dict[str, float] = {}
        for label, client in (
            ("super administrator", everything),
            ("school administrator", one_school),
        ):
            # Warm the caches and the pool; the department's first look at the statistics
            # counts every school (there is no snapshot yet), later looks read the snapshot.
            timed(client, "/schoolloket/leerlingen?q=warm")
            first_look[label] = round(timed(client, "/schoolloket/statistieken"), 1)
        with app.app_context():
            began = time.perf_counter()
            report_snapshots.refresh(get_database(app).sessionmaker)
            count_ms = round((time.perf_counter() - began) * 1000, 1)
        results: dict[str, Any] = {}
        for label, client in (
            ("super administrator", everything),
            ("school administrator", one_school),
        ):
            searches = [timed(client, f"/schoolloket/leerlingen?q={q}") for q in fragments]
            stats = [timed(client, "/schoolloket/statistieken") for _ in range(options.stats)]
            results[label] = {
                "search": summary(searches),
                "statistics": summary(stats),
                "statistics_first_look_ms": first_look[label],
            }
        json.dump(
            {"rows": options.rows, "schools": schools, "database": engine.dialect.name,
             "import_seconds": round(imported, 1), "fragments_sample": fragments[:6],
             "department_count_ms": count_ms, **results},
            sys.stdout, indent=2, ensure_ascii=False,
        )  # fmt: skip
        print()
    finally:
        redis.Redis.from_url(options.redis_url).delete(
            *[k for k in redis.Redis.from_url(options.redis_url).scan_iter(f"{prefix}*")] or ["-"]
        )
        if options.keep:
            print(f"kept database: {url}", file=sys.stderr)
        else:
            drop_database(options.database_url, name)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
