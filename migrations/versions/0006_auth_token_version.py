"""auth: token generation per user (revocation on password change and deactivation)

Every token carries its user's `token_version`; bumping it revokes them all.
Existing users start at 0. Tokens issued before this revision carry no
generation and are refused: their owners log in again once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:50:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('token_version')
