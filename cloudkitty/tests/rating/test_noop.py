"""The noop rating module."""
import datetime

from cloudkitty import dataframe
from cloudkitty.db import api as db_api
from cloudkitty.rating import noop


def test_noop(sqlite_url):
    db_api.get_migration().upgrade()
    module = noop.Noop(tenant_id=None)
    assert (module.module_name, module.description, module.hot_config) == (
        'noop', 'Dummy test module.', False)
    assert module.config_controller is None
    # The module-state table does not matter.
    module.set_state(False)
    module.set_priority(7)
    assert module.enabled is True and module.priority == 1
    assert module.module_info == {'name': 'noop',
                                  'description': 'Dummy test module.',
                                  'hot_config': False, 'enabled': True,
                                  'priority': 1}
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    frame = dataframe.DataFrame(start, start + datetime.timedelta(hours=1))
    frame.add_point(dataframe.DataPoint('u', 2, '0.5', {}, {}), 'm')
    module.reload_config()
    assert module.process(frame) is frame
    assert module.quote(frame) is frame
