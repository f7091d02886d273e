"""The proposal written into the stack file itself: only the values that change, every comment,
flow mapping, quote and blank line kept, and the patch that shows it.

The tuner changes numbers, never the shape (space.py), so the edit is a set of values set in
place in a round trip of the file through ruamel.yaml, which keeps what PyYAML drops. Four
changed numbers are four changed lines. A value the file leaves to its default (nodes.minSize
by environment, the default CPU policy) has no place in the file yet: the smallest part the
file lacks is added, whole, at the end of the mapping that holds it.

ruamel.yaml does not read the file's indentation back; the common ones are tried in turn and
the first that writes the unchanged file back byte for byte is used.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from components.settings import NAMESPACE

from .space import Sections

CONFIG = "config"
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0), (2, 4, 0), (4, 4, 2))
"""(mapping, sequence, offset) as ruamel.yaml's `indent` takes them: list items indented under
their key (prod's `targetTracking:` then `  - metric:`), or level with it, at two or four spaces."""
LINE_WIDTH = 4096  # never wrap a line the file did not wrap


@dataclass(frozen=True)
class EditedStackFile:
    """A stack file before and after the proposal."""

    path: Path
    before: str
    after: str
    changed: tuple[str, ...]
    """The keys set, as `scaling.targetTracking[0].target` (nodes.desiredCapacity too, when it moves into the sizes)."""

    def patch(self, shown_as: str | None = None) -> str:
        """The unified diff of the file (paths as `git diff` prints them: a/..., b/...), empty when
        nothing changes; `patch -p1` and `git apply` take it from the directory `shown_as` is relative to."""
        name = shown_as or str(self.path)
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
        return "".join(lines)

    def sections_text(self, keys: list[str]) -> str:
        """The edited file's lines of the sections `keys` (`nodes`, `scaling`), in that order: each
        from its key's line to the next key at its indentation, as the file writes them."""
        lines = self.after.splitlines(keepends=True)
        return "".join("".join(_section_lines(lines, f"{NAMESPACE}:{key}")) for key in keys)

    def write(self) -> None:
        self.path.write_text(self.after)

    def commented_changes(self) -> list[tuple[int, str]]:
        """(line number, comment) of each changed line that keeps a comment: the comment was
        written for the old value, and may no longer say what the new one does."""
        before, after = self.before.splitlines(), self.after.splitlines()
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        changed = [j for tag, _, _, j1, j2 in matcher.get_opcodes() if tag == "replace" for j in range(j1, j2)]
        return [(j + 1, comment) for j in changed if (comment := _comment(after[j]))]


def edit_stack_file(path: Path, written: Sections, tuned: Sections) -> EditedStackFile:
    """The stack file at `path` with every value that differs between `written` (its sections as
    the tuner read them) and `tuned` set in place."""
    before = path.read_text()
    yaml = _round_trip(before)
    document = yaml.load(before)
    config = document[CONFIG]
    changed = []
    for keys, _ in _differences(written, tuned):
        _set(config, tuned, keys)
        changed.append(_dotted(keys))
    out = io.StringIO()
    yaml.dump(document, out)
    return EditedStackFile(path, before, out.getvalue() if changed else before, tuple(changed))


def _round_trip(text: str) -> YAML:
    """A ruamel.yaml instance that writes `text`, unchanged, back as it was (the first indentation that does)."""
    for mapping, sequence, offset in INDENTS:
        yaml = YAML()
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        yaml.preserve_quotes = True
        yaml.width = LINE_WIDTH
        out = io.StringIO()
        yaml.dump(yaml.load(text), out)
        if out.getvalue() == text:
            return yaml
    return yaml  # an unusual layout: the values still change in place, more lines may be re-indented


def _differences(before: Any, after: Any, at: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, new value) of each value in `after` that `before` does not hold; a part `before` lacks, whole."""
    if isinstance(after, dict) and isinstance(before, dict):
        for key, value in after.items():
            if key in before:
                yield from _differences(before[key], value, (*at, key))
            else:
                yield (*at, key), value
    elif isinstance(after, list) and isinstance(before, list) and len(after) == len(before):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from _differences(old, new, (*at, index))
    elif before != after:
        yield at, after


def _set(config: Any, tuned: Sections, keys: tuple) -> None:
    """Set the tuned value at `keys` in the file's config; where the file lacks a part on the way,
    the tuned part is added whole."""
    node, wanted = config, tuned
    for depth, key in enumerate(keys):
        held = f"{NAMESPACE}:{key}" if depth == 0 else key
        wanted = wanted[key]
        if depth == len(keys) - 1 or (isinstance(node, dict) and held not in node):
            node[held] = wanted
            return
        node = node[held]


def _dotted(keys: tuple) -> str:
    return "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in keys).lstrip(".")


def _section_lines(lines: list[str], key: str) -> list[str]:
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith(f"{key}:")), None)
    if start is None:
        return []
    indent = _indent(lines[start])
    end = start + 1
    while end < len(lines) and (not _is_key(lines[end]) or _indent(lines[end]) > indent):
        end += 1
    while end > start + 1 and not _is_key(lines[end - 1]) and _indent(lines[end - 1]) <= indent:
        end -= 1  # a comment or blank line that introduces the next key is the next key's
    return lines[start:end]


def _comment(line: str) -> str:
    """The comment that ends `line` ("" if none): a `#` after a blank, outside quotes."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[index:].strip()
    return ""


def _is_key(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
