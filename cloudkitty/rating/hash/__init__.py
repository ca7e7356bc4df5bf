"""HashMap rating module: prices from services, fields, mappings,
thresholds and groups.

The package follows pyscripts: ``exceptions`` (errors), ``rules``
(validation), ``db_api`` (SQL), ``pricing`` (the algorithm, no I/O),
``controllers``/``datamodels`` (API) and the plugin here.
``reload_config`` reads the rules of a scope once; ``process`` prices
points from tables compiled by ``pricing``.
"""
import bisect

from cloudkitty import dataframe
from cloudkitty import rating
from cloudkitty.rating.hash import pricing
from cloudkitty import utils
from cloudkitty.utils import lazy
from cloudkitty.utils import tz as tzutils

# SQLAlchemy on first use: the pure modules of this package (rules,
# pricing, exceptions) are imported without the SQL layer.
hash_db_api = lazy.LazyModule('cloudkitty.rating.hash.db_api')

# The pricing names used to live here: kept for code importing them.
DEFAULT_GROUP = pricing.DEFAULT_GROUP
compile_rules = pricing.compile_rules
point_factors = pricing.point_factors


class _DBAPI(object):
    """``HashMap.db_api``: the module's migration chain and data API."""

    @staticmethod
    def get_migration():
        return hash_db_api.get_migration()

    def __getattr__(self, name):
        # Dunder lookups (ABCMeta asks for __isabstractmethod__ when the
        # class below is created) must not load the SQL layer.
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        return getattr(hash_db_api.get_instance(), name)


class HashMap(rating.RatingProcessorBase):
    """HashMap rating module."""

    module_name = 'hashmap'
    description = 'HashMap rating module.'
    hot_config = True
    db_api = _DBAPI()
    # The API's controllers (WSME) are imported by the API only.
    config_controller = lazy.LazyAttribute(
        'cloudkitty.rating.hash.controllers.root', 'HashMapConfigController')

    # The orchestrator loads the module once per scope run: process()
    # selects the date-bound rules valid at each frame's start itself.
    reload_per_period = False

    def __init__(self, tenant_id=None):
        super().__init__(tenant_id=tenant_id)
        self._rows = None
        self._boundaries = []
        self._compiled = {}
        # Rules are loaded by the first reload_config or process: the
        # orchestrator and the quote path call reload_config right after
        # creating a module, so loading here too would read them twice.

    def reload_config(self, start=None):
        """Load every rule of the scope, with its validity, in one read.

        The rules valid at a date are compiled on first use, once per
        interval between validity boundaries (``_rules_at``), so any
        period is rated without SQL. ``start`` is accepted for the
        interface: the tables cover every date.
        """
        (services, fields, groups, mappings,
         thresholds) = hash_db_api.get_instance().load_all_rules(
            self._tenant_id)
        bounds = set()
        for row in mappings:
            bounds.add(row.start)
            if row.end is not None:
                bounds.add(row.end)
        self._boundaries = sorted(bounds)
        self._rows = (services, fields, groups, mappings, thresholds)
        self._compiled = {}

    def _rules_at(self, at):
        """Compiled tables of the rules valid at ``at`` (aware or naive UTC).

        Between two consecutive validity boundaries the set of valid
        mappings (start <= at < end) cannot change: tables are cached per
        such interval and shared by every period inside it.
        """
        if self._rows is None:
            self.reload_config()
        at = tzutils.naive_utc(at)
        index = bisect.bisect_right(self._boundaries, at)
        rules = self._compiled.get(index)
        if rules is None:
            services, fields, groups, mappings, thresholds = self._rows
            valid = [row for row in mappings
                     if row.start <= at and (row.end is None or row.end > at)]
            rules = self._compiled[index] = pricing.compile_rules(
                services, fields, groups, valid, thresholds)
        return rules

    @property
    def _rules(self):
        """Tables of the rules valid now."""
        return self._rules_at(utils.naive_utcnow())

    def quote(self, data):
        """Price with the rules valid now, whatever the frame's period."""
        return self._process(data, self._rules)

    def process(self, data):
        """Price with the rules valid at the frame's start."""
        return self._process(data, self._rules_at(data.start))

    @classmethod
    def _process(cls, data, rules):
        output = dataframe.DataFrame(data.start, data.end)
        for metric, points in data.itertypes():
            svc = rules.get(metric)
            if svc is None:
                output.add_points(list(points), metric)
            else:
                output.add_points(pricing.price_points(svc, points), metric)
        return output
