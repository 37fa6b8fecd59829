"""catalog: case-preserving unique keys (normalized shadow columns)

SKUs, barcodes, store names and codes, category names, supplier tax ids and
client emails keep the user's spelling; a `<field>_key` column beside each
holds its casefolded form and carries the UNIQUE constraint instead (see
inventory_api/common/unique.py). The keys are filled from the existing rows
with the same Python function the models use.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:50:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# (table, source column, key length, nullable)
KEYS = (
    ('products', 'sku', 64, False),
    ('products', 'barcode', 192, True),
    ('stores', 'name', 360, False),
    ('stores', 'code', 20, False),
    ('categories', 'name', 360, False),
    ('suppliers', 'tax_id', 120, True),
    ('clients', 'email', 762, True),
)
TABLES = ('products', 'stores', 'categories', 'suppliers', 'clients')


def key_type(length):
    return sa.String(length).with_variant(
        mysql.VARCHAR(length, charset='utf8mb4', collation='utf8mb4_bin'), 'mysql', 'mariadb'
    )


def _keys(table):
    return [key for key in KEYS if key[0] == table]


def _backfill(table, sources):
    """Fill `<source>_key` = casefold(source) for every row, in Python (as the models do)."""
    conn = op.get_bind()
    meta = sa.MetaData()
    columns = [sa.Column('id', sa.Integer, primary_key=True)]
    for source in sources:
        columns += [sa.Column(source, sa.String), sa.Column(f'{source}_key', sa.String)]
    t = sa.Table(table, meta, *columns)
    rows = conn.execute(sa.select(t.c.id, *(t.c[s] for s in sources))).all()
    for row in rows:
        values = {
            f'{source}_key': None if row[i + 1] is None else row[i + 1].casefold()
            for i, source in enumerate(sources)
        }
        conn.execute(t.update().where(t.c.id == row[0]).values(**values))


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _, source, length, _ in _keys(table):
                batch_op.add_column(sa.Column(f'{source}_key', key_type(length), nullable=True))
        _backfill(table, [source for _, source, _, _ in _keys(table)])
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _, source, length, nullable in _keys(table):
                if not nullable:
                    batch_op.alter_column(f'{source}_key', existing_type=key_type(length),
                                          nullable=False)
                batch_op.drop_constraint(f'uq_{table}_{source}', type_='unique')
                batch_op.create_unique_constraint(f'uq_{table}_{source}_key', [f'{source}_key'])


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _, source, _, _ in _keys(table):
                batch_op.drop_constraint(f'uq_{table}_{source}_key', type_='unique')
                batch_op.drop_column(f'{source}_key')
                batch_op.create_unique_constraint(f'uq_{table}_{source}', [source])
    # Revision 0003's code stored these upper-case and compared them exactly.
    op.execute("UPDATE products SET sku = UPPER(sku)")
    op.execute("UPDATE stores SET code = UPPER(code)")
    op.execute("UPDATE suppliers SET tax_id = UPPER(tax_id) WHERE tax_id IS NOT NULL")
