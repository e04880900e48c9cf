"""Build step of the chorusacct package (pyproject.toml has the metadata).

The module is copied as it is, but for one line: ``_INSTALL_LIBDIR``, the
folder where ``pkg-config --variable=libdir libchorusacct`` finds the C
library when the package is built (with the PKG_CONFIG_PATH a C program
would be built with). The module looks for the library there after
CHORUSACCT_LIBRARY and before the dynamic loader's search path. Without
pkg-config or the .pc file, nothing is recorded.
"""
import os
import re
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py


def installed_libdir():
    try:
        out = subprocess.run(
            ['pkg-config', '--variable=libdir', 'libchorusacct'],
            capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return os.path.normpath(os.path.abspath(out)) if out else None


class BuildPy(build_py):
    def run(self):
        super().run()
        # From the source, not from what build_py copied: it leaves a
        # copy from an earlier build in place, with that build's line.
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, 'chorusacct.py'), encoding='utf-8') as f:
            text = f.read()
        libdir = installed_libdir()
        text, n = re.subn(r'(?m)^_INSTALL_LIBDIR = None$',
                          '_INSTALL_LIBDIR = %r' % libdir, text, count=1)
        if n != 1:
            raise RuntimeError('chorusacct.py has no _INSTALL_LIBDIR line')
        with open(os.path.join(self.build_lib, 'chorusacct.py'), 'w',
                  encoding='utf-8') as f:
            f.write(text)
        if libdir is None:
            print('chorusacct: pkg-config does not find libchorusacct; '
                  'no library folder recorded')
        else:
            print('chorusacct: library folder recorded:', libdir)


setup(cmdclass={'build_py': BuildPy})
