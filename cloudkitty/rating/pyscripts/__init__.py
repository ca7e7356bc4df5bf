"""PyScripts rating module: operator-supplied Python run on every frame.

A script is arbitrary code executed with the privileges of the process
rating the data (the processor, or the API for quotes): only administrators
(policy ``rating:module_config``) may install scripts.
"""
from oslo_log import log

from cloudkitty import rating
from cloudkitty.rating.pyscripts import controllers
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty.rating.pyscripts import engine
from cloudkitty.utils import tz as tzutils

LOG = log.getLogger(__name__)


class PyScripts(rating.RatingProcessorBase):
    """Runs the scripts valid at the rated period's start, in storage order.

    Scripts are compiled once: reloads and other instances in the process
    reuse the code of scripts whose checksum did not change.
    """

    module_name = 'pyscripts'
    description = 'PyScripts rating module.'
    hot_config = True
    config_controller = controllers.PyScriptsConfigController
    db_api = pyscripts_db.get_instance()

    def __init__(self, tenant_id=None):
        self._scripts = []
        super().__init__(tenant_id=tenant_id)
        self.reload_config()

    @staticmethod
    def _as_db_time(start):
        if start is None:
            return pyscripts_db.utcnow()
        return tzutils.local_to_utc(start, naive=True)

    def reload_config(self, start=None):
        """Load the scripts valid at ``start`` (now when None)."""
        at = self._as_db_time(start)
        scripts = [engine.compile_script(script)
                   for script in self.db_api.get_active_scripts(at)]
        self._scripts = scripts
        LOG.debug('pyscripts: %d script(s) valid at %s', len(scripts), at)

    @property
    def scripts(self):
        """The compiled scripts that process() runs, in order."""
        return list(self._scripts)

    def process(self, data):
        """Run every loaded script on the frame; returns the new frame."""
        if not self._scripts:
            return data
        return engine.run(self._scripts, data)
