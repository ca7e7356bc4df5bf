"""The hashmap pricing algorithm: pure, no I/O.

``compile_rules`` turns the rule rows valid at a date into lookup tables
(one ``_ServiceRules`` per service); ``price_points`` prices the points
of a metric type from those tables only.
"""
import bisect
import decimal

from cloudkitty import dataframe

DEFAULT_GROUP = '_DEFAULT_'
_ZERO = decimal.Decimal(0)
_ONE = decimal.Decimal(1)
_MISSING = object()

# Accumulator slots (a list per group and point, see point_factors).
_FLAT, _RATE, _TLEVEL, _TCOST, _TRATE, _TSERVICE = range(6)


class _ServiceRules(object):
    """Compiled rules of one service."""

    __slots__ = ('mappings', 'thresholds', 'fields', 'field_names',
                 'levels', 'sorted_levels', 'constant', 'factors')

    def __init__(self):
        # group -> (is_rate, cost)
        self.mappings = {}
        # group -> {level: (is_rate, cost)}
        self.thresholds = {}
        # field name -> (mappings {group: {value: (is_rate, cost)}},
        #                thresholds {group: {level: (is_rate, cost)}})
        self.fields = {}
        self.field_names = ()
        # Every service threshold level, in the order of ``thresholds``.
        self.levels = ()
        self.sorted_levels = ()
        # Pricing factors by cache key (see price_points), kept for as
        # long as the tables: shared by every period they rate.
        self.factors = {}
        # For services with service mappings only: the per-group amounts
        # (rate x flat) to multiply by the quantity, in group order.
        self.constant = None

    def compile(self):
        """Freeze the tables into tuples and indexes for fast lookups.

        Field mappings are indexed by value: {value: ((group, is_rate,
        cost), ...)} with groups in the order the algorithm visits them.
        """
        fields = []
        for name, (maps, thrs) in self.fields.items():
            by_value = {}
            for group, values in maps.items():
                for value, (is_rate, cost) in values.items():
                    by_value.setdefault(value, []).append(
                        (group, is_rate, cost))
            fields.append((
                name,
                {v: tuple(rules) for v, rules in by_value.items()},
                tuple((g, tuple(v.items())) for g, v in thrs.items())))
        self.fields = tuple(fields)
        self.field_names = tuple(f[0] for f in fields)
        self.thresholds = tuple(
            (g, tuple(v.items())) for g, v in self.thresholds.items())
        self.levels = tuple(level for _g, levels in self.thresholds
                            for level, _rule in levels)
        self.sorted_levels = tuple(sorted(self.levels))
        self.mappings = tuple(self.mappings.items())
        if not self.fields and not self.thresholds:
            factors = []
            for group, (is_rate, cost) in self.mappings:
                flat, rate = _ZERO, _ONE
                if is_rate:
                    rate = rate * cost
                elif cost > flat:
                    flat = cost
                factors.append(rate * flat)
            self.constant = tuple(factors)


def compile_rules(services, fields, groups, mappings, thresholds):
    """Lookup tables {service name: _ServiceRules} from rule rows.

    Rows are those of ``db_api.HashMapDB.load_all_rules`` (mappings:
    those valid at one date); global rules are merged before tenant
    rules so that the latter override, as in the reference.
    """
    rules = {}
    by_service_id = {}
    for service_id, name in services:
        by_service_id[service_id] = rules[name] = _ServiceRules()
    field_tables = {}
    for field_id, name, service_id in fields:
        svc = by_service_id.get(service_id)
        if svc is not None:
            field_tables[field_id] = svc.fields[name] = ({}, {})

    def _group(group_id):
        if group_id is None:
            return DEFAULT_GROUP
        return groups.get(group_id, DEFAULT_GROUP)

    # Stable sort: global rows first, then the tenant's, storage order kept.
    for row in sorted(mappings, key=lambda r: r.tenant_id is not None):
        rule = (row.map_type == 'rate', row.cost)
        group = _group(row.group_id)
        if row.service_id is not None:
            svc = by_service_id.get(row.service_id)
            if svc is not None:
                svc.mappings[group] = rule
        elif row.field_id in field_tables:
            field_maps = field_tables[row.field_id][0]
            field_maps.setdefault(group, {})[row.value] = rule
    for row in sorted(thresholds, key=lambda r: r.tenant_id is not None):
        if row.level is None:
            continue
        rule = (row.map_type == 'rate', row.cost)
        group = _group(row.group_id)
        if row.service_id is not None:
            svc = by_service_id.get(row.service_id)
            if svc is not None:
                svc.thresholds.setdefault(group, {})[row.level] = rule
        elif row.field_id in field_tables:
            field_thrs = field_tables[row.field_id][1]
            field_thrs.setdefault(group, {})[row.level] = rule
    for svc in rules.values():
        svc.compile()
    return rules


def _numeric(value):
    """Decimal of a field value compared with levels; None if not one."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return dataframe.to_decimal(value)
    except (ValueError, TypeError, decimal.InvalidOperation):
        return None


def _new_acc():
    # flat, rate, threshold level, cost, is rate, scope (None: no
    # threshold, True: service, False: field)
    return [_ZERO, _ONE, -1, _ZERO, False, None]


def _apply_mapping(acc, group, is_rate, cost):
    """Fold a matching mapping into the accumulator of its group."""
    a = acc.get(group)
    if a is None:
        a = acc[group] = _new_acc()
    if is_rate:
        a[_RATE] = a[_RATE] * cost
    elif cost > a[_FLAT]:
        a[_FLAT] = cost


def _apply_thresholds(acc, thresholds, value, service_scope):
    """Keep, per group, the highest threshold level ``value`` reaches.

    ``service_scope``: True for service thresholds (applied to the
    amount), False for field ones (applied to the rate or flat).
    """
    for group, levels in thresholds:
        for level, (is_rate, cost) in levels:
            if value >= level:
                a = acc.get(group)
                if a is None:
                    a = acc[group] = _new_acc()
                if level > a[_TLEVEL]:
                    a[_TLEVEL] = level
                    a[_TCOST] = cost
                    a[_TRATE] = is_rate
                    a[_TSERVICE] = service_scope


def point_factors(svc, qty, groupby, metadata):
    """Per group, how rule set ``svc`` prices a point: (coef, mode, cost).

    The reference's algorithm, in the same order of operations so that
    results are identical to the last digit: a group's amount is
    ``coef * qty``, then multiplied by (mode 1) or added to (mode 2) the
    cost of the service threshold reached (mode 0: none). The result
    depends on ``qty`` only through the service threshold levels it
    reaches, so it is shared by points with the same field values and
    levels reached. An empty tuple means that no rule matched.
    """
    acc = {}
    for group, (is_rate, cost) in svc.mappings:
        _apply_mapping(acc, group, is_rate, cost)
    _apply_thresholds(acc, svc.thresholds, qty, True)
    for fname, by_value, fthrs in svc.fields:
        value = groupby.get(fname, _MISSING)
        if value is _MISSING:
            value = metadata.get(fname, _MISSING)
            if value is _MISSING:
                continue
        if by_value:
            matched = by_value.get(
                value if type(value) is str else str(value))
            if matched:
                for group, is_rate, cost in matched:
                    _apply_mapping(acc, group, is_rate, cost)
        if fthrs:
            lv = _numeric(value)
            if lv is None:
                # The reference aborts the whole frame here; a value that
                # is not a number simply reaches no level.
                continue
            _apply_thresholds(acc, fthrs, lv, False)
    factors = []
    for a in acc.values():
        rate, flat = a[_RATE], a[_FLAT]
        service_scope = a[_TSERVICE]
        mode = 0
        if service_scope is False:
            if a[_TRATE]:
                rate = rate * a[_TCOST]
            else:
                flat = flat + a[_TCOST]
        elif service_scope:
            mode = 1 if a[_TRATE] else 2
        factors.append((rate * flat, mode, a[_TCOST]))
    return tuple(factors)


def _amount(qty, factor):
    coef, mode, cost = factor
    r = coef * qty
    if mode == 1:
        r = r * cost
    elif mode == 2:
        r = r + cost
    return r


_CACHE_SIZE = 65536


def _cache_key(svc, qty, groupby, metadata):
    """What the pricing factors of a point depend on.

    The service threshold levels its quantity reaches (as how many of the
    sorted levels are <= qty: the set of levels reached follows from it)
    and the values of the service's fields (typed, so that 1, 1.0 and
    True, which compare equal, are different keys).
    """
    key = [bisect.bisect_right(svc.sorted_levels, qty)]
    for fname in svc.field_names:
        value = groupby.get(fname, _MISSING)
        if value is _MISSING:
            value = metadata.get(fname, _MISSING)
        if type(value) is not str:
            value = (type(value), repr(value))
        key.append(value)
    return tuple(key)


def price_points(svc, points):
    """The points of one metric type priced by rule set ``svc``."""
    make = dataframe.DataPoint._make
    out = []
    append = out.append
    constant = svc.constant
    if constant is not None:
        if not constant:
            return list(points)
        for p in points:
            qty = p[1]
            price = p[2]
            for factor in constant:
                price = price + factor * qty
            append(make((p[0], qty, price, p[3], p[4], p[5])))
        return out
    # Points sharing field values and threshold levels reached get the
    # same factors: computed once per rule tables (svc.factors).
    cache = svc.factors
    levels = svc.sorted_levels
    # The key of the usual service (one field), built inline.
    single = svc.field_names[0] if len(svc.field_names) == 1 else None
    bisect_right = bisect.bisect_right
    for p in points:
        qty = p[1]
        if single is not None:
            value = p[3].get(single, _MISSING)
            if value is _MISSING:
                value = p[4].get(single, _MISSING)
            if type(value) is not str:
                value = (type(value), repr(value))
            key = (bisect_right(levels, qty), value)
        else:
            key = _cache_key(svc, qty, p[3], p[4])
        try:
            factors = cache.get(key)
        except TypeError:       # unhashable field value
            key = None
            factors = None
        if factors is None:
            factors = point_factors(svc, qty, p[3], p[4])
            if key is not None:
                if len(cache) >= _CACHE_SIZE:
                    cache.clear()
                cache[key] = factors
        if not factors:
            append(p)
            continue
        price = p[2]
        # Groups are added one by one, in creation order.
        for factor in factors:
            price = price + _amount(qty, factor)
        append(make((p[0], qty, price, p[3], p[4], p[5])))
    return out
