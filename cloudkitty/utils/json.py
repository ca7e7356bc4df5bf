"""JSON encoding that keeps Decimal and datetime values readable."""
import datetime
import decimal
import json


class CloudkittyJSONEncoder(json.JSONEncoder):
    """Decimal as a number, datetimes as ISO 8601."""

    def default(self, obj):
        if isinstance(obj, decimal.Decimal):
            # NaN and infinities have no JSON form (Python would write the
            # invalid token NaN); the API refuses them, but a store written
            # by an older version may still hold some.
            if not obj.is_finite():
                return None
            return float(obj)
        if isinstance(obj, (datetime.datetime, datetime.date)):
            return obj.isoformat()
        if hasattr(obj, 'items'):
            return dict(obj.items())
        return super().default(obj)


def dumps(obj, *args, **kwargs):
    kwargs.setdefault('cls', CloudkittyJSONEncoder)
    return json.dumps(obj, *args, **kwargs)


def loads(*args, **kwargs):
    return json.loads(*args, **kwargs)
