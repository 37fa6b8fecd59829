"""stock: lot origin (supplier, purchase order), movements by API key

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:50:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# documents whose creator may be an API key (besides a user)
ACTOR_TABLES = ('movements', 'transfers', 'stock_counts')


def upgrade():
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purchase_order_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_lots_purchase_order_id'), ['purchase_order_id'],
                              unique=False)

    for table in ACTOR_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('created_by_api_key_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_created_by_api_key_id_api_keys'), 'api_keys',
                ['created_by_api_key_id'], ['id'])
            if table == 'movements':
                batch_op.create_index(batch_op.f('ix_movements_created_by_api_key_id'),
                                      ['created_by_api_key_id'], unique=False)


def downgrade():
    for table in reversed(ACTOR_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'movements':
                batch_op.drop_index(batch_op.f('ix_movements_created_by_api_key_id'))
            batch_op.drop_constraint(
                batch_op.f(f'fk_{table}_created_by_api_key_id_api_keys'), type_='foreignkey')
            batch_op.drop_column('created_by_api_key_id')

    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lots_purchase_order_id'))
        batch_op.drop_column('purchase_order_id')
