"""Fixtures of the data API tests (report, storage, info, summary,
dataframes): the whole WSGI app in-process, on a known data set.
"""
import datetime
import decimal
import shutil
import sqlite3

import pytest

from cloudkitty import dataframe
from cloudkitty.tests.api import memory_storage
from cloudkitty.tests.api import wsgi_client
from cloudkitty.utils import tz as tzutils

PROJECT_A = '8f82cc70e50c466e862424bdea811375'
PROJECT_B = '7606a24ab8ad4ae0be6c3d7a41334a2e'

METRICS_YML = """\
metrics:
  cpu:
    unit: instance
    alt_name: instance
    groupby: [id, user_id, project_id]
    metadata: [flavor_name, flavor_id, vcpus]
    mutate: NUMBOOL
    extra_args: {aggregation_method: mean, resource_type: instance}
  image.size:
    unit: MiB
    factor: 1/1048576
    groupby: [id, user_id, project_id]
    metadata: [container_format, disk_format]
    extra_args: {aggregation_method: mean, resource_type: image}
  volume.size:
    unit: GiB
    groupby: [id, user_id, project_id]
    metadata: [volume_type]
    extra_args: {aggregation_method: mean, resource_type: volume}
"""

# Two hours of January 2015; project A has 2 instances and 1 image per hour,
# project B 1 instance per hour (every price is exact in decimal).
BEGIN = datetime.datetime(2015, 1, 1, tzinfo=tzutils.UTC)
HOUR = datetime.timedelta(hours=1)


def point(project, res_id, qty, price, unit='instance', **metadata):
    groupby = {
        'project_id': project, 'id': res_id, 'user_id': 'u-' + project[:4],
        'year': '2015', 'month': '1', 'day_of_the_year': '1',
        'week_of_the_year': '00',
    }
    return dataframe.DataPoint(unit, qty, price, groupby, metadata)


def known_frames():
    frames = []
    for hour in range(2):
        start = BEGIN + hour * HOUR
        frame = dataframe.DataFrame(start, start + HOUR)
        frame.add_point(point(PROJECT_A, 'vm1', 1, '1.337',
                              flavor_name='m1.tiny'), 'instance')
        frame.add_point(point(PROJECT_A, 'vm2', 1, '2.5',
                              flavor_name='m1.small'), 'instance')
        frame.add_point(point(PROJECT_A, 'img1', '10.5', '0.25', unit='MiB',
                              disk_format='qcow2'), 'image.size')
        frames.append(frame)
        other = dataframe.DataFrame(start, start + HOUR)
        other.add_point(point(PROJECT_B, 'vm3', 1, '4',
                              flavor_name='m1.large'), 'instance')
        frames.append(other)
    return frames


# Totals of the data set (2 hours).
TOTAL_A = (decimal.Decimal('1.337') + decimal.Decimal('2.5')
           + decimal.Decimal('0.25')) * 2
TOTAL_B = decimal.Decimal('8')
PERIOD = {'begin': '2015-01-01T00:00:00', 'end': '2015-02-01T00:00:00'}


@pytest.fixture
def metrics_conf(conf, tmp_path):
    path = tmp_path / 'metrics.yml'
    path.write_text(METRICS_YML)
    conf.set_override('metrics_conf', str(path), 'collect')
    return path


def _reset_storage_caches():
    from cloudkitty.api.v1 import hooks
    hooks._STORAGE = None
    try:
        from cloudkitty.api.v2 import base
    except ImportError:
        return
    for name in ('_STORAGE', '_storage_driver'):
        if hasattr(base, name):
            setattr(base, name, None)
    if hasattr(base, 'reset_storage'):
        base.reset_storage()


class Recording(object):
    """Mixin recording the storage calls the API makes."""

    def _record(self, name, kwargs):
        if not hasattr(self, 'calls'):
            self.calls = []
        self.calls.append((name, kwargs))

    def push(self, dataframes, scope_id=None):
        self._record('push', len(dataframes))
        return super().push(dataframes, scope_id=scope_id)

    def retrieve(self, **kwargs):
        self._record('retrieve', dict(kwargs))
        return super().retrieve(**kwargs)

    def total(self, **kwargs):
        self._record('total', dict(kwargs))
        return super().total(**kwargs)

    @property
    def points(self):
        """Every stored point as (start, end, type, DataPoint)."""
        frames = super().retrieve(
            begin=datetime.datetime(1970, 1, 2, tzinfo=tzutils.UTC),
            end=datetime.datetime(2100, 1, 1, tzinfo=tzutils.UTC),
            paginate=False)['dataframes']
        return [(f.start, f.end, t, p) for f in frames
                for t, p in f.iterpoints()]


_TEMPLATE = {}


def _sqlalchemy_storage(request, conf, tmp_path):
    try:
        from cloudkitty.storage.v2 import sqlalchemy as sql_storage
    except ImportError as exc:  # the backend is built concurrently
        pytest.skip('sqlalchemy storage backend unavailable: %s' % exc)
    from cloudkitty import db

    class RecordingSQL(Recording, sql_storage.SQLAlchemyStorage):
        pass

    # Migrating takes ~0.4 s: migrate one template per session and give
    # each test a copy of it.
    template = _TEMPLATE.get('path')
    if template is None:
        base = request.getfixturevalue('tmp_path_factory').mktemp('ck-tpl')
        template = str(base / 'template.sqlite')
        conf.set_override('connection', 'sqlite:///' + template, 'database')
        db.reset()
        RecordingSQL(period=3600).init()
        sql_storage._forget_engines()
        db.reset()
        with sqlite3.connect(template) as handle:
            handle.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        _TEMPLATE['path'] = template
    path = str(tmp_path / 'storage.sqlite')
    shutil.copyfile(template, path)
    conf.set_override('connection', 'sqlite:///' + path, 'database')
    db.reset()
    request.addfinalizer(db.reset)
    backend = RecordingSQL(period=3600)
    backend.calls = []
    return backend


@pytest.fixture(params=['memory', 'sqlalchemy'])
def data_storage(request, conf, monkeypatch, tmp_path):
    """The storage behind the API.

    Each test runs on the in-memory BaseStorage of these tests and on the
    real ``sqlalchemy`` backend on SQLite.
    """
    from cloudkitty import storage as ck_storage
    if request.param == 'memory':
        backend = memory_storage.MemoryStorage(period=3600)
    else:
        backend = _sqlalchemy_storage(request, conf, tmp_path)
    monkeypatch.setattr(ck_storage, 'get_storage', lambda **kw: backend)
    _reset_storage_caches()
    yield backend
    _reset_storage_caches()


@pytest.fixture
def loaded_storage(data_storage):
    data_storage.push(known_frames())
    data_storage.calls.clear()
    return data_storage


_APP = {}


def _make_client(conf, auth):
    from cloudkitty.api import app as api_app
    from cloudkitty.common import policy
    conf.set_override('auth_strategy', auth)
    policy.reset()
    # The app reads auth_strategy and the storage at request time: one
    # instance serves every test (building it costs ~0.1 s).
    if 'app' not in _APP:
        _APP['app'] = api_app.setup_app()
    return wsgi_client.Client(_APP['app'])


@pytest.fixture
def data_client(conf, metrics_conf, data_storage):
    """The whole API (v1 + v2) in noauth mode: every caller is admin."""
    return _make_client(conf, 'noauth')


@pytest.fixture
def data_keystone_client(conf, metrics_conf, data_storage):
    """The whole API with policies enforced.

    The identity comes from the headers (the token middleware is not in
    the pipeline).
    """
    from cloudkitty.common import policy
    yield _make_client(conf, 'keystone')
    policy.reset()


def as_member(client, project=PROJECT_A, role='member'):
    client.headers = {'X-Project-Id': project, 'X-Roles': role,
                      'X-User-Id': 'user'}
    return client


def as_admin(client, project='admin-project'):
    client.headers = {'X-Project-Id': project, 'X-Roles': 'admin,member',
                      'X-User-Id': 'admin'}
    return client
