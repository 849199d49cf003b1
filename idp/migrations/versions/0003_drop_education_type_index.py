"""Drop the index on enrollment.education_type: no query uses it, every import pays for it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:12:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollment_education_type")


def downgrade() -> None:
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index("ix_enrollment_education_type", ["education_type"], unique=False)
