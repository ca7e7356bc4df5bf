"""Fixtures of the API tests."""
# The data API fixtures (report, storage, info, summary, dataframes).
from cloudkitty.tests.api.data_fixtures import data_client  # noqa: F401
from cloudkitty.tests.api.data_fixtures import data_keystone_client  # noqa
from cloudkitty.tests.api.data_fixtures import data_storage  # noqa: F401
from cloudkitty.tests.api.data_fixtures import loaded_storage  # noqa: F401
from cloudkitty.tests.api.data_fixtures import metrics_conf  # noqa: F401
