"""Schema inspection helpers for the hashmap migrations.

Databases created by the reference implementation may name constraints
differently; the migrations look at what exists instead of assuming.
"""
from alembic import op
import sqlalchemy as sa


def _inspector():
    return sa.inspect(op.get_bind())


def has_table(table):
    return _inspector().has_table(table)


def columns(table):
    return {c['name']: c for c in _inspector().get_columns(table)}


def unique_constraints(table):
    """{name: [column, ...]} of the table's unique constraints."""
    return {uc['name']: uc['column_names']
            for uc in _inspector().get_unique_constraints(table)
            if uc.get('name')}


def drop_uniques_on(batch_op, table, column_sets):
    """Drop every unique constraint covering one of ``column_sets``."""
    wanted = [set(c) for c in column_sets]
    for name, cols in unique_constraints(table).items():
        if set(cols) in wanted:
            batch_op.drop_constraint(name, type_='unique')
