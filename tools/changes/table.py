"""The change report as a reviewer of a stack-file change reads it.

One line per resource the change touches (`+` create, `~` update, `+-` replace, `-` delete, as
`pulumi preview` marks them), under it what changes: `path: old -> new`, or the changed lines of
a value that is text inside (user data in base64, a JSON policy or dashboard body) or too long a
list or block for one line (a web ACL's rules, one more); a replacement
names the properties that force it. Then the node refresh the change starts, in words: how many
nodes, how many at a time and why, the checkpoints, and the least time it takes. Then the count,
and, when `pulumi up` would stop at a step, that step and AWS's refusal.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import gzip
import json
from typing import Any

from tools.changes.refresh import COMPLETE, Checkpoint
from tools.changes.report import ChangeReport, Refresh
from tools.emulator import SECRET_MASK, Step
from tools.emulator.core.update import CREATE, DELETE, REPLACE, UPDATE

MARKS = {CREATE: "+", UPDATE: "~", REPLACE: "+-", DELETE: "-"}
VERBS = {CREATE: "create", UPDATE: "update", REPLACE: "replace", DELETE: "delete"}
INLINE_MAX = 60
"""A value longer than this (or of several lines) is shown by its changed lines."""
DIFF_LINES_MAX = 12
"""Changed lines shown per value; the rest are counted."""
GZIP_MAGIC = b"\x1f\x8b"


def render_table(report: ChangeReport) -> str:
    lines = [f"Stack {report.stack}: the changes from {report.old_file}, applied as `pulumi up` would", ""]
    if not report.changes:
        lines.append("  No changes.")
    for step in report.changes:
        lines += _step(step)
    if report.refresh is not None:
        lines += ["", *_refresh(report.refresh)]
    lines += ["", _summary(report)]
    if report.failure:
        lines += ["", f"`pulumi up` would stop here: {report.failure}"]
    return "\n".join(lines) + "\n"


def _step(step: Step) -> list[str]:
    lines = [f"  {MARKS[step.action]:<2} {VERBS[step.action]:<7} {step.type}  {step.name}"]
    detail = []
    if step.replace_because:
        detail.append(f"replaced because {', '.join(step.replace_because)} cannot change in place")
        if step.delete_first:
            detail.append("the old one is deleted first: its name cannot exist twice")
    for path, (old, new) in step.changed.items():
        detail += _value(path, old, new)
    if step.error:
        detail.append(f"FAILED: {step.error}")
    return lines + [f"        {line}" for line in detail]


def _value(path: str, old: Any, new: Any) -> list[str]:
    if len(_shown(old)) + len(_shown(new)) > 2 * INLINE_MAX and isinstance(old or new, (dict, list)):
        old, new = _laid_out(old), _laid_out(new)  # a list that changed length, a block: by its lines
    before, after = _readable(old), _readable(new)
    if not _text(before) and not _text(after):
        if len(_shown(old)) + len(_shown(new)) <= 2 * INLINE_MAX:
            return [f"{path}: {_shown(old)} -> {_shown(new)}"]
        return [f"{path}:", f"  - {_shown(old)}", f"  + {_shown(new)}"]
    changed = [
        line
        for line in difflib.unified_diff(
            str(before or "").splitlines(), str(after or "").splitlines(), n=0, lineterm=""
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    shown = [f"  {line}" for line in changed[:DIFF_LINES_MAX]]
    if len(changed) > DIFF_LINES_MAX:
        shown.append(f"  ... {len(changed) - DIFF_LINES_MAX} more changed lines")
    return [f"{path} ({_kind(old)}; changed lines):", *shown]


def _readable(value: Any) -> Any:
    """Text a reviewer can read: base64 (and gzip) decoded, JSON laid out one key a line."""
    if not isinstance(value, str) or value == SECRET_MASK:
        return value
    text = _decoded(value) or value
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.dumps(json.loads(text), indent=2, sort_keys=True)
        except ValueError:
            return text
    return text


def _laid_out(value: Any) -> str | None:
    """A structured value as JSON text, one key a line (whole numbers as the stack file writes them)."""
    return None if value is None else json.dumps(_whole(value), indent=2, sort_keys=True)


def _whole(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole(item) for item in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _decoded(value: str) -> str | None:
    if len(value) < INLINE_MAX:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    if raw.startswith(GZIP_MAGIC):
        raw = gzip.decompress(raw)
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return None


def _kind(value: Any) -> str:
    if isinstance(value, str) and _decoded(value) is not None:
        return "base64 text"
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        return "JSON"
    return "text"


def _text(value: Any) -> bool:
    """Text of several lines, shown by the lines that change."""
    return isinstance(value, str) and "\n" in value


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if value == SECRET_MASK:
        return SECRET_MASK
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def _refresh(refresh: Refresh) -> list[str]:
    plan = refresh.plan
    order = (
        "a new node starts before an old one stops"
        if plan.launches_first
        else "old nodes stop as their replacements start"
    )
    lines = [
        f"Node refresh of group {refresh.group} (the launch template or instance types changed):",
        f"  {_count(plan.nodes, 'node')}, {plan.batch} at a time ({_count(plan.batches, 'batch')}): at least "
        f"{plan.in_service_at_least} "
        f"stay in service (minHealthyPercentage {plan.min_healthy_percentage}, rounded up), at most "
        f"{plan.running_at_most} run (maxHealthyPercentage {plan.max_healthy_percentage}, rounded up): {order}.",
    ]
    if plan.checkpoints:
        pauses = ", ".join(_checkpoint(c) for c in plan.checkpoints)
        lines.append(f"  Checkpoints: pauses at {pauses}.")
    else:
        lines.append("  Checkpoints: none; the refresh does not pause.")
    drain = "then" if plan.launches_first else "overlapping"
    lines.append(
        f"  Takes at least {_duration(plan.minimum_seconds)}: {plan.batches} x {plan.warmup_seconds} s warmup, "
        f"{drain} {plan.drain_seconds} s for the last old node to drain"
        + (f", {plan.pause_seconds} s of checkpoint pauses" if plan.pause_seconds else "")
        + " (boot and health checks come on top)."
    )
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}{'es' if noun.endswith('ch') else 's'}"


def _checkpoint(checkpoint: Checkpoint) -> str:
    if checkpoint.percentage >= COMPLETE:
        return f"{checkpoint.percentage}% (the end: no pause)"
    return f"{checkpoint.percentage}% (then {checkpoint.delay_seconds} s)"


def _summary(report: ChangeReport) -> str:
    counts = [(VERBS[action], sum(1 for s in report.changes if s.action == action)) for action in MARKS]
    done = ", ".join(f"{count} to {verb}" for verb, count in counts if count)
    return f"{done or 'Nothing to do'}; {report.unchanged} unchanged."


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"
