"""supplier ratings: manual 1–5 scores of suppliers, optionally about one purchase order

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:20:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supplier_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_api_key_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.CheckConstraint('score >= 1 AND score <= 5', name=op.f('ck_supplier_ratings_score')),
    sa.ForeignKeyConstraint(['created_by_api_key_id'], ['api_keys.id'], name=op.f('fk_supplier_ratings_created_by_api_key_id_api_keys')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_supplier_ratings_created_by_id_users')),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_supplier_ratings_purchase_order_id_purchase_orders')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_supplier_ratings_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_ratings'))
    )
    with op.batch_alter_table('supplier_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_ratings_created_by_api_key_id'), ['created_by_api_key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_ratings_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_ratings_purchase_order_id'), ['purchase_order_id'], unique=False)
        batch_op.create_index('ix_supplier_ratings_supplier_id_id', ['supplier_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('supplier_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_supplier_ratings_supplier_id_id')
        batch_op.drop_index(batch_op.f('ix_supplier_ratings_purchase_order_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_ratings_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_ratings_created_by_api_key_id'))

    op.drop_table('supplier_ratings')
