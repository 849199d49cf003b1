"""Large "Bewaren én afdrukken" runs (manual, §3: a whole school at the start of the
year) in the background, with progress that survives a page reload and a restart.

How a run stays exact:
- The plan (each pupil's username, kind of password and password, as the screen showed
  them) is sealed in the job row. Batches of BATCH pupils are created one transaction at
  a time; each batch's printed cards are sealed in a part row of the same transaction.
- A worker claims the run with a lease. A worker that dies (a restarted instance) stops
  renewing it; once it ran out, the next look at the progress page resumes the run after
  the last committed batch. Committed batches are never redone.
- A pupil who got a LeerID some other way meanwhile (a second click, another
  administrator's run) is skipped and listed: the unique index on the account's person
  refuses a second account, within a savepoint, so the rest of the batch goes on.
- When the last batch is in, the zip is built from the parts and kept as a
  CredentialBundle (services.bundles); the plan and parts are deleted then.

Services take a Session and flush, except `run`, which owns its transactions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from print_service import Card, CardPicture

from ..db import get_database
from ..hashing import secret_hash
from ..keystore import Secrets
from ..models import (
    Account,
    AccountJob,
    AccountJobPart,
    AccountKind,
    AdminUser,
    CredentialType,
    Enrollment,
    JobStatus,
    School,
    utcnow,
)
from . import bundles
from .account_runs import Selection, bundle_file_name
from .accounts import AccountError, NewAccount, create_account, propose_username
from .admins import record_event
from .cards import issue_card
from .printing import credential_bundle, printed_card, school_day
from .scope import Scope

log = logging.getLogger(__name__)

# Larger selections are saved by a run in the background, the rest at once.
DIRECT_LIMIT = 50
BATCH = 100
LEASE = dt.timedelta(seconds=60)
MAX_FAILURES = 3
MAX_BUSY_RETRIES = 60
BUSY_PAUSE = 0.5  # seconds
_PLAN = b"leerid account job plan"
_CARDS = b"leerid account job cards"
_TOKEN = b"leerid account job bundle token"


def start(session: Session, secrets_: Secrets, selection: Selection, admin: AdminUser) -> str:
    """Queue the screen's checked proposals (apply_choices first) as a run; returns the
    token of its progress page. The run starts when a worker claims it (`start_worker`)."""
    plan = [
        {
            "enrollment": p.enrollment_id,
            "username": p.username,
            "kind": str(p.kind),
            "credential": str(p.credential),
            "password": p.password,
        }
        for p in selection.proposals
    ]
    token = secrets.token_urlsafe(24)
    job = AccountJob(
        token_hash=secret_hash(token),
        school_id=selection.school.id,
        created_by_id=admin.id,
        status=JobStatus.RUNNING,
        total=len(plan),
        done=0,
        plan_sealed=secrets_.seal(json.dumps(plan).encode("utf-8"), _PLAN),
        skipped=[],
    )
    session.add(job)
    session.flush()
    details = {"job_id": job.id, "pupils": len(plan)}
    record_event(session, admin, "account.job_start", school_id=job.school_id, details=details)
    return token


def find(session: Session, scope: Scope, token: str) -> AccountJob | None:
    """The run behind a progress page's token, if the administrator's scope holds its school."""
    job = session.scalar(select(AccountJob).where(AccountJob.token_hash == secret_hash(token)))
    if job is None or not scope.allows(job.school_id):
        return None
    return job


def needs_worker(job: AccountJob) -> bool:
    """A running run that no worker holds (never claimed, or its worker stopped)."""
    return job.status is JobStatus.RUNNING and (
        job.lease_until is None or job.lease_until < utcnow()
    )


def bundle_token(job: AccountJob, secrets_: Secrets) -> str | None:
    """The download token of a finished run's zip (None before, or when nothing was made)."""
    if job.bundle_token_sealed is None:
        return None
    return secrets_.unseal(job.bundle_token_sealed, _TOKEN).decode("ascii")


def start_worker(app: Flask, job_id: int) -> threading.Thread:
    """Run the job in a thread of this process (it stops at once if another holds it)."""
    thread = threading.Thread(target=_work, args=(app, job_id), daemon=True)
    thread.start()
    return thread


def _work(app: Flask, job_id: int) -> None:
    with app.app_context():
        run(app, job_id)


def run(app: Flask, job_id: int, *, batches: int | None = None) -> None:
    """Claim the run and work through it, batch by batch, until it ends, another worker
    holds it, or `batches` batches are done (tests stop a run half-way that way)."""
    database = get_database(app)
    secrets_: Secrets = app.extensions["leerid.secrets"]
    if not _claim(database.sessionmaker, job_id):
        return
    count = 0
    busy = 0
    while batches is None or count < batches:
        try:
            with database.transaction() as session:
                if not _step(session, secrets_, job_id, app):
                    return
        except (OperationalError, IntegrityError, AccountError):
            # The database is busy (SQLite lets one writer at a time: another run, an
            # import) or briefly gone, or another run took a pupil or username of this
            # batch meanwhile: the batch was rolled back whole, so do it again.
            busy += 1
            if busy > MAX_BUSY_RETRIES:
                log.exception("account job %s: the database stayed busy", job_id)
                _failed(database.sessionmaker, job_id)
                return
            time.sleep(BUSY_PAUSE)
            continue
        except Exception:
            log.exception("account job %s: a batch failed", job_id)
            _failed(database.sessionmaker, job_id)
            return
        busy = 0
        count += 1


def _claim(sessionmaker: Any, job_id: int) -> bool:
    """Take the lease when it is free: one worker per run, whatever the instances."""
    now = utcnow()
    with sessionmaker() as session, session.begin():
        claimed = session.execute(
            update(AccountJob)
            .where(AccountJob.id == job_id, AccountJob.status == JobStatus.RUNNING)
            .where((AccountJob.lease_until.is_(None)) | (AccountJob.lease_until < now))
            .values(lease_until=now + LEASE)
        )
        return bool(getattr(claimed, "rowcount", 0))


def _failed(sessionmaker: Any, job_id: int) -> None:
    """Count a failed batch; the lease ends so that a later look retries, up to a limit."""
    with sessionmaker() as session, session.begin():
        job = session.get(AccountJob, job_id)
        if job is None:
            return
        job.failures += 1
        job.lease_until = None
        if job.failures >= MAX_FAILURES:
            job.status = JobStatus.FAILED
            job.plan_sealed = None
            job.finished_at = utcnow()
            session.execute(delete(AccountJobPart).where(AccountJobPart.job_id == job_id))


def _step(session: Session, secrets_: Secrets, job_id: int, app: Flask) -> bool:
    """One batch (or the end); False when the run is over."""
    job = session.get(AccountJob, job_id)
    if job is None or job.status is not JobStatus.RUNNING or job.plan_sealed is None:
        return False
    plan = json.loads(secrets_.unseal(job.plan_sealed, _PLAN))
    if job.done >= job.total:
        _finish(session, secrets_, job, app)
        return False
    batch = plan[job.done : job.done + BATCH]
    admin = session.get(AdminUser, job.created_by_id) if job.created_by_id else None
    actor: AdminUser | str = admin or "schoolloket"
    school = session.get(School, job.school_id)
    cards = []
    skipped = []
    for entry in batch:
        made = _create(session, school, entry, actor)
        if made is None:
            skipped.append(str(entry["enrollment"]))
        else:
            cards.append(_card_json(made.printed))
    sealed = secrets_.seal(json.dumps(cards).encode("utf-8"), _CARDS)
    session.add(AccountJobPart(job_id=job.id, number=job.done // BATCH, cards_sealed=sealed))
    job.done += len(batch)
    job.failures = 0
    job.lease_until = utcnow() + LEASE
    if skipped:
        job.skipped = [*job.skipped, *_stamnummers(session, skipped)]
    return True


def _create(
    session: Session, school: School | None, entry: dict[str, Any], actor: Any
) -> NewAccount | None:
    """One pupil's account and card, or None when it cannot be made now (no longer
    enrolled here, no official data, or a LeerID already)."""
    enrollment = session.get(Enrollment, entry["enrollment"])
    if (
        school is None
        or enrollment is None
        or enrollment.school_id != school.id
        or enrollment.end_date is not None
        or not enrollment.person.has_official_data
    ):
        return None
    if session.scalar(select(Account.id).where(Account.person_id == enrollment.person_id)):
        return None
    username = entry["username"]
    if session.scalar(select(Account.id).where(Account.username == username)):
        # Taken since the screen: the manual's rule, a number appended.
        person = enrollment.person
        username = propose_username(session, person.first_name, person.last_name)
    # Another run making this pupil's account (or taking the username) between the
    # checks above and this insert makes the unique indexes refuse the batch: `run` then
    # does the batch again, and the checks skip that pupil. (No savepoint per pupil:
    # Python's sqlite3 would commit at its release.)
    made = create_account(
        session,
        enrollment.person,
        kind=AccountKind(entry["kind"]),
        credential=CredentialType(entry["credential"]),
        username=username,
        password=entry["password"],
        actor=actor,
    )
    card = issue_card(session, made.account, actor=actor)
    return NewAccount(
        enrollment.stamnummer, made, card, printed_card(school, enrollment, made, card)
    )


def _stamnummers(session: Session, enrollment_ids: list[str]) -> list[str]:
    ids = [int(i) for i in enrollment_ids]
    return list(session.scalars(select(Enrollment.stamnummer).where(Enrollment.id.in_(ids))))


def _finish(session: Session, secrets_: Secrets, job: AccountJob, app: Flask) -> None:
    """Build the zip from the parts, keep it for one download, and delete the plan."""
    parts = session.scalars(
        select(AccountJobPart)
        .where(AccountJobPart.job_id == job.id)
        .order_by(AccountJobPart.number)
    )
    cards = [
        _card_of(data)
        for part in parts
        for data in json.loads(secrets_.unseal(part.cards_sealed, _CARDS))
    ]
    school = session.get(School, job.school_id)
    admin = session.get(AdminUser, job.created_by_id) if job.created_by_id else None
    if cards and school is not None and admin is not None:
        day = school_day()
        token = bundles.keep(
            session,
            secrets_,
            school=school,
            admin=admin,
            data=credential_bundle(cards, day),
            file_name=bundle_file_name(school, day),
            usernames=[card.username for card in cards],
            lifetime=app.config["LEERID"]["schoolloket"]["credential_download_lifetime"],
        )
        job.bundle_token_sealed = secrets_.seal(token.encode("ascii"), _TOKEN)
    job.status = JobStatus.DONE
    job.plan_sealed = None
    job.finished_at = utcnow()
    session.execute(delete(AccountJobPart).where(AccountJobPart.job_id == job.id))
    details = {"job_id": job.id, "created": len(cards), "skipped": len(job.skipped)}
    actor: AdminUser | str = admin or "schoolloket"
    record_event(session, actor, "account.job_done", school_id=job.school_id, details=details)


def _card_json(card: Card) -> dict[str, Any]:
    data = dataclasses.asdict(card)
    data["pictures"] = [{"name": p.name, "svg": str(p.svg)} for p in card.pictures]
    data["issued_on"] = card.issued_on.isoformat()
    return data


def _card_of(data: dict[str, Any]) -> Card:
    pictures = tuple(CardPicture(p["name"], Path(p["svg"])) for p in data["pictures"])
    issued = dt.date.fromisoformat(data["issued_on"])
    return Card(**{**data, "pictures": pictures, "issued_on": issued})
