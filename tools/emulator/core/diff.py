"""What changed between a resource's old inputs and its new ones, as the engine and a reviewer
read it: property paths (`launchTemplate.version`, `tags.team`, `ingress[0].fromPort`) to their old
and new values, and whether the value at a path differs (looking through lists, as a ForceNew
attribute nested in a block forces a replacement whichever element changed).
"""

from __future__ import annotations

from typing import Any

ABSENT = None
"""What a path holds where a side has no value: AWS and the provider treat absent and null alike."""


def changed(old: Any, new: Any, path: str = "") -> dict[str, tuple[Any, Any]]:
    """Every leaf path whose value differs, to (old, new). A list that changes length is one path."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: dict[str, tuple[Any, Any]] = {}
        for key in sorted(set(old) | set(new), key=str):
            found.update(changed(old.get(key, ABSENT), new.get(key, ABSENT), _join(path, key)))
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = {}
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            found.update(changed(before, after, f"{path}[{index}]"))
        return found
    return {} if _same(old, new) else {path: (old, new)}


def top_level(paths: dict[str, Any]) -> set[str]:
    """The properties (first path segments) the paths belong to."""
    return {path.split(".", 1)[0].split("[", 1)[0] for path in paths}


def value_at(value: Any, path: str) -> Any:
    """The value at a dotted path; through a list, the list of each element's value."""
    if not path:
        return value
    head, _, rest = path.partition(".")
    if isinstance(value, list):
        return [value_at(item, path) for item in value]
    if not isinstance(value, dict):
        return ABSENT
    return value_at(value.get(head, ABSENT), rest)


def differs_at(old: dict[str, Any], new: dict[str, Any], path: str) -> bool:
    return not _same(value_at(old, path), value_at(new, path))


def _same(old: Any, new: Any) -> bool:
    # an empty list or map and an absent one are the same input to the provider
    return old == new or (old in (None, [], {}) and new in (None, [], {}))


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)
