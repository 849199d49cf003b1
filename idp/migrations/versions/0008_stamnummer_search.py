"""The pupil list's search by the start of a stamnummer, over every school.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:25:00
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_enrollment_stamnummer",
        "enrollment",
        ["stamnummer"],
        unique=False,
        postgresql_ops={"stamnummer": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_enrollment_stamnummer", table_name="enrollment")
