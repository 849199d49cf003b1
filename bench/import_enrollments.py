"""Benchmark: import N synthetic pupils, then the same file again (nothing changes).

Targets (issue 2): at least 5,000 rows/s on PostgreSQL on a 2-core machine, and 1,000,000
pupils within the memory of a small server. Reports rows per second for both imports and
the process's peak resident memory, with the baseline before the import for comparison.

    python bench/import_enrollments.py --rows 100000
    python bench/import_enrollments.py --rows 1000000 --database-url postgresql+psycopg://postgres@127.0.0.1/test

A private database is created next to the given one and dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from idp import create_app, schema
from idp.db import get_session
from idp.keystore import ensure_secrets, load_secrets
from idp.models import Province
from idp.services.imports import import_enrollments, import_schools
from idp.services.imports.rows import ENROLLMENT_COLUMNS

FIRST = ["Noëlla", "Zoë", "Çağan", "Mohamed", "Éloïse", "Lars", "Ines", "Arne", "Łucja", "Emma"]
LAST = ["Van den Broeck", "D'Hondt", "Yılmaz", "El Amrani", "Dubois", "Peeters", "Janssens"]
TYPES = [
    ("gewoon lager", 6),
    ("gewoon secundair", 6),
    ("buitengewoon lager", 6),
    ("buitengewoon secundair", 7),
    ("deeltijds beroepssecundair", 3),
    ("ander", 1),
]
HEADER = [column.name for column in ENROLLMENT_COLUMNS]


def national_number(birth: dt.date, serial: int) -> str:
    """A number with correct check digits (see idp.national_number)."""
    body = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}{serial:03d}"
    prefix = "2" if birth.year >= 2000 else ""
    return f"{body}{97 - int(prefix + body) % 97:02d}"


def write_files(
    directory: Path,
    rows: int,
    schools: int,
    seed: int,
    last_name: Callable[[random.Random], str] = lambda rng: rng.choice(LAST),
    first_name: Callable[[random.Random], str] = lambda rng: rng.choice(FIRST),
) -> tuple[Path, Path]:
    """A school register and an enrollment export with `rows` pupils, streamed to disk;
    names are drawn by `last_name` and `first_name`."""
    rng = random.Random(seed)
    school_file = directory / "scholen.csv"
    with school_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["instellingsnummer", "naam", "provincie"])
        for number in range(schools):
            province = list(Province)[number % len(Province)].value
            writer.writerow([f"{100000 + number}", f"School {number}", province])
    pupil_file = directory / "leerlingen.csv"
    serials: dict[dt.date, int] = {}
    with pupil_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for pupil in range(rows):
            school = pupil % schools
            label, grades = TYPES[school % len(TYPES)]
            birth = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365))
            serial = serials[birth] = serials.get(birth, 0) + 1
            # One pupil in five has no national number ("geen officiële gegevens").
            number = national_number(birth, serial) if pupil % 5 and serial < 998 else ""
            writer.writerow(
                [
                    f"{100000 + school}",
                    f"{pupil + 1}",
                    last_name(rng),
                    first_name(rng),
                    birth.strftime("%d/%m/%Y"),
                    number,
                    f"{rng.randrange(1, grades + 1)}{rng.choice('ABC')}",
                    str(rng.randrange(1, grades + 1)),
                    label,
                ]
            )
    return school_file, pupil_file


def private_database(base_url: str) -> tuple[str, str]:
    """Create an empty database beside `base_url`; returns its URL and name."""
    base = make_url(base_url)
    if base.get_backend_name() == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return f"sqlite:///{path}", ""
    name = f"leerid_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def drop_database(base_url: str, name: str) -> None:
    """Remove the private database again."""
    if not name:
        return
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def resident_mib() -> float:
    """The process's current resident memory."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mib() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the benchmark and print one JSON object with the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=0, help="default: rows / 330")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1/test")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2023)
    options = parser.parse_args()
    schools = options.schools or max(1, options.rows // 330)

    work = Path(tempfile.mkdtemp(prefix="leerid-bench-"))
    started = time.perf_counter()
    school_file, pupil_file = write_files(work, options.rows, schools, options.seed)
    generated = time.perf_counter() - started
    url, name = private_database(options.database_url)
    try:
        engine = create_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        ensure_secrets(work / "keys")
        app = create_app({"database": {"url": url}, "keys": {"directory": str(work / "keys")}})
        with app.app_context():
            session = get_session()
            secrets = load_secrets(work / "keys")
            import_schools(session, school_file, actor="bench")
            baseline = resident_mib()
            runs = []
            for label in ("first import (all new)", "same file again (nothing changes)"):
                began = time.perf_counter()
                report = import_enrollments(
                    session, secrets, pupil_file, actor="bench", batch_size=options.batch_size
                )
                seconds = time.perf_counter() - began
                runs.append(
                    {
                        "run": label,
                        "seconds": round(seconds, 2),
                        "rows_per_second": round(options.rows / seconds),
                        "counts": report.to_dict()["counts"],
                        "problems": len(report.problems),
                    }
                )
        result = {
            "rows": options.rows,
            "schools": schools,
            "database": make_url(url).get_backend_name(),
            "file_mib": round(pupil_file.stat().st_size / 2**20, 1),
            "generate_seconds": round(generated, 1),
            "runs": runs,
            "resident_before_import_mib": round(baseline, 1),
            "peak_resident_mib": round(peak_mib(), 1),
        }
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        print()
    finally:
        drop_database(options.database_url, name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
