"""Problems: what a user reads when a stack file is wrong.

Every problem is one line that starts with its full key path, names the rule and shows
the value received:

    elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2

The models' rules yield `Problem`s; pydantic's own errors become them in pydantic_errors.py.
This module imports nothing else of the package but the namespace, so every other one may
import it.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from .conventions import NAMESPACE

KeyPath = tuple[str | int, ...]


class _Nothing:
    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()


@dataclass(frozen=True)
class Shown:
    """A value already written the way the message should show it (e.g. a port range)."""

    text: str


@dataclass(frozen=True)
class Problem:
    """One finding: the key path (section first), the rule, the value received.

    `refs` are the other keys the rule read; a finding is dropped when any of its keys is
    itself broken, so that one mistake is reported once, where it is.
    """

    path: KeyPath
    rule: str
    got: Any = NOTHING
    refs: tuple[KeyPath, ...] = ()

    def line(self) -> str:
        text = f"{NAMESPACE}:{format_path(self.path)}: {self.rule}"
        return text if self.got is NOTHING else f"{text}, got {show(self.got)}"

    def involves(self, broken: KeyPath) -> bool:
        return any(_related(path, broken) for path in (self.path, *self.refs))


class SettingsError(ValueError):
    """The stack configuration is invalid; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def format_path(path: KeyPath) -> str:
    """("scaling", "step", 0, "steps", 1, "from") -> "scaling.step[0].steps[1].from"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _related(a: KeyPath, b: KeyPath) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def show(value: Any) -> str:
    if isinstance(value, Shown):
        return value.text
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # YAML's 60 arrives as 60.0 in float fields
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def did_you_mean(word: str, choices: list[str]) -> str | None:
    """The choice closest to `word` (case aside), if one is close."""
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None
