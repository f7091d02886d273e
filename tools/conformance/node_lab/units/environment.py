"""A unit's environment (Environment, EnvironmentFile) and its command lines, expanded as systemd does.

An EnvironmentFile= is read as systemd 252 (Amazon Linux 2023's, and Debian 12's) reads it:
its parser (src/basic/env-file.c, `parse_env_file_internal`), byte by byte, then what
`load_env_file` and PID 1 do with each assignment. In short, as systemd.exec(5) says:

- `#` or `;` starts a comment at the start of a line; a comment ending in `\\` goes on to the
  next line;
- KEY=VALUE; blanks around the key, before the value and at the end of an unquoted value go;
- unquoted, `\\x` is `x` and `\\` at the end of a line joins the next; quotes inside are kept;
- in '...' nothing is special; in "..." only `\\"`, `\\\\`, `\\``, `\\$` are escapes (other
  backslashes are kept) and `\\` before a newline joins the lines; a newline inside quotes is
  part of the value; quoted and unquoted parts next to each other make one value;
- a later assignment of a key replaces an earlier one; an assignment whose name is not a
  valid variable name (letters, digits, `_`, not starting with a digit) is dropped;
- a file holding a NUL byte, or a key or value that is not valid UTF-8 (unicode's
  noncharacters included), is refused whole: the unit does not start.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from .unit_file import Unit

WHITESPACE = frozenset(b" \t\n\r")
NEWLINE = frozenset(b"\n\r")
COMMENTS = frozenset(b"#;")
SHELL_NEED_ESCAPE = frozenset(b'"\\`$')
"""What a backslash escapes inside double quotes; before any other character it stays."""
BACKSLASH, SINGLE_QUOTE, DOUBLE_QUOTE, EQUALS, LINE_FEED = b"\\'\"=\n"
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EnvironmentFileRefused(ValueError):
    """systemd refuses the whole file (a NUL byte, a key or value that is not UTF-8): the start fails.
    The message names the file and the key, never a value."""


# --- environment files ---------------------------------------------------------------------


def environment_file(path: Path) -> dict[str, str]:
    """The variables systemd's EnvironmentFile=`path` gives a process; EnvironmentFileRefused when
    systemd refuses the file (FileNotFoundError when it is missing)."""
    return read_environment(path.read_bytes(), str(path))


def read_environment(data: bytes, where: str = "environment file") -> dict[str, str]:
    """`environment_file` on the bytes of a file (`where` names it in errors)."""
    if 0 in data:
        raise EnvironmentFileRefused(f"{where}: holds a NUL byte; systemd refuses the whole file")
    found: dict[str, str] = {}
    for key, value in _Reader().read(data):
        name = _text(key, where, "a key")
        found[name] = _text(value, where, f"the value of {name}")
    return {name: value for name, value in found.items() if VARIABLE_NAME.fullmatch(name)}


def _text(raw: bytes, where: str, what: str) -> str:
    """UTF-8 as systemd's utf8_is_valid takes it: no surrogates, nothing past U+10FFFF, no noncharacter."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or any(0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE for c in text):
        raise EnvironmentFileRefused(f"{where}: {what} is not valid UTF-8; systemd refuses the whole file")
    return text


class _Reader:
    """parse_env_file_internal's state machine: `state` is the method that takes the next byte."""

    def __init__(self) -> None:
        self.state = self.pre_key
        self.key, self.value = bytearray(), bytearray()
        self.key_blank_from: int | None = None  # where the key's trailing blanks start
        self.value_blank_from: int | None = None  # where an unquoted value's trailing blanks start
        self.assignments: list[tuple[bytes, bytes]] = []

    def read(self, data: bytes) -> list[tuple[bytes, bytes]]:
        """(key, value) of each assignment, in order, as systemd pushes them."""
        for c in data:
            self.state(c)
        if self.state.__name__ in ASSIGNING_STATES:  # the end of the file ends the assignment
            self.push()
        return self.assignments

    def push(self) -> None:
        if self.state == self.unquoted and self.value_blank_from is not None:
            del self.value[self.value_blank_from :]  # an unquoted value loses its trailing blanks
        self.assignments.append((bytes(self.key[: self.key_blank_from]), bytes(self.value)))
        self.key.clear()
        self.value.clear()

    def pre_key(self, c: int) -> None:
        if c in COMMENTS:
            self.state = self.comment
        elif c not in WHITESPACE:
            self.state, self.key_blank_from = self.in_key, None
            self.key.append(c)

    def in_key(self, c: int) -> None:
        if c in NEWLINE:  # a line without `=` sets nothing
            self.state = self.pre_key
            self.key.clear()
        elif c == EQUALS:
            self.state, self.value_blank_from = self.pre_value, None
        else:
            self.key_blank_from = _blank_from(c, self.key_blank_from, len(self.key))
            self.key.append(c)

    def pre_value(self, c: int) -> None:
        if c in NEWLINE:
            self.push()
            self.state = self.pre_key
        elif c == SINGLE_QUOTE:
            self.state = self.single_quoted
        elif c == DOUBLE_QUOTE:
            self.state = self.double_quoted
        elif c == BACKSLASH:
            self.state = self.escaped
        elif c not in WHITESPACE:
            self.state = self.unquoted
            self.value.append(c)

    def unquoted(self, c: int) -> None:
        if c in NEWLINE:
            self.push()
            self.state = self.pre_key
        elif c == BACKSLASH:
            self.state, self.value_blank_from = self.escaped, None
        else:
            self.value_blank_from = _blank_from(c, self.value_blank_from, len(self.value))
            self.value.append(c)

    def escaped(self, c: int) -> None:
        self.state = self.unquoted
        if c not in NEWLINE:  # an escaped line end joins the lines
            self.value.append(c)

    def single_quoted(self, c: int) -> None:
        if c == SINGLE_QUOTE:
            self.state = self.pre_value
        else:
            self.value.append(c)

    def double_quoted(self, c: int) -> None:
        if c == DOUBLE_QUOTE:
            self.state = self.pre_value
        elif c == BACKSLASH:
            self.state = self.double_quoted_escape
        else:
            self.value.append(c)

    def double_quoted_escape(self, c: int) -> None:
        self.state = self.double_quoted
        if c in SHELL_NEED_ESCAPE:
            self.value.append(c)
        elif c != LINE_FEED:  # as the shell does, the backslash stays before anything else
            self.value += bytes((BACKSLASH, c))

    def comment(self, c: int) -> None:
        if c == BACKSLASH:
            self.state = self.comment_escape
        elif c in NEWLINE:
            self.state = self.pre_key

    def comment_escape(self, _c: int) -> None:
        self.state = self.comment  # systemd 252 goes on with the comment, past an escaped line end


ASSIGNING_STATES = {"pre_value", "unquoted", "escaped", "single_quoted", "double_quoted", "double_quoted_escape"}
"""The states in which the end of the file ends an assignment."""


def _blank_from(c: int, blank_from: int | None, length: int) -> int | None:
    """Where the trailing blanks start once `c` is appended at `length`."""
    if c not in WHITESPACE:
        return None
    return length if blank_from is None else blank_from


# --- a unit's environment and command lines ----------------------------------------------------


def unit_environment(unit: Unit) -> dict[str, str]:
    """Environment= then every EnvironmentFile=, read now (a `-` file may be missing, not refused)."""
    env: dict[str, str] = {}
    for assignment in unit.values("Service", "Environment"):
        for word in shlex.split(assignment):
            key, _, value = word.partition("=")
            env[key] = value
    for entry in unit.values("Service", "EnvironmentFile"):
        optional = entry.startswith("-")
        path = Path(entry.lstrip("-"))
        if optional and not path.exists():
            continue
        env |= environment_file(path)  # a required file that is missing, or any refused, fails the start
    return env


def command_line(value: str, env: dict[str, str]) -> tuple[list[str], bool]:
    """(argv, failure ignored) of an Exec line; `$VAR` and `${VAR}` expanded from `env`."""
    ignore = value.startswith("-")
    words = shlex.split(value.lstrip("-"))

    def expand(word: str) -> str:
        return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m[1] or m[2], ""), word)

    return [expand(w) for w in words], ignore
