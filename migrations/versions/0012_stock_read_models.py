"""stock read models: per-product totals (product_stock), per-store counters of
movements and products held (ledger_counts), each movement's place in its store's
and its stock level's ledger, filled here from the existing stock levels and
movements; an index for counting filtered product lists

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

NUMBERED = (
    "SELECT id, "
    "ROW_NUMBER() OVER (PARTITION BY store_id ORDER BY id) AS store_seq, "
    "ROW_NUMBER() OVER (PARTITION BY stock_level_id ORDER BY id) AS level_seq "
    "FROM movements"
)


def upgrade():
    op.create_table('product_stock',
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('on_hand', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('available', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.CheckConstraint('on_hand >= 0 AND available >= 0 AND available <= on_hand', name=op.f('ck_product_stock_quantities')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_stock_product_id_products')),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_stock'))
    )
    op.create_table('ledger_counts',
    sa.Column('store_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('movements', sa.BigInteger(), nullable=False),
    sa.Column('products_held', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_ledger_counts_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_ledger_counts'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_category_active_price',
                               ['category_id', 'active', 'price'], unique=False)
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('movement_count', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('store_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('level_seq', sa.Integer(), nullable=True))

    op.execute(
        "INSERT INTO product_stock (product_id, on_hand, available) "
        "SELECT product_id, SUM(on_hand), SUM(on_hand - reserved) FROM stock_levels "
        "GROUP BY product_id"
    )
    op.execute(
        "INSERT INTO ledger_counts (store_id, movements, products_held) "
        "SELECT store_id, COUNT(*), 0 FROM movements GROUP BY store_id"
    )
    op.execute(
        "UPDATE ledger_counts SET products_held = (SELECT COUNT(DISTINCT product_id) "
        "FROM stock_levels WHERE stock_levels.store_id = ledger_counts.store_id "
        "AND stock_levels.on_hand > 0)"
    )
    op.execute(
        "UPDATE stock_levels SET movement_count = "
        "(SELECT COUNT(*) FROM movements WHERE movements.stock_level_id = stock_levels.id)"
    )
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        op.execute(
            f"UPDATE movements JOIN ({NUMBERED}) AS numbered ON numbered.id = movements.id "
            "SET movements.store_seq = numbered.store_seq, "
            "movements.level_seq = numbered.level_seq"
        )
    else:  # PostgreSQL, SQLite >= 3.33
        op.execute(
            f"UPDATE movements SET store_seq = numbered.store_seq, "
            f"level_seq = numbered.level_seq FROM ({NUMBERED}) AS numbered "
            "WHERE numbered.id = movements.id"
        )
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.alter_column('movement_count', server_default=None)
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.alter_column('store_seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('level_seq', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.drop_column('level_seq')
        batch_op.drop_column('store_seq')
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_column('movement_count')
    op.drop_table('ledger_counts')
    op.drop_table('product_stock')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_category_active_price')
