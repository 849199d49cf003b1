"""Sign-ins in progress (interactions) in the database, the language of a sign-in, when
a password last changed, and apps' descriptions in English.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:51:13.706514
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('browser_hash', sa.String(length=64), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('request', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('username', sa.String(length=50), nullable=True),
    sa.Column('proved_account_id', sa.Integer(), nullable=True),
    sa.Column('proved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('login_session_id', sa.Integer(), nullable=True),
    sa.Column('fresh', sa.Boolean(), nullable=False),
    sa.Column('consented', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['oauth_client.id'], name=op.f('fk_interaction_client_id_oauth_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['login_session_id'], ['login_session.id'], name=op.f('fk_interaction_login_session_id_login_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proved_account_id'], ['account.id'], name=op.f('fk_interaction_proved_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interaction')),
    sa.UniqueConstraint('key', name=op.f('uq_interaction_key'))
    )
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interaction_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('oauth_client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=10), nullable=False, server_default='nl-BE'))



def downgrade() -> None:
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('locale')

    with op.batch_alter_table('oauth_client', schema=None) as batch_op:
        batch_op.drop_column('description_en')

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('password_changed_at')

    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_expires_at'))

    op.drop_table('interaction')
