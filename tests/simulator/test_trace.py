"""Reading traces: the CSV contract, and one line per problem with its location first."""

from __future__ import annotations

import pytest

from tools.simulator import TraceError, read_trace

GAP_ADVICE = (
    "a load balancer publishes no RequestCount for a minute without requests; "
    "fill the gap with such minutes (--fill-gaps), or export the trace again"
)


def write(tmp_path, text: str):
    path = tmp_path / "load.csv"
    path.write_text(text)
    return path


def problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(TraceError) as raised:
        read_trace(write(tmp_path, text))
    return raised.value.problems


def test_reads_demand_and_metric_columns_with_empty_cells_as_missing(tmp_path):
    trace = read_trace(write(tmp_path, "minute,requests_per_second,TotalRunQueueLength\n0,12.5,3\n1,14,\n"))
    assert trace.demand == [12.5, 14.0]
    assert trace.columns == {"TotalRunQueueLength": [3.0, None]}
    assert trace.minutes == 2


def test_the_header_starts_with_minute_and_requests_per_second(tmp_path):
    path = tmp_path / "load.csv"
    assert problems(tmp_path, "time,rps\n0,1\n") == [
        f"{path}:1: header must start with minute,requests_per_second, got 'time,rps'"
    ]


def test_every_bad_row_is_reported_with_its_line_and_column(tmp_path):
    path = tmp_path / "load.csv"
    text = "minute,requests_per_second,Queue\n0,1,2\n2,-3,x\n3,4\n"
    assert problems(tmp_path, text) == [
        f"{path}:3: minute 1 is missing: {GAP_ADVICE}",
        f"{path}:3: requests_per_second: must be a number >= 0, got '-3'",
        f"{path}:3: Queue: must be a number, got 'x'",
        f"{path}:4: expected 3 fields, got 2",
    ]


def test_a_missing_or_empty_file_is_a_problem_not_a_crash(tmp_path):
    assert problems(tmp_path, "") == [
        f"{tmp_path / 'load.csv'}: empty file: expected the header minute,requests_per_second"
    ]
    assert problems(tmp_path, "minute,requests_per_second\n") == [f"{tmp_path / 'load.csv'}: no rows after the header"]
    with pytest.raises(TraceError, match="cannot read the trace"):
        read_trace(tmp_path / "absent.csv")


def test_a_gap_is_one_problem_and_the_rows_after_it_count_on_from_it(tmp_path):
    rows = "".join(f"{minute},5\n" for minute in (0, 1, *range(40, 100)))
    assert problems(tmp_path, "minute,requests_per_second\n" + rows) == [
        f"{tmp_path / 'load.csv'}:4: minutes 2..39 are missing: {GAP_ADVICE}"
    ]


def test_a_minute_that_goes_back_is_still_a_problem_of_its_own_row(tmp_path):
    text = "minute,requests_per_second\n0,1\n1,1\n1,1\n2,1\n"
    assert problems(tmp_path, text) == [
        f"{tmp_path / 'load.csv'}:4: minute: must be 2 (minutes count up from 0), got '1'",
        f"{tmp_path / 'load.csv'}:5: minute: must be 3 (minutes count up from 0), got '2'",
    ]


def test_filled_gaps_have_no_requests_and_no_datapoint_in_the_other_columns(tmp_path):
    text = "minute,requests_per_second,TotalRunQueueLength\n0,12,3\n3,14,5\n4,15,\n"
    trace = read_trace(write(tmp_path, text), fill_gaps=True)
    assert trace.demand == [12.0, 0.0, 0.0, 14.0, 15.0]
    assert trace.columns == {"TotalRunQueueLength": [3.0, None, None, 5.0, None]}
