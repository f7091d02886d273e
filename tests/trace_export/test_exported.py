"""tools/trace_export/exported.py: one row per minute, no gaps; a count's missing minute is 0, a
gauge's stays empty; the file reads back as a trace; what was missing is said once per column."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from tools.simulator import read_trace
from tools.stack_files import load_stack, stack_file
from tools.trace_export import assemble, trace_columns

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def test_missing_minutes_are_zero_requests_and_no_run_queue_datapoint(tmp_path):
    columns = trace_columns(load_stack(stack_file("prod")).settings)
    found = {
        "requests_per_second": {at(0): 600.0, at(1): 90.0, at(3): 1234.0},  # a Sum per minute; minute 2: none
        "TotalRunQueueLength": {at(0): 3.0, at(2): 7.5, at(3): 1.0},  # minute 1: no datapoint
    }
    exported = assemble(columns, found, START, at(4))
    path = tmp_path / "exported.csv"
    with path.open("w", newline="") as handle:
        exported.write_csv(handle)
    assert path.read_text() == (
        "minute,requests_per_second,TotalRunQueueLength\n0,10,3\n1,1.5,\n2,0,7.5\n3,20.5667,1\n"
    )
    trace = read_trace(path)
    assert trace.demand == [10.0, 1.5, 0.0, 20.5667]
    assert trace.columns == {"TotalRunQueueLength": [3.0, None, 7.5, 1.0]}
    assert exported.summary() == [
        "4 minutes from 2026-12-01T08:00:00Z "
        "(replay with --start 2026-12-01T08:00:00Z, so schedules fire when they did)",
        "requests_per_second: 1 of 4 minutes without a datapoint in AWS/ApplicationELB/RequestCount (Sum), "
        "written as 0: no requests",
        "TotalRunQueueLength: 1 of 4 minutes without a datapoint in Elixir/BEAM/TotalRunQueueLength (Average), "
        "left empty: no datapoint, as its alarm saw it",
    ]


def test_a_column_with_every_datapoint_says_nothing_more():
    columns = trace_columns(load_stack(stack_file("dev")).settings)
    exported = assemble(columns, {"requests_per_second": {at(0): 60.0, at(1): 120.0}}, START, at(2))
    out = io.StringIO()
    exported.write_csv(out)
    assert out.getvalue() == "minute,requests_per_second\n0,1\n1,2\n"
    assert len(exported.summary()) == 1
