"""The exported trace: one row per minute from the start, no gaps, as `tools.simulator.read_trace`
reads it; and what was missing, said once per column."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from tools.simulator import MINUTE_COLUMN

from .columns import TraceColumn

MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class ExportedTrace:
    start: datetime
    columns: list[TraceColumn]
    values: dict[str, list[float | None]]
    """Each column's value per minute; None: no datapoint (a count's is already 0)."""
    missing: dict[str, int]
    """Each column's minutes without a datapoint."""

    @property
    def minutes(self) -> int:
        return len(next(iter(self.values.values())))

    def write_csv(self, handle: TextIO) -> None:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([MINUTE_COLUMN, *(column.name for column in self.columns)])
        for minute in range(self.minutes):
            writer.writerow([minute, *(_cell(self.values[column.name][minute]) for column in self.columns)])

    def summary(self) -> list[str]:
        """What a reader of the file should know: where minute 0 is, and the minutes without datapoints."""
        start = self.start.strftime("%Y-%m-%dT%H:%M:%SZ")
        lines = [f"{self.minutes} minutes from {start} (replay with --start {start}, so schedules fire when they did)"]
        for column in self.columns:
            count = self.missing[column.name]
            if count:
                meaning = (
                    "written as 0: no requests" if column.counts else "left empty: no datapoint, as its alarm saw it"
                )
                lines.append(
                    f"{column.name}: {count} of {self.minutes} minutes without a datapoint in {column.path}, {meaning}"
                )
        return lines


def assemble(
    columns: list[TraceColumn], found: dict[str, dict[datetime, float]], start: datetime, end: datetime
) -> ExportedTrace:
    """Every minute from `start` to `end` (exclusive), each column's datapoint or, where it has none,
    0 for a count and nothing for a gauge."""
    minutes = [start + index * MINUTE for index in range(int((end - start) / MINUTE))]
    values, missing = {}, {}
    for column in columns:
        datapoints = found[column.name]
        cells = [datapoints.get(minute) for minute in minutes]
        missing[column.name] = cells.count(None)
        fill = 0.0 if column.counts else None
        values[column.name] = [fill if cell is None else cell / column.divisor for cell in cells]
    return ExportedTrace(start, columns, values, missing)


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")
