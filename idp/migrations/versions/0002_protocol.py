"""OpenID provider state: clients, SSO sessions, codes, tokens, claim releases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 06:35:29.859275
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oauth_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('client_secret_hash', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('vendor', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('logo_url', sa.String(length=500), nullable=False),
    sa.Column('redirect_uris', sa.JSON(), nullable=False),
    sa.Column('post_logout_redirect_uris', sa.JSON(), nullable=False),
    sa.Column('backchannel_logout_uri', sa.String(length=500), nullable=True),
    sa.Column('allowed_scopes', sa.JSON(), nullable=False),
    sa.Column('token_endpoint_auth_method', sa.String(length=30), nullable=False),
    sa.Column('jwks_uri', sa.String(length=500), nullable=True),
    sa.Column('jwks', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('id_token_signed_response_alg', sa.String(length=10), nullable=False),
    sa.Column('sector_identifier', sa.String(length=255), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(token_endpoint_auth_method = 'none') = (client_secret_hash IS NULL AND jwks IS NULL AND jwks_uri IS NULL)", name=op.f('ck_oauth_client_public_without_credentials')),
    sa.CheckConstraint("id_token_signed_response_alg IN ('RS256', 'ES256')", name=op.f('ck_oauth_client_signing_alg')),
    sa.CheckConstraint("token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')", name=op.f('ck_oauth_client_auth_method')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_client')),
    sa.UniqueConstraint('client_id', name=op.f('uq_oauth_client_client_id'))
    )
    op.create_table('used_once',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_used_once'))
    )
    with op.batch_alter_table('used_once', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_once_expires_at'), ['expires_at'], unique=False)

    op.create_table('claim_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claims', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_claim_release_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['oauth_client.id'], name=op.f('fk_claim_release_client_id_oauth_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_release'))
    )
    with op.batch_alter_table('claim_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_release_account_id'), ['account_id'], unique=False)

    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('cookie_hash', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('auth_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amr', sa.JSON(), nullable=False),
    sa.Column('acr', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_login_session_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('cookie_hash', name=op.f('uq_login_session_cookie_hash')),
    sa.UniqueConstraint('sid', name=op.f('uq_login_session_sid'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_account_id'), ['account_id'], unique=False)

    op.create_table('authorization_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('login_session_id', sa.Integer(), nullable=True),
    sa.Column('redirect_uri', sa.String(length=500), nullable=False),
    sa.Column('scope', sa.String(length=500), nullable=False),
    sa.Column('nonce', sa.String(length=500), nullable=True),
    sa.Column('code_challenge', sa.String(length=128), nullable=True),
    sa.Column('code_challenge_method', sa.String(length=10), nullable=True),
    sa.Column('auth_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acr', sa.String(length=100), nullable=False),
    sa.Column('amr', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_authorization_code_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['oauth_client.id'], name=op.f('fk_authorization_code_client_id_oauth_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['login_session_id'], ['login_session.id'], name=op.f('fk_authorization_code_login_session_id_login_session'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorization_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_authorization_code_code_hash'))
    )
    op.create_table('login_session_client',
    sa.Column('login_session_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('first_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['oauth_client.id'], name=op.f('fk_login_session_client_client_id_oauth_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['login_session_id'], ['login_session.id'], name=op.f('fk_login_session_client_login_session_id_login_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('login_session_id', 'client_id', name=op.f('pk_login_session_client'))
    )
    op.create_table('oauth_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('access_token_hash', sa.String(length=64), nullable=False),
    sa.Column('refresh_token_hash', sa.String(length=64), nullable=True),
    sa.Column('family', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('login_session_id', sa.Integer(), nullable=True),
    sa.Column('authorization_code_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=500), nullable=False),
    sa.Column('auth_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('access_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refresh_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_oauth_token_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['authorization_code_id'], ['authorization_code.id'], name=op.f('fk_oauth_token_authorization_code_id_authorization_code'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['oauth_client.id'], name=op.f('fk_oauth_token_client_id_oauth_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['login_session_id'], ['login_session.id'], name=op.f('fk_oauth_token_login_session_id_login_session'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_token')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_oauth_token_access_token_hash')),
    sa.UniqueConstraint('refresh_token_hash', name=op.f('uq_oauth_token_refresh_token_hash'))
    )
    with op.batch_alter_table('oauth_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_token_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_token_authorization_code_id'), ['authorization_code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_token_family'), ['family'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_token_login_session_id'), ['login_session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('oauth_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_token_login_session_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_token_family'))
        batch_op.drop_index(batch_op.f('ix_oauth_token_authorization_code_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_token_account_id'))

    op.drop_table('oauth_token')
    op.drop_table('login_session_client')
    op.drop_table('authorization_code')
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_account_id'))

    op.drop_table('login_session')
    with op.batch_alter_table('claim_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_release_account_id'))

    op.drop_table('claim_release')
    with op.batch_alter_table('used_once', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_once_expires_at'))

    op.drop_table('used_once')
    op.drop_table('oauth_client')
