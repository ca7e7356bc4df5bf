"""Packing of pushed frames into blocks and rollup deltas, without I/O.

A push becomes one block per (period, owner, scope) (see ``layout``): its
points as JSON text, the exact sums of its points by metric type and time
attributes, and the day rollup deltas of those sums.
"""
import decimal

from cloudkitty.storage.v2.sqlalchemy import arithmetic
from cloudkitty.storage.v2.sqlalchemy import codec
from cloudkitty.storage.v2.sqlalchemy import layout

CTX = layout.DECIMAL_CONTEXT
ZERO = decimal.Decimal(0)

# Module globals: the loop of ``pack`` runs once per point.
_epoch = codec.epoch
_text = codec.text
_encode = codec.encode
_dumps_str = codec.dumps_str
_dumps_value = codec.dumps_value
_groupby_info = codec.groupby_info
_exact_text = codec.exact_text


def pack(dataframes, scope_key, owner_arg):
    """Blocks, rollup deltas and replaced periods of a push.

    ``owner_arg``: the scope id of the push (text) or None. Returns
    ``(rows, deltas, replaced, written)``: block rows in
    ``bulk.BLOCK_COLUMNS`` order, an ``arithmetic.Deltas``, the
    [(begin, end, owner or None, {(owner, type)} or None)] that the push
    replaces, and the size of the points' JSON.
    """
    replaced = []   # (begin, end, owner or None, [(owner, type)])
    time_keys = layout.TIME_KEYS
    # [(begin, end, owner, scope, [point JSON], {(type,) + time
    # attributes: ([qty], [price])})]
    blocks = []
    # What was derived from group-by and metadata mappings already seen
    # in this push: a resource repeats them for each of its metrics.
    encoded = {}
    by_groupby = {}
    strings = {}
    # The loop below runs once per point: locals and C-level helpers
    # only (it bounds the load rate). A point's JSON follows the
    # ``layout.POINT_*`` order.
    for frame in dataframes:
        begin, end = _epoch(frame.start), _epoch(frame.end)
        # scope -> (points, sums) of this frame; the owner is the scope
        # id of the push or, without one, the scope itself.
        frame_blocks = {}
        pairs = set()
        for type_, points in frame.itertypes():
            type_json = _dumps_str(strings, type_)
            for point in points:
                groupby, meta = point.groupby, point.metadata
                # The group-by gives the JSON, the scope and the time
                # attributes; metadata only when they are missing.
                try:
                    groupby_json, scope, attrs = by_groupby[
                        tuple(groupby.items())]
                except (KeyError, TypeError):
                    groupby_json, scope, attrs = _groupby_info(
                        by_groupby, groupby, scope_key)
                if scope is None:
                    scope = _text(meta.get(scope_key))
                if attrs is None:
                    attrs = tuple(
                        _text(groupby[k] if k in groupby
                              else meta.get(k)) for k in time_keys)
                # str() of a Decimal is its plain text unless it has
                # an exponent or, being long, maybe more than 18
                # places (hashing a Decimal costs four times more).
                qty = point.qty
                qty_text = str(qty)
                if 'E' in qty_text or len(qty_text) > 20:
                    qty, qty_text = _exact_text(qty)
                price = point.price
                price_text = str(price)
                if 'E' in price_text or len(price_text) > 20:
                    price, price_text = _exact_text(price)
                try:
                    meta_json = encoded[tuple(meta.items())]
                except (KeyError, TypeError):
                    meta_json = _encode(encoded, meta)
                try:
                    unit_json = strings[point.unit]
                except (KeyError, TypeError):
                    unit_json = _dumps_str(strings, point.unit)
                block = frame_blocks.get(scope)
                if block is None:
                    block = frame_blocks[scope] = ([], {})
                block[0].append('[%s,%s,"%s","%s",%s,%s]' % (
                    type_json, unit_json, qty_text, price_text,
                    groupby_json, meta_json))
                sums_key = (type_,) + attrs
                entry = block[1].get(sums_key)
                if entry is None:
                    block[1][sums_key] = ([qty], [price])
                    if owner_arg is None:
                        pairs.add((scope, type_))
                else:
                    entry[0].append(qty)
                    entry[1].append(price)
        for scope, (points, sums) in frame_blocks.items():
            owner = scope if owner_arg is None else owner_arg
            blocks.append((begin, end, owner, scope, points, sums))
        if owner_arg is not None:
            replaced.append((begin, end, owner_arg, None))
        elif pairs:
            replaced.append((begin, end, None, pairs))
    deltas = arithmetic.Deltas()
    add = deltas.add
    rows = []
    # The sums of every block of the push in one decimal context, inline:
    # a helper call per block and per key costs a tenth of the load rate.
    with decimal.localcontext(CTX):
        for begin, end, owner, scope, points, sums in blocks:
            entries = []
            for key, (qtys, prices) in sums.items():
                qty, price = sum(qtys, ZERO), sum(prices, ZERO)
                # Sums of plain decimals print plain (see above).
                qty_text, price_text = str(qty), str(price)
                if 'E' in qty_text:
                    qty_text = format(qty, 'f')
                if 'E' in price_text:
                    price_text = format(price, 'f')
                entries.append(list(key) + [len(qtys), qty_text,
                                            price_text])
                add(begin, owner, scope, key, len(qtys), qty, price)
            rows.append((begin, end, owner, scope, len(points),
                         _dumps_value(entries), '[%s]' % ','.join(points)))
    written = sum(len(row[6]) for row in rows)
    return rows, deltas, replaced, written
