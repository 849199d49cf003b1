"""Schoolloket: administrators' sessions, first-sign-in and TOTP state, pupil name search.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SEARCH_NAME_ROWS = 5000


def upgrade() -> None:
    with op.batch_alter_table("admin_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("admin_user", schema=None) as batch_op:
        batch_op.alter_column("must_change_password", server_default=None)

    op.create_table(
        "admin_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "new_password",
                "enrol_totp",
                "signed_in",
                name="admin_stage",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("pending_totp_encrypted", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["admin_id"],
            ["admin_user.id"],
            name=op.f("fk_admin_session_admin_id_admin_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_admin_session_token_hash")),
    )
    with op.batch_alter_table("admin_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_session_admin_id"), ["admin_id"], unique=False)

    op.create_table(
        "credential_bundle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=100), nullable=False),
        sa.Column("account_count", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("usernames", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["admin_user.id"],
            name=op.f("fk_credential_bundle_created_by_id_admin_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_credential_bundle_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_bundle")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_credential_bundle_token_hash")),
    )
    op.create_index(
        op.f("ix_credential_bundle_expires_at"), "credential_bundle", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_credential_bundle_school_id"), "credential_bundle", ["school_id"], unique=False
    )

    # Not in batch mode: SQLite would copy the table and lose its append-only triggers.
    op.add_column("audit_event", sa.Column("person_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_audit_event_person_id"), "audit_event", ["person_id"], unique=False)

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_name", sa.String(length=210), nullable=False, server_default="")
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("search_name", server_default=None)
    _fill_search_names()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_person_search_name",
        "person",
        ["search_name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    )


def _fill_search_names() -> None:
    # The folding rule lives in Python (anyascii), so existing rows are filled from here.
    from idp.folding import search_name

    connection = op.get_bind()
    person = sa.table(
        "person",
        sa.column("id", sa.Integer),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("search_name", sa.String),
    )
    change = (
        sa.update(person)
        .where(person.c.id == sa.bindparam("b_id"))
        .values(search_name=sa.bindparam("b_search_name"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(person.c.id, person.c.first_name, person.c.last_name)
            .where(person.c.id > last)
            .order_by(person.c.id)
            .limit(_SEARCH_NAME_ROWS)
        ).all()
        if not rows:
            return
        connection.execute(
            change,
            [{"b_id": i, "b_search_name": search_name(first, last_name)} for i, first, last_name in rows],
        )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index(
        "ix_person_search_name",
        table_name="person",
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("search_name")
    op.drop_index(op.f("ix_credential_bundle_school_id"), table_name="credential_bundle")
    op.drop_index(op.f("ix_credential_bundle_expires_at"), table_name="credential_bundle")
    op.drop_table("credential_bundle")
    op.drop_index(op.f("ix_audit_event_person_id"), table_name="audit_event")
    op.drop_column("audit_event", "person_id")
    with op.batch_alter_table("admin_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_session_admin_id"))
    op.drop_table("admin_session")
    with op.batch_alter_table("admin_user", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("must_change_password")
