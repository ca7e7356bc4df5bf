"""Running rating scripts on frames (rating-pyscripts.md §4).

A script sees one global, ``data``: a fresh mutable dict built from the
frame. Whatever ``data`` holds when the script ends (mutated in place or
rebound) is validated and becomes the new frame.
"""
import re

from cloudkitty import dataframe


class ScriptError(Exception):
    """A script failed to compile or run, or returned invalid data."""

    def __init__(self, script, message):
        super().__init__('PyScripts script %r (%s): %s'
                         % (script.name, script.script_id, message))
        self.script_name = script.name
        self.script_id = script.script_id


class CompiledScript(object):
    """A script's code object with the identity used in error messages."""

    __slots__ = ('script_id', 'name', 'checksum', 'code')

    def __init__(self, script_id, name, checksum, code):
        self.script_id = script_id
        self.name = name
        self.checksum = checksum
        self.code = code


def filename(script_id, name):
    """The pseudo file name tracebacks show for a script."""
    return '<pyscript %s (%s)>' % (name, script_id)


def compile_source(source, script_id='-', name='-'):
    """Compile a script's source; SyntaxError/ValueError on bad code."""
    # dont_inherit: the scripts must not depend on this module's
    # __future__ imports.
    return compile(source, filename(script_id, name), 'exec',
                   dont_inherit=True)


def compile_script(script):
    """CompiledScript from a stored script (db.Script)."""
    try:
        code = compile_source(script.data, script.script_id, script.name)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ScriptError(script, 'cannot be compiled: %s' % exc) from exc
    return CompiledScript(script.script_id, script.name, script.checksum,
                          code)


def frame_to_dict(frame):
    """The ``data`` structure of §4.3: fresh, mutable, types sorted."""
    usage = {}
    types = dict(frame.itertypes())
    for type_ in sorted(types):
        usage[type_] = [
            {'vol': {'unit': point.unit, 'qty': point.qty},
             'rating': {'price': point.price},
             'groupby': dict(point.groupby),
             'metadata': dict(point.metadata)}
            for point in types[type_]]
    return {'period': {'begin': frame.start, 'end': frame.end},
            'usage': usage}


# DataFrame.from_dict puts the repr of the whole offending structure in its
# messages; for error reports only the reason after the last marker counts.
_REASON = re.compile(r"isn't a valid (DataFrame|DataPoint): ")


def _reason(message):
    parts = _REASON.split(message)
    return parts[-1] if len(parts) > 1 else message


def dict_to_frame(data, script):
    """Validate a script's ``data`` (§4.4) and build the new frame."""
    usage = data.get('usage') if isinstance(data, dict) else None
    if isinstance(usage, dict) and not all(isinstance(k, str)
                                           for k in usage):
        # Checked first: sorting mixed keys would hide the real reason.
        raise ScriptError(script, "data isn't a valid DataFrame: "
                          "metric types must be strings")
    try:
        return dataframe.DataFrame.from_dict(data)
    except ValueError as exc:
        raise ScriptError(
            script, "data isn't a valid DataFrame: %s"
            % _reason(str(exc))) from None


def run(scripts, frame):
    """Run compiled scripts one after the other; returns the last frame."""
    for script in scripts:
        scope = {'data': frame_to_dict(frame)}
        try:
            exec(script.code, scope)
        except (Exception, SystemExit) as exc:
            # SystemExit too: a script calling exit() must fail the rating,
            # not stop the processor.
            raise ScriptError(script, 'raised %s: %s'
                              % (type(exc).__name__, exc)) from exc
        if 'data' not in scope:
            raise ScriptError(script, "data isn't a valid DataFrame: "
                              "the global 'data' was deleted")
        frame = dict_to_frame(scope['data'], script)
    return frame
