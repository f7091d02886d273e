"""What a proposal needs said beside its numbers, before anyone applies it: a value the search
could not look past (at an end of its range), and a schedule the proposal leaves with nothing
to do (it sets the sizes the group has anyway)."""

from __future__ import annotations

from typing import Any

from components.settings import NAMESPACE, format_path

from .space import Knob

SCHEDULED_SIZES = ("minSize", "maxSize")
"""What a schedule sets that can equal the group's own; a scheduled desiredCapacity always acts."""


def at_the_edge(changes: list[tuple[Knob, float | int]]) -> list[str]:
    """A line for each changed value at an end of its search range the search could have passed."""
    lines = []
    for knob, value in changes:
        low, high = knob.values[0], knob.values[-1]
        for end, bound, beyond in (("bottom", low, knob.beyond[0]), ("top", high, knob.beyond[1])):
            if value == bound and beyond:
                lines.append(
                    f"{knob.label} {value:g} is at the {end} of its search range ({low:g}..{high:g}): "
                    f"the best value may lie beyond it; {beyond}"
                )
    return lines


def idle_schedules(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """A line for each schedule that sets only sizes equal to the nodes' own in `after` (the tuned
    sections) and did not in `before`: it changes nothing any more."""
    idle_before, idle_after = _idle(before), _idle(after)
    nodes = after.get("nodes") or {}
    lines = []
    for index in sorted(set(idle_after) - set(idle_before)):
        schedule = after["scaling"]["schedules"][index]
        sizes = ", ".join(f"{key} {schedule[key]}" for key in SCHEDULED_SIZES if schedule.get(key) is not None)
        own = ", ".join(f"nodes.{key} {nodes[key]}" for key in SCHEDULED_SIZES if schedule.get(key) is not None)
        key = f"{NAMESPACE}:{format_path(('scaling', 'schedules', index))}"
        lines.append(
            f"{key} ({schedule.get('name')}) sets {sizes}, the group's own ({own}), and no schedule sets "
            "another: it changes nothing any more; delete it from the stack file"
        )
    return lines


def _idle(sections: dict[str, Any]) -> list[int]:
    """The schedules that set no desired capacity, and sizes each equal to the nodes' own, where
    no schedule sets that size to anything else (then one of them puts the size back)."""
    nodes = sections.get("nodes") or {}
    schedules = (sections.get("scaling") or {}).get("schedules") or []
    idle_keys = {
        key
        for key in SCHEDULED_SIZES
        if all(s.get(key) in (None, nodes.get(key)) for s in schedules)
        and any(s.get(key) is not None for s in schedules)
    }
    return [
        index
        for index, schedule in enumerate(schedules)
        if schedule.get("desiredCapacity") is None
        and all(key in idle_keys for key in SCHEDULED_SIZES if schedule.get(key) is not None)
    ]
