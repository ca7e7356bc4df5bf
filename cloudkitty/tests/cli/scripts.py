"""Running console scripts as subprocesses, several at once."""
import os
import subprocess
import sys

BIN = os.path.dirname(sys.executable)


def script(name):
    return os.path.join(BIN, name)


def write_conf(path, sections):
    """Write an ini file from ``{section: {option: value}}``."""
    with open(path, 'w') as conf:
        for section, options in sections.items():
            conf.write('[%s]\n' % section)
            for name, value in options.items():
                conf.write('%s = %s\n' % (name, value))
    return str(path)


def run_all(commands, timeout=120):
    """Run ``[[script, arg...], ...]`` concurrently; CompletedProcesses."""
    procs = [subprocess.Popen([script(cmd[0])] + list(cmd[1:]),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for cmd in commands]
    results = []
    for cmd, proc in zip(commands, procs):
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        results.append(subprocess.CompletedProcess(cmd, proc.returncode,
                                                   out, err))
    return results


def run(*cmd, timeout=120):
    return run_all([cmd], timeout=timeout)[0]


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else ''
