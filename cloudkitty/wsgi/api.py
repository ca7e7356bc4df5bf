"""WSGI entry point of the API: ``cloudkitty.wsgi.api:application``.

For uWSGI, gunicorn, mod_wsgi... The configuration comes from, in order:

* ``OS_CLOUDKITTY_CONFIG_FILES`` (``;``- or ``,``-separated file names,
  absolute or relative to ``OS_CLOUDKITTY_CONFIG_DIR``) and/or
  ``OS_CLOUDKITTY_CONFIG_DIR`` (a directory: its ``cloudkitty.conf`` and
  ``cloudkitty.conf.d``), when set;
* else the ``--config-file``/``--config-dir`` options found in
  ``sys.argv`` (the reference's behaviour), every other argument of the
  WSGI server being ignored;
* else the default locations (``/etc/cloudkitty/cloudkitty.conf``...).
"""
import os
import sys
import threading

_LOCK = threading.Lock()
_APP = None

_CONFIG_OPTIONS = ('--config-file', '--config-dir')


def _config_args_from_argv(argv):
    """Only the oslo.config file options of ``argv``.

    The WSGI server's own options (gunicorn's...) would make the parser
    exit.
    """
    result = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        for opt in _CONFIG_OPTIONS:
            if arg == opt and i + 1 < len(args):
                result += [opt, args[i + 1]]
                i += 1
                break
            if arg.startswith(opt + '='):
                result.append(arg)
                break
        i += 1
    return result


def _config_args_from_env():
    files = os.environ.get('OS_CLOUDKITTY_CONFIG_FILES', '')
    config_dir = os.environ.get('OS_CLOUDKITTY_CONFIG_DIR', '')
    if not files and not config_dir:
        return None
    args = []
    for name in files.replace(',', ';').split(';'):
        name = name.strip()
        if not name:
            continue
        if config_dir and not os.path.isabs(name):
            name = os.path.join(config_dir, name)
        args += ['--config-file', name]
    if config_dir and not files:
        main = os.path.join(config_dir, 'cloudkitty.conf')
        if os.path.exists(main):
            args += ['--config-file', main]
        conf_d = os.path.join(config_dir, 'cloudkitty.conf.d')
        if os.path.isdir(conf_d):
            args += ['--config-dir', conf_d]
    return args


def config_argv(argv=None):
    """The argv given to oslo.config for the WSGI process."""
    argv = sys.argv if argv is None else argv
    prog = argv[0] if argv else 'cloudkitty-api'
    args = _config_args_from_env()
    if args is None:
        args = _config_args_from_argv(argv[1:])
    return [prog] + args


def init_application():
    from cloudkitty.api import app
    return app.build_wsgi_app(config_argv())


def _get_application():
    global _APP
    with _LOCK:
        if _APP is None:
            _APP = init_application()
        return _APP


application = _get_application()
