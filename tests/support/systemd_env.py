"""An EnvironmentFile= as systemd reads it, by systemd's own code in libsystemd-shared, through
ctypes: `load_env_file` parses the file (refusing all of it when it is not valid UTF-8), then
`strv_env_clean_with_callback` drops each assignment that is no valid variable, as PID 1 does
for EnvironmentFile= (execute.c). Tests that need it skip where systemd is not installed
(.ci/run's Debian has it). And as POSIX sh reads the same file, by sourcing it.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import subprocess
from pathlib import Path

import pytest

LIBRARY_PATTERNS = (
    "/usr/lib/*/systemd/libsystemd-shared-*.so",
    "/usr/lib/systemd/libsystemd-shared-*.so",
    "/lib/systemd/libsystemd-shared-*.so",
)


HOSTILE_VALUES = {
    "quotes": """it's "quoted" `twice`""",
    "dollars": "$HOME ${PATH} $(id) \\$",
    "backslashes": "C:\\new\\table \\",
    "newlines": "first\nsecond\n\n",
    "unicode": "Grüße, 東京 🚀 \u00a0",
    "spaces": "  padded  ",
    "control": "tab\there\x1b[0m bell\x07",
    "empty": "",
}
"""Values that quoting gets wrong, by what they hold: an env file must give each back byte for byte."""

Strv = ctypes.POINTER(ctypes.c_char_p)


class SystemdRefusesTheFile(Exception):
    """load_env_file failed: the unit would not start."""


@functools.cache
def _systemd() -> ctypes.CDLL | None:
    for pattern in LIBRARY_PATTERNS:
        for path in sorted(glob.glob(pattern)):
            library = ctypes.CDLL(path)
            library.load_env_file.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Strv)]
            library.load_env_file.restype = ctypes.c_int
            library.strv_env_clean_with_callback.argtypes = [Strv, ctypes.c_void_p, ctypes.c_void_p]
            library.strv_env_clean_with_callback.restype = Strv
            return library
    return None


def systemd_reads(path: Path) -> dict[str, str]:
    """The variables systemd's EnvironmentFile=`path` gives a process (what it drops, dropped);
    SystemdRefusesTheFile when it refuses the whole file."""
    systemd = _systemd()
    if systemd is None:
        pytest.skip("libsystemd-shared is not installed (apt-get install -y systemd); CI installs it in .ci/run")
    pairs = Strv()
    error = systemd.load_env_file(None, str(path).encode(), ctypes.byref(pairs))
    if error != 0:
        raise SystemdRefusesTheFile(f"systemd cannot read {path}: error {error}")
    pairs = systemd.strv_env_clean_with_callback(pairs, None, None)
    found = {}
    index = 0
    while pairs and pairs[index]:  # NULL: the file set nothing
        name, _, value = pairs[index].decode().partition("=")
        found[name] = value
        index += 1
    return found  # the strv is left to the process's end: a few bytes per test


def sh_reads(path: Path) -> dict[str, str]:
    """The variables POSIX sh (dash on Debian) exports after `set -a; . path`, as `env -0` lists them."""
    result = subprocess.run(["sh", "-c", 'set -a; . "$1"; exec env -0', "sh", str(path)], env={}, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    shells_own = ("PWD", "OLDPWD", "SHLVL", "_")
    pairs = (entry.decode().partition("=") for entry in result.stdout.split(b"\0") if entry)
    return {name: value for name, _, value in pairs if name not in shells_own}
