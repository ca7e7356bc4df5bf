"""Validation rules of hashmap objects: pure checks, no I/O.

Each check raises ``exceptions.ClientHashMapError`` with the reference's
text; the database API calls them in the reference's order.
"""
import decimal

from cloudkitty.rating.hash import exceptions
from cloudkitty.utils import tz as tzutils

MAP_TYPES = ('flat', 'rate')
COST_SCALE = 28
LEVEL_SCALE = 8
COST_QUANTUM = decimal.Decimal(1).scaleb(-COST_SCALE)
LEVEL_QUANTUM = decimal.Decimal(1).scaleb(-LEVEL_SCALE)
_QUANTIZE_CONTEXT = decimal.Context(prec=60)


def quantize(value, scale):
    """``value`` as a Decimal with exactly ``scale`` fractional digits."""
    quantum = decimal.Decimal(1).scaleb(-scale)
    return decimal.Decimal(value).quantize(quantum,
                                           context=_QUANTIZE_CONTEXT)


def cost(value):
    """A cost as stored."""
    return quantize(value, COST_SCALE)


def level(value):
    """A threshold level as stored."""
    return quantize(value, LEVEL_SCALE)


def fmt_dt(value):
    """Datetime as printed in error messages (space separator)."""
    return None if value is None else str(value)


def check_one_parent(service_id, field_id):
    """A rule belongs to exactly one service or field."""
    if service_id and field_id:
        raise exceptions.ClientHashMapError(
            'You can only specify one parent.')
    if not service_id and not field_id:
        raise exceptions.ClientHashMapError('You must specify one parent.')


def check_map_type(map_type):
    if map_type not in MAP_TYPES:
        raise exceptions.ClientHashMapError(
            'Invalid input for field/attribute type. Value: %r. '
            'Value should be one of: flat, rate' % (map_type,))


def check_listing_parent(service_uuid, field_uuid, group_uuid):
    """A listing of rules names the parent it lists."""
    if service_uuid is None and field_uuid is None and group_uuid is None:
        raise exceptions.ClientHashMapError(
            'You must specify either service_uuid, field_uuid or '
            'group_uuid.')


def check_start(start, now):
    """A rule cannot be created (or moved) to start in the past."""
    if start is not None and start < now:
        raise exceptions.ClientHashMapError(
            'Cannot create a rule with start in the past. '
            'start=[%s] current time=[%s].' % (fmt_dt(start), fmt_dt(now)))


def check_window(start, end):
    """A validity period does not end before it starts."""
    if end is not None and end < start:
        raise exceptions.ClientHashMapError(
            'Cannot create a rule with start after end. '
            'start=[%s] end=[%s].' % (fmt_dt(start), fmt_dt(end)))


def check_mapping_target(value, service_id, field_id):
    """A field mapping has a value; a service mapping has none."""
    if value and service_id:
        raise exceptions.ClientHashMapError(
            "You can't specify a value and a service_id.")
    if not value and field_id:
        raise exceptions.ClientHashMapError(
            'You must specify a value for a field mapping.')


def changed_attribute(current, sent):
    """Name of the first attribute of ``sent`` differing, or None.

    ``current``: the API dict of the stored mapping. Falsy values (null,
    "", 0) are no change, as in the reference: the client sends back what
    it read, tempest sends ``"cost": 0``.
    """
    for key, value in sent.items():
        if value is None or value == '' or value is False:
            continue
        stored = current.get(key)
        if key == 'cost':
            value = cost(value)
            if value and value != stored:
                return key
        elif key in ('start', 'end'):
            if tzutils.naive_utc(value) != stored:
                return key
        elif key in ('service_id', 'field_id', 'group_id'):
            if stored is None or str(value).lower().replace(
                    '-', '') != stored.replace('-', ''):
                return key
        elif value != stored:
            return key
    return None


def check_running_update(start, stored_end, end, changed, now):
    """Refuse what an update of a started mapping may not do.

    ``start``, ``stored_end``: the stored period; ``end``: the new end;
    ``changed``: see ``changed_attribute``. Returns True when the update
    only repeats the one that set the end (nothing to do). Checks are in
    the reference's order: an ended rule is refused before any attribute
    is compared.
    """
    if stored_end is not None:
        if end == stored_end and changed is None:
            # keystoneauth re-sends the PUT after the 302: a repeat of
            # the update that set the end is a no-op.
            return True
        raise exceptions.ClientHashMapError(
            'Cannot update a rule that was already processed '
            'and has a defined end date.')
    if changed is not None:
        raise exceptions.ClientHashMapError(
            'You are allowed to update only the attribute [end] '
            'as this rule is already running as it started on '
            '[%s]' % fmt_dt(start))
    if end is not None and end < now:
        raise exceptions.ClientHashMapError(
            'End date must be in the future. end=[%s] current '
            'time=[%s]' % (fmt_dt(end), fmt_dt(now)))
    return False
