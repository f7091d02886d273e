"""Load traces: the demand a cluster saw, minute by minute, read from CSV.

    minute,requests_per_second[,<CloudWatch metric name>...]
    0,120.5,12
    1,131.0,

`minute` counts from the simulation's start, 0, 1, 2, ... Any further column stands for the
CloudWatch metric of that name (`TotalRunQueueLength`, `mem_used_percent`,
`SchedulerUtilization`, ...) as the group reported it that minute; an empty cell is a minute
without a datapoint.

Minutes missing between two rows (a gap) are one problem, named once, or filled when the
caller asks (`fill_gaps`): a missing minute had no requests, and no datapoint in the other
columns. That is what CloudWatch means by it: a load balancer publishes RequestCount (a
count) only for minutes with requests, so its missing minute is zero; a gauge (run queue,
memory) has no value to carry over, so its minute stays without a datapoint, as the alarm
watching it saw it (its TreatMissingData decides).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

MINUTE_COLUMN = "minute"
DEMAND_COLUMN = "requests_per_second"
MAX_PROBLEMS = 20  # a broken file reports this many lines, then stops: enough to see the pattern


class TraceError(ValueError):
    """The trace cannot be read; `problems` holds one line per problem, location first."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Trace:
    """Demand per minute (requests/s) and the recorded metric columns, by CloudWatch name."""

    demand: list[float]
    columns: dict[str, list[float | None]] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return len(self.demand)


def read_trace(path: str | Path, *, fill_gaps: bool = False) -> Trace:
    """Read and check a trace CSV; raise TraceError listing every problem found."""
    path = Path(path)
    try:
        with path.open(newline="") as handle:
            return parse_trace(csv.reader(handle), str(path), fill_gaps=fill_gaps)
    except OSError as unreadable:
        raise TraceError([f"{path}: cannot read the trace: {unreadable.strerror or unreadable}"]) from None
    except UnicodeDecodeError:
        raise TraceError([f"{path}: not a trace: not UTF-8 text (a CSV of minute,requests_per_second)"]) from None


def parse_trace(rows, name: str, *, fill_gaps: bool = False) -> Trace:
    """Parse CSV rows (the header first); `name` prefixes every problem. `fill_gaps`: minutes
    missing between rows are added, without requests or datapoints, rather than refused."""
    header = next(iter(rows), None)
    if header is None:
        raise TraceError([f"{name}: empty file: expected the header {MINUTE_COLUMN},{DEMAND_COLUMN}"])
    header = [column.strip() for column in header]
    problems = list(_header_problems(header, name))
    if problems:
        raise TraceError(problems)
    extras = header[2:]
    demand: list[float] = []
    columns: dict[str, list[float | None]] = {column: [] for column in extras}
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        where = f"{name}:{line}"
        if len(row) != len(header):
            problems.append(f"{where}: expected {len(header)} fields, got {len(row)}")
            continue
        minute, rate, *values = (cell.strip() for cell in row)
        missing = _missing_minutes(minute, len(demand))
        if missing and fill_gaps:
            demand += [0.0] * missing
            for column in columns.values():
                column += [None] * missing
        elif missing:
            problems.append(f"{where}: {_gap(len(demand), missing)}")
            demand += [0.0] * missing  # counted on as if filled, so the rows after the gap read as theirs
            for column in columns.values():
                column += [None] * missing
        elif minute != str(len(demand)):
            problems.append(
                f"{where}: {MINUTE_COLUMN}: must be {len(demand)} (minutes count up from 0), got {minute!r}"
            )
        demand.append(_number(rate, f"{where}: {DEMAND_COLUMN}", problems, required=True) or 0.0)
        for column, value in zip(extras, values, strict=True):
            columns[column].append(_number(value, f"{where}: {column}", problems, required=False))
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"{name}: stopped after {MAX_PROBLEMS} problems")
            break
    if not demand and not problems:
        problems.append(f"{name}: no rows after the header")
    if problems:
        raise TraceError(problems)
    return Trace(demand, columns)


def _missing_minutes(minute: str, expected: int) -> int:
    """How many minutes a row's minute skips ahead of the one expected (0: none, or not a gap)."""
    return int(minute) - expected if minute.isdigit() and int(minute) > expected else 0


def _gap(first: int, count: int) -> str:
    minutes = f"minute {first} is" if count == 1 else f"minutes {first}..{first + count - 1} are"
    return (
        f"{minutes} missing: a load balancer publishes no RequestCount for a minute "
        "without requests; fill the gap with such minutes (--fill-gaps), or export the trace again"
    )


def _header_problems(header: list[str], name: str):
    if header[:2] != [MINUTE_COLUMN, DEMAND_COLUMN]:
        yield f"{name}:1: header must start with {MINUTE_COLUMN},{DEMAND_COLUMN}, got {','.join(header[:2])!r}"
    seen: set[str] = set()
    for column in header[2:]:
        if not column:
            yield f"{name}:1: an extra column has no name (name it after its CloudWatch metric)"
        elif column in seen or column in (MINUTE_COLUMN, DEMAND_COLUMN):
            yield f"{name}:1: column {column!r} appears twice"
        seen.add(column)


def _number(text: str, where: str, problems: list[str], *, required: bool) -> float | None:
    if not text:
        if required:
            problems.append(f"{where}: must be a number >= 0, got an empty cell")
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (required and value < 0):
        problems.append(f"{where}: must be a {'number >= 0' if required else 'number'}, got {text!r}")
        return None
    return value
