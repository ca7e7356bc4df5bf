"""The ``noop`` rating module: always enabled, prices nothing."""
from cloudkitty import rating


class Noop(rating.RatingProcessorBase):
    """Dummy module, as in the reference.

    Always enabled with priority 1, whatever the module-state table says;
    it leaves every price unchanged and has no configuration API.
    """

    module_name = 'noop'
    description = 'Dummy test module.'
    hot_config = False

    @property
    def enabled(self):
        return True

    @property
    def priority(self):
        return 1

    def reload_config(self, start=None):
        """Nothing to reload."""

    def process(self, data):
        return data
