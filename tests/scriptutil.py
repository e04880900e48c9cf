"""What the Python test scripts under tests/ share (standard library only;
the scripts find it next to themselves, as the first entry of sys.path).

- expect() and finish(): the checks of a script that goes on after a
  failure (test_tool.py, test_tool_flow.py, test_crash.py,
  test_smtp_tool.py), counted, each failure printed as it comes, and the
  summary line and exit status at the end;
- validate(): the answers of `chorusacct validate KIND` to a list of
  values, for the differential tests (diff_stdnum.py,
  diff_phonenumbers.py);
- mutate(): a near miss of a digit string, for the same;
- load_script(): another script of this folder as a module, whatever its
  file name (check-symbols.py has a hyphen).
"""
import importlib.util
import os
import subprocess
import sys

_checks = 0
_failures = 0


def expect(name, cond, detail=''):
    """Counts a check; prints FAIL, its name and `detail` when `cond` is
    false."""
    global _checks, _failures
    _checks += 1
    if not cond:
        _failures += 1
        print('FAIL', name, detail)


def finish():
    """Prints how many checks passed and failed, and exits: 1 when one
    failed, else 0."""
    print('%d passed, %d failed' % (_checks - _failures, _failures))
    sys.exit(1 if _failures else 0)


def validate(tool, kind, values):
    """The lines `tool validate KIND` prints for `values` (str, one a line
    on its standard input), in order, without their line ends. Exits with
    a failure when the tool does not answer once per value."""
    data = ''.join(v + '\n' for v in values).encode()
    out = subprocess.run([tool, 'validate', kind], input=data,
                         capture_output=True).stdout.decode()
    lines = out.split('\n')[:-1]
    if len(lines) != len(values):
        sys.exit('FAIL %s: %d answers for %d values' %
                 (kind, len(lines), len(values)))
    return lines


def mutate(s, rng):
    """A near miss of the digit string `s`, drawn from `rng` (a
    random.Random): one digit changed, two swapped, one dropped or one
    added."""
    s = list(s)
    kind = rng.randrange(4)
    i = rng.randrange(len(s))
    if kind == 0:
        s[i] = rng.choice('0123456789')
    elif kind == 1 and len(s) > 1:
        j = min(i + 1, len(s) - 1)
        s[i], s[j] = s[j], s[i]
    elif kind == 2:
        del s[i]
    else:
        s.insert(i, rng.choice('0123456789'))
    return ''.join(s)


def load_script(file_name):
    """The script `file_name` of this folder, loaded as a module."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        file_name)
    name = os.path.splitext(file_name)[0].replace('-', '_')
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
