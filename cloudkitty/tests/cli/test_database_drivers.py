"""The database URLs an operator writes work, or fail with one line."""
import sqlalchemy as sa

from cloudkitty.tests.cli import scripts
from cloudkitty.tests import services


def _conf(tmp_path, url):
    return scripts.write_conf(tmp_path / 'cloudkitty.conf',
                              {'database': {'connection': url}})


def test_plain_postgresql_url_is_usable(tmp_path):
    # DevStack writes postgresql://user:pass@host/db: the driver SQLAlchemy
    # picks for it must be installed with the service.
    database = services.TemporaryDatabase('postgresql', tmp_path)
    url = database.create()
    plain = 'postgresql://' + url.split('://', 1)[1]
    try:
        result = scripts.run('cloudkitty-dbsync', '--config-file',
                             _conf(tmp_path, plain), 'upgrade')
        assert result.returncode == 0, result.stderr
        engine = sa.create_engine(url)
        try:
            tables = set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert 'cloudkitty_alembic' in tables
    finally:
        database.drop()


def test_plain_postgresql_url_stores_rated_data(conf, tmp_path):
    # The SQL storage writes through the driver's COPY support: the driver
    # behind postgresql:// must be the one it is written for.
    import datetime
    import decimal

    from cloudkitty import dataframe
    from cloudkitty import db
    from cloudkitty import storage
    database = services.TemporaryDatabase('postgresql', tmp_path)
    url = database.create()
    conf.set_override('connection',
                      'postgresql://' + url.split('://', 1)[1], 'database')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    db.reset()
    try:
        assert db.get_engine().dialect.driver == 'psycopg2'
        backend = storage.get_storage()
        backend.init()
        start = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
        frame = dataframe.DataFrame(start, start + datetime.timedelta(hours=1))
        frame.add_point(dataframe.DataPoint(
            'u', decimal.Decimal('2.5'), decimal.Decimal('1.25'),
            {'project_id': 'p1', 'id': 'r1'}, {}), 'cpu')
        backend.push([frame], 'p1')
        total = backend.total(begin=start,
                              end=start + datetime.timedelta(hours=1))
        assert total['results'][0]['rate'] == decimal.Decimal('1.25')
    finally:
        db.reset()
        database.drop()


def test_plain_mysql_pymysql_url_driver_is_installed():
    # What DevStack writes for MySQL/MariaDB.
    engine = sa.create_engine('mysql+pymysql://ck:ck@127.0.0.1/ck')
    assert engine.dialect.driver == 'pymysql'
    engine.dispose()


def test_missing_driver_is_one_line_naming_url_and_fix(tmp_path):
    conf = _conf(tmp_path, 'postgresql+pg8000://ck:secret@127.0.0.1/ck')
    result = scripts.run('cloudkitty-dbsync', '--config-file', conf,
                         'upgrade')
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    line = scripts.last_line(result.stderr)
    assert line.startswith('cloudkitty-dbsync: error: '), result.stderr
    assert ('[database] connection = postgresql+pg8000://ck:***@127.0.0.1/ck'
            in line)
    assert 'secret' not in result.stderr
    assert 'pip install "pg8000"' in line
    assert 'postgresql:// uses psycopg2' in line


def test_unknown_database_type_is_one_line(tmp_path):
    conf = _conf(tmp_path, 'postgres://ck@127.0.0.1/ck')
    result = scripts.run('cloudkitty-dbsync', '--config-file', conf,
                         'upgrade')
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    line = scripts.last_line(result.stderr)
    assert '[database] connection = postgres://ck@127.0.0.1/ck' in line
    assert 'postgresql://' in line
