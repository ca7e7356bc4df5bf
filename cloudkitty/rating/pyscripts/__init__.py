"""PyScripts rating module: operator-supplied Python run on every frame.

A script is arbitrary code executed with the privileges of the process
rating the data (the processor, or the API for quotes): only administrators
(policy ``rating:module_config``) may install scripts.
"""
import bisect

from oslo_log import log

from cloudkitty import rating
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty.rating.pyscripts import engine
from cloudkitty import utils
from cloudkitty.utils import lazy
from cloudkitty.utils import tz as tzutils

LOG = log.getLogger(__name__)


class PyScripts(rating.RatingProcessorBase):
    """Runs the scripts valid at the rated period's start, in storage order.

    ``reload_config`` reads every script once; ``process`` then runs those
    valid at each frame's start, so the orchestrator loads the module once
    per scope run (``reload_per_period = False``), as hashmap. Scripts are
    compiled once: reloads and other instances in the process reuse the
    code of scripts whose checksum did not change.
    """

    module_name = 'pyscripts'
    description = 'PyScripts rating module.'
    hot_config = True
    # The API's controllers (WSME) are imported by the API only.
    config_controller = lazy.LazyAttribute(
        'cloudkitty.rating.pyscripts.controllers',
        'PyScriptsConfigController')
    db_api = pyscripts_db.get_instance()

    # process() selects the scripts valid at each frame's start itself.
    reload_per_period = False

    def __init__(self, tenant_id=None):
        self._scripts = []
        self._stored = []
        self._boundaries = []
        self._by_interval = {}
        super().__init__(tenant_id=tenant_id)
        self.reload_config()

    @staticmethod
    def _as_db_time(start):
        if start is None:
            return utils.naive_utcnow()
        return tzutils.local_to_utc(start, naive=True)

    def reload_config(self, start=None):
        """Read every script; compile those valid at ``start`` (now).

        Scripts valid at other dates are compiled when a frame of their
        validity is processed.
        """
        stored = self.db_api.list_scripts(with_data=True)
        bounds = set()
        for script in stored:
            bounds.add(script.start)
            if script.end is not None:
                bounds.add(script.end)
        self._stored = stored
        self._boundaries = sorted(bounds)
        self._by_interval = {}
        at = self._as_db_time(start)
        self._scripts = self._scripts_at(at)
        LOG.debug('pyscripts: %d script(s) valid at %s',
                  len(self._scripts), at)

    def _scripts_at(self, at):
        """Compiled scripts valid at ``at`` (naive UTC), storage order.

        Between two consecutive validity boundaries the set of valid
        scripts (start <= at < end) cannot change: lists are cached per
        such interval.
        """
        index = bisect.bisect_right(self._boundaries, at)
        scripts = self._by_interval.get(index)
        if scripts is None:
            scripts = [engine.compile_script(script)
                       for script in self._stored
                       if script.start <= at
                       and (script.end is None or script.end > at)]
            self._by_interval[index] = scripts
        return scripts

    @property
    def scripts(self):
        """The compiled scripts valid at the last reload_config date."""
        return list(self._scripts)

    def quote(self, data):
        """Run the scripts of the last reload, whatever the frame's period.

        The API reloads just before a quote: the scripts valid now.
        """
        return self._run(self._scripts, data)

    def process(self, data):
        """Run the scripts valid at the frame's start; returns the frame."""
        return self._run(self._scripts_at(self._as_db_time(data.start)),
                         data)

    @staticmethod
    def _run(scripts, data):
        if not scripts:
            return data
        return engine.run(scripts, data)
