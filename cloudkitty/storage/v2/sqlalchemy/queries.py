"""SQL of the ``sqlalchemy`` v2 storage reads, per dialect.

The stored points are expanded from the blocks' JSON arrays in SQL
(``json_each`` on SQLite, ``JSON_TABLE`` on MariaDB,
``jsonb_array_elements`` on PostgreSQL); attributes are read with
``json_extract`` on SQLite and MariaDB, ``->>`` on PostgreSQL. Rollup
reads, filters and aggregates are translated here too.
"""
import re

import sqlalchemy as sa

from cloudkitty.storage import v2 as storage_v2
from cloudkitty.storage.v2.sqlalchemy import codec
from cloudkitty.storage.v2.sqlalchemy import layout
from cloudkitty.storage.v2.sqlalchemy import models

ROLLUPS = models.rollups

DEFAULT_AGGREGATES = (('sum', 'qty', 'qty'), ('sum', 'price', 'rate'))
_CUSTOM_FIELD = re.compile(
    r'^\s*(sum|min|max|avg|mean|count)\s*\(\s*(qty|price|rate|\*)\s*\)'
    r'\s*(?:as\s+([A-Za-z_][A-Za-z0-9_]*))?\s*$', re.IGNORECASE)
# Attribute names end up in JSON paths: keep them printable and unquoted.
_BAD_KEY = re.compile(r'["\\\x00-\x1f]')


def check_key(key):
    if not isinstance(key, str) or not key or _BAD_KEY.search(key):
        raise storage_v2.InvalidQuery(
            'Invalid attribute name %r: it must be a non-empty string '
            'without double quotes, backslashes or control characters.'
            % (key,))
    return key


def parse_custom_fields(custom_fields):
    """[(function, column, alias)] from ``SUM(qty) AS qty, ...``."""
    if not custom_fields:
        return list(DEFAULT_AGGREGATES)
    output = []
    for piece in custom_fields.split(','):
        match = _CUSTOM_FIELD.match(piece)
        if not match:
            raise storage_v2.InvalidQuery(
                'Invalid custom_fields element %r: expected '
                '<function>(<field>) [AS <alias>] with function in sum, '
                'min, max, avg, mean, count and field in qty, price, '
                'rate, *.' % piece.strip())
        func, field, alias = match.groups()
        func = func.lower()
        func = 'avg' if func == 'mean' else func
        field = field.lower()
        if field == '*':
            if func != 'count':
                raise storage_v2.InvalidQuery(
                    'Invalid custom_fields element %r: only count '
                    'accepts *.' % piece.strip())
            field = 'qty'
        field = 'price' if field == 'rate' else field
        output.append((func, field, alias or func))
    aliases = [alias for _, _, alias in output]
    if len(set(aliases)) != len(aliases):
        raise storage_v2.InvalidQuery(
            'Invalid custom_fields: duplicate alias in %r.' % custom_fields)
    return output


_MYSQL_TEXT = 'VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'
# Per dialect: the FROM clause expanding the blocks into points ``p``, the
# SQL of each point element (type, unit, qty, price, groupby, metadata)
# and of the point's position in its block.
_POINT_SQL = {
    'postgresql': (
        'rated_blocks_v2 AS b CROSS JOIN LATERAL '
        'jsonb_array_elements(b.points) WITH ORDINALITY AS p(value, ord)',
        ['(p.value ->> 0)', '(p.value ->> 1)',
         'CAST(p.value ->> 2 AS NUMERIC)', 'CAST(p.value ->> 3 AS NUMERIC)',
         '(p.value -> 4)', '(p.value -> 5)'],
        'p.ord'),
    'mysql': (
        "rated_blocks_v2 AS b, JSON_TABLE(b.points, '$[*]' COLUMNS ("
        "ord FOR ORDINALITY, type %s PATH '$[0]', unit %s PATH '$[1]', "
        "qty DECIMAL(40, 18) PATH '$[2]', price DECIMAL(40, 18) PATH "
        "'$[3]', gb JSON PATH '$[4]', md JSON PATH '$[5]')) AS p"
        % (_MYSQL_TEXT, _MYSQL_TEXT),
        ['p.type', 'p.unit', 'p.qty', 'p.price', 'p.gb', 'p.md'],
        'p.ord'),
    'sqlite': (
        'rated_blocks_v2 AS b, json_each(b.points) AS p',
        ["json_extract(p.value, '$[%d]')" % i
         for i in range(layout.POINT_FIELDS)],
        'p.key'),
}


class Points(object):
    """The rated points of the blocks, expanded in SQL for one dialect.

    Columns are SQL fragments over ``rated_blocks_v2 AS b`` and the
    expansion ``p`` of its ``points`` array (``[type, unit, qty, price,
    groupby, metadata]``).
    """

    def __init__(self, dialect, scope_key):
        self.dialect = dialect
        self.scope_key = scope_key
        col = sa.literal_column
        from_, elements, position = _POINT_SQL.get(dialect,
                                                   _POINT_SQL['sqlite'])
        self.from_ = sa.text(from_)
        dec = models.ExactDecimal()
        (self.type, self.unit, self.qty, self.price, self.groupby,
         self.metadata) = [col(sql, type_) for sql, type_ in zip(
             elements, (sa.Text, sa.Text, dec, dec, sa.Text, sa.Text))]
        self.ord = col(position)
        self.id = col('b.id')
        self.begin_ts = col('b.begin_ts', sa.BigInteger)
        # Points in (begin, block, position) order. SQLite yields a block's
        # points in array order after the (begin_ts, id) index: naming the
        # position would sort the whole expansion before any LIMIT.
        self.order = [self.begin_ts, self.id]
        if dialect != 'sqlite':
            self.order.append(self.ord)
        self.end_ts = col('b.end_ts', sa.BigInteger)
        self.scope_id = col('b.scope_id', sa.Text)

    def _json_text(self, index, key):
        """Text of attribute ``key`` of the group-by (4) or metadata (5)."""
        quoted = key.replace("'", "''")
        if self.dialect == 'postgresql':
            return "(p.value -> %d ->> '%s')" % (index, quoted)
        if self.dialect == 'mysql':
            return ('JSON_UNQUOTE(JSON_EXTRACT(p.%s, \'$."%s"\')) COLLATE '
                    'utf8mb4_bin' % (
                        'gb' if index == layout.POINT_GROUPBY else 'md',
                        quoted))
        return ('CAST(json_extract(p.value, \'$[%d]."%s"\') AS TEXT)'
                % (index, quoted))

    def attr(self, key):
        if key == 'type':
            return self.type
        if key == self.scope_key:
            return self.scope_id
        check_key(key)
        return sa.literal_column('COALESCE(%s, %s, \'\')' % (
            self._json_text(layout.POINT_GROUPBY, key),
            self._json_text(layout.POINT_METADATA, key)), sa.Text)


class Query(object):
    """Translate filters, group-by and aggregates for one dialect."""

    def __init__(self, dialect, scope_key):
        self.dialect = dialect
        self.scope_key = scope_key
        self.rollup_keys = {'type': 'type', scope_key: 'scope_id'}
        for key in layout.TIME_KEYS:
            self.rollup_keys.setdefault(key, key)
        self.points = Points(dialect, scope_key)

    def rollup_attr(self, key):
        return ROLLUPS.c[self.rollup_keys[key]]

    def can_use_rollups(self, keys, filters, aggregates):
        return (all(k in self.rollup_keys for k in keys)
                and all(k in self.rollup_keys for k in filters)
                and all(func in ('sum', 'count')
                        for func, _, _ in aggregates))

    def can_use_months(self, keys, filters):
        """Month rollups do not keep the time attributes."""
        time_columns = set(layout.TIME_KEYS)
        return not any(self.rollup_keys.get(k) in time_columns
                       for k in list(keys) + list(filters))

    # Aggregates.
    def aggregate(self, func, column, rollup):
        if func == 'count':
            if rollup:
                return sa.func.sum(ROLLUPS.c.count)
            return sa.func.count()
        if self.dialect == 'sqlite':
            return getattr(sa.func, 'ck_d' + func)(
                column, type_=models.ExactDecimal())
        return getattr(sa.func, func)(column, type_=models.ExactDecimal())

    # Conditions.
    @staticmethod
    def _in(expr, values):
        values = [codec.text(v) for v in values]
        if len(values) == 1:
            return expr == values[0]
        return expr.in_(values)

    def conditions(self, filters, metric_types, rollup):
        if rollup:
            attr, type_column = self.rollup_attr, ROLLUPS.c.type
        else:
            attr, type_column = self.points.attr, self.points.type
        output = []
        if metric_types:
            output.append(self._in(type_column, metric_types))
        for key, values in filters.items():
            output.append(self._in(attr(key), values))
        return output

    def entry_matcher(self, filters, metric_types):
        """Predicate on (block scope, sums entry), as ``conditions``."""
        checks = []
        if metric_types:
            checks.append((layout.ENTRY_TYPE,
                           {codec.text(v) for v in metric_types}))
        for key, values in filters.items():
            if key == 'type':
                index = layout.ENTRY_TYPE
            elif key == self.scope_key:
                index = None
            else:
                index = layout.entry_index(key)
            checks.append((index, {codec.text(v) for v in values}))

        def match(scope, entry):
            for index, values in checks:
                if (scope if index is None else entry[index]) not in values:
                    return False
            return True
        return match

    def entry_index(self, key):
        """Where group-by ``key`` is in a block's sums entry.

        None: it is the block's scope.
        """
        if key == 'type':
            return layout.ENTRY_TYPE
        if key == self.scope_key:
            return None
        return layout.entry_index(self.rollup_keys[key])


def rollup_window(ranges):
    """WHERE clause of the rollups of ``ranges`` [(kind, lo, hi)]."""
    clauses = [sa.and_(ROLLUPS.c.kind == kind, ROLLUPS.c.begin_ts >= lo,
                       ROLLUPS.c.begin_ts < hi)
               for kind, lo, hi in ranges]
    return clauses[0] if len(clauses) == 1 else sa.or_(*clauses)
