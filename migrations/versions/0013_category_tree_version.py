"""the category tree's version (a named counter), which processes holding a copy
of the tree compare with the one their statements read

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 03:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COUNTERS = sa.table('document_counters', sa.column('name', sa.String),
                    sa.column('value', sa.Integer))


def upgrade():
    # a version for the categories as they are; every later write changes it
    # (a database that had this row already keeps its own)
    connection = op.get_bind()
    found = connection.execute(sa.select(COUNTERS.c.name).where(COUNTERS.c.name == 'categories'))
    if found.first() is None:
        op.execute(COUNTERS.insert().values(name='categories',
                                            value=secrets.randbelow(2**31 - 1) + 1))


def downgrade():
    op.execute(COUNTERS.delete().where(COUNTERS.c.name == 'categories'))
