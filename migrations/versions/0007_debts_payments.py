"""debts: debts, payments and their allocations

A debt per sale/order (unique source), payments, and the allocations that
settle debts (payments, credits from returns, voids).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('debts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('source_type', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.CheckConstraint('amount > 0 AND paid_amount >= 0 AND paid_amount <= amount', name=op.f('ck_debts_amounts')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_debts_client_id_clients')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_debts_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debts')),
    sa.UniqueConstraint('source_type', 'source_id', name=op.f('uq_debts_source_type_source_id'))
    )
    with op.batch_alter_table('debts', schema=None) as batch_op:
        batch_op.create_index('ix_debts_client_status_due', ['client_id', 'status', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_debts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_debts_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_debts_status_due', ['status', 'due_date'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_api_key_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payments_amount')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_payments_client_id_clients')),
    sa.ForeignKeyConstraint(['created_by_api_key_id'], ['api_keys.id'], name=op.f('fk_payments_created_by_api_key_id_api_keys')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payments_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_client_id_id', ['client_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_created_by_api_key_id'), ['created_by_api_key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('payment_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.CheckConstraint("(kind = 'payment' AND payment_id IS NOT NULL) OR (kind <> 'payment' AND payment_id IS NULL)", name=op.f('ck_payment_allocations_kind_payment')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_allocations_amount')),
    sa.ForeignKeyConstraint(['debt_id'], ['debts.id'], name=op.f('fk_payment_allocations_debt_id_debts')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_allocations_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations'))
    )
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_allocations_debt_id'), ['debt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_allocations_payment_id'), ['payment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_allocations_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_allocations_debt_id'))

    op.drop_table('payment_allocations')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_payments_created_by_api_key_id'))
        batch_op.drop_index(batch_op.f('ix_payments_created_at'))
        batch_op.drop_index('ix_payments_client_id_id')

    op.drop_table('payments')
    with op.batch_alter_table('debts', schema=None) as batch_op:
        batch_op.drop_index('ix_debts_status_due')
        batch_op.drop_index(batch_op.f('ix_debts_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_debts_created_at'))
        batch_op.drop_index('ix_debts_client_status_due')

    op.drop_table('debts')
