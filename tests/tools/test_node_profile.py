"""`python -m tools.node_profile` (tools/node_profile.py): minutes of history bucketed into a node
profile, computed by hand; the aws CLI's get-metric-data output read as it prints it; bad input
one line per problem."""

from __future__ import annotations

import json

import pytest

from tools import node_profile
from tools.cli import EXIT_INVALID, EXIT_OK
from tools.simulator import read_profile

SECONDS = ("--launch-to-in-service", "95", "--launch-to-serving", "110")

MINUTES = """\
timestamp,requestsPerSecond,cpuUtilization,schedulerUtilization
2026-12-01T00:00:00Z,1,14,6
2026-12-01T00:01:00Z,3,22,10
2026-12-01T00:02:00Z,6,34,20
2026-12-01T00:03:00Z,8,42,24
2026-12-01T00:04:00Z,12,58,40
2026-12-01T00:05:00Z,14,66,46
2026-12-01T00:06:00Z,16,55,50
2026-12-01T00:07:00Z,18,57,52
2026-12-01T00:08:00Z,27,90,85
2026-12-01T00:09:00Z,20,,60
"""


def run(capsys, *args) -> tuple[int, str, list[str]]:
    code = node_profile.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def test_minutes_are_bucketed_by_rate_thin_buckets_left_out_falling_cpu_merged(tmp_path, capsys):
    minutes = tmp_path / "minutes.csv"
    minutes.write_text(MINUTES)
    args = ("--from-csv", str(minutes), "--description", "shop on c7g.large", *SECONDS, "--bucket-rps", "5")
    code, out, err = run(capsys, *args, "--min-minutes", "2")
    assert code == EXIT_OK
    # buckets of 5 rps: [0,5) 1 and 3 rps -> (2, 18, 8); [5,10) 6 and 8 -> (7, 38, 22); [10,15) 12 and 14 ->
    # (13, 62, 43); [15,20) 16 and 18 -> (17, 56, 51): CPU 56 below 62, merged with it, four minutes ->
    # (15, 59, 47); [25,27] 27 alone: fewer than 2 minutes, left out; 00:09 has no CPU: left out
    assert json.loads(out) == {
        "description": "shop on c7g.large",
        "points": [
            {"requestsPerSecond": 2, "cpuUtilization": 18, "schedulerUtilization": 8},
            {"requestsPerSecond": 7, "cpuUtilization": 38, "schedulerUtilization": 22},
            {"requestsPerSecond": 15, "cpuUtilization": 59, "schedulerUtilization": 47},
        ],
        "launchToInServiceSeconds": 95,
        "launchToServingSeconds": 110,
    }
    # capacity: CPU rises (59 - 38) / (15 - 7) = 2.625 a rps: 100 at 15 + 41 / 2.625 = 30.62 rps
    assert err == [
        "node profile: 3 points from 8 minutes in buckets of 5 requests/s; capacity 30.62 requests/s per node "
        "at 100% CPU",
        "note: 1 minute without all three values left out",
        "note: 1 minute left out: their bucket had fewer than 2 (--min-minutes)",
        "note: 1 bucket(s) merged into the one below, where CPU fell as the rate rose (noise, or minutes while "
        "the group changed size)",
    ]


def test_buckets_whose_rates_round_to_one_figure_make_one_point():
    # the autoscale lab's four nodes at 1.08 per node: minutes at 1.079 and 1.0833 straddle a bucket's edge
    # (width 0.2166: 1.079 / 0.2166 = 4.98 falls in bucket 4, 1.0833 / 0.2166 = 5.0014 in bucket 5); both
    # means round to 1.08, so the two buckets are one point: (1.079 x 2 + 1.0833 x 2) / 4 = 1.08, CPU
    # (60 + 62 + 63 + 61) / 4 = 61.5
    rows = ((0.24, 20), (0.24, 22), (1.079, 60), (1.079, 62), (1.0833, 63), (1.0833, 61), (2.2, 99), (2.2, 99))
    minutes = [node_profile.Minute(rate, cpu, 12.0) for rate, cpu in rows]
    bucketed = node_profile.bucket(minutes, width=0.2166, min_minutes=2)
    assert [(p.requests_per_second, p.cpu_utilization) for p in bucketed.points] == [
        (0.24, 21.0),
        (1.08, 61.5),
        (2.2, 99.0),
    ]
    assert (bucketed.merged, bucketed.same_rate) == (0, 1)


def test_the_default_bucket_is_a_tenth_of_the_highest_rate_and_the_output_a_profile_file(tmp_path, capsys):
    minutes = tmp_path / "minutes.csv"
    minutes.write_text(MINUTES)
    written = tmp_path / "node.json"
    args = ("--from-csv", str(minutes), "--description", "d", *SECONDS, "--min-minutes", "1", "--output", str(written))
    code, out, err = run(capsys, *args)
    assert (code, out) == (EXIT_OK, "")
    # buckets of 27 / 10 = 2.7 rps: 1 | 3 | 6, 8 -> (7, 38, 22) | 12 | 14, 16 -> (15, 60.5, 48) | 18 -> 57,
    # below 60.5: merged with it, (16, 59.33, 49.33) | 27 (the highest closes the last bucket)
    assert err[0].startswith("node profile: 6 points from 9 minutes in buckets of 2.7 requests/s;")
    profile = read_profile(written)
    assert [point.requests_per_second for point in profile.points] == [1, 3, 7, 12, 16, 27]
    assert [point.cpu_utilization for point in profile.points] == [14, 22, 38, 58, 59.33, 90]
    assert profile.points[4].scheduler_utilization == 49.33


def metric_data(tmp_path, results) -> str:
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps({"MetricDataResults": results, "Messages": []}, indent=4))
    return str(path)


def series(query_id: str, values: dict[int, float]) -> dict:
    """A result as the aws CLI prints it: timestamps as ISO-8601 text, here minutes of 2026-12-01."""
    stamps = [f"2026-12-01T00:{minute:02d}:00+00:00" for minute in values]
    return {"Id": query_id, "Label": query_id, "Timestamps": stamps, "Values": list(values.values()),
            "StatusCode": "Complete"}  # fmt: skip


def test_get_metric_data_output_is_joined_by_minute_across_pages(tmp_path, capsys):
    # RequestCountPerTarget is a Sum per minute: 600 requests a minute is 10 requests/s; the requests
    # series comes in two pages (the CLI concatenates them); minute 3 has no scheduler datapoint
    path = metric_data(
        tmp_path,
        [
            series("requests", {0: 600, 1: 600}),
            series("cpu", {0: 40, 1: 44, 2: 72, 3: 70}),
            series("scheduler", {0: 30, 1: 34, 2: 62}),
            series("requests", {2: 1200, 3: 1200}),
        ],
    )
    code, out, err = run(capsys, "--from-metric-data", path, "--description", "d", *SECONDS, "--min-minutes", "1",
                         "--bucket-rps", "5")  # fmt: skip
    assert code == EXIT_OK
    assert json.loads(out)["points"] == [
        {"requestsPerSecond": 10, "cpuUtilization": 42, "schedulerUtilization": 32},
        {"requestsPerSecond": 20, "cpuUtilization": 72, "schedulerUtilization": 62},
    ]
    assert "note: 1 minute without all three values left out" in err


def test_metric_data_without_a_query_names_the_id_and_the_query(tmp_path, capsys):
    path = metric_data(tmp_path, [series("requests", {0: 600}), series("CPU", {0: 40})])
    code, _, err = run(capsys, "--from-metric-data", path, "--description", "d", *SECONDS)
    assert code == EXIT_INVALID
    assert err == [
        f"{path}: no datapoints for the query Id 'cpu': query AWS/EC2 CPUUtilization by AutoScalingGroupName, "
        "Average, Period 60 with that Id",
        f"{path}: no datapoints for the query Id 'scheduler': query Elixir/BEAM SchedulerUtilization by "
        "AutoScalingGroupName, Average, Period 60 with that Id",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rps,cpu,scheduler\n1,2,3\n", "{path}:1: header must be requestsPerSecond,cpuUtilization,"
         "schedulerUtilization (or timestamp,requestsPerSecond,cpuUtilization,schedulerUtilization), "
         "got 'rps,cpu,scheduler'"),
        (MINUTES.replace(",6,34,20", ",6,134,20"), "{path}:4: cpuUtilization: must be a percentage 0-100, got 134"),
        (MINUTES.replace(",8,42,", ",-8,42,"), "{path}:5: requestsPerSecond: must be requests/s >= 0, got -8"),
        (MINUTES.replace(",12,58,40", ",12,58"), "{path}:6: expected 4 fields, got 3"),
    ],
    ids=["header", "a percentage above 100", "a negative rate", "a short row"],
)  # fmt: skip
def test_a_bad_row_is_one_line_naming_the_file_and_row(tmp_path, capsys, text, expected):
    path = tmp_path / "minutes.csv"
    path.write_text(text)
    code, out, err = run(capsys, "--from-csv", str(path), "--description", "d", *SECONDS)
    assert (code, out, err) == (EXIT_INVALID, "", [expected.format(path=path)])


def test_minutes_that_make_no_usable_profile_say_why_and_what_to_change(tmp_path, capsys):
    # every minute in one bucket: one point, and a profile needs two
    path = tmp_path / "minutes.csv"
    path.write_text("requestsPerSecond,cpuUtilization,schedulerUtilization\n10,40,30\n10,42,31\n")
    code, _, err = run(capsys, "--from-csv", str(path), "--description", "d", *SECONDS, "--min-minutes", "1")
    assert code == EXIT_INVALID
    assert err == [
        f"{path}: 1 point(s) from 2 minutes, buckets 1 rps wide: points: 1 given; give at least 2 points, each "
        "{requestsPerSecond, cpuUtilization, schedulerUtilization} (narrow --bucket-rps, lower --min-minutes, "
        "or measure over more rates)"
    ]


def test_launch_to_serving_before_in_service_is_the_profile_s_problem(tmp_path, capsys):
    path = tmp_path / "minutes.csv"
    path.write_text(MINUTES)
    args = ("--from-csv", str(path), "--description", "d", "--launch-to-in-service", "120", "--launch-to-serving", "60",
            "--min-minutes", "1")  # fmt: skip
    code, _, err = run(capsys, *args)
    assert code == EXIT_INVALID
    assert len(err) == 1 and err[0].endswith(
        "launchToServingSeconds: 60 is below launchToInServiceSeconds (120); the load balancer sends a node "
        "requests only once it is InService: give launchToServingSeconds >= 120 (narrow --bucket-rps, lower "
        "--min-minutes, or measure over more rates)"
    )


def test_timestamps_as_aws_cli_v1_prints_them_by_default_are_seconds_since_the_epoch(tmp_path, capsys):
    # 2026-12-01T00:00:00Z is 1796083200 s after the epoch
    def epoch(query_id: str, values: list[float]) -> dict:
        return {"Id": query_id, "Timestamps": [1796083200 + 60 * m for m in range(len(values))], "Values": values}

    path = metric_data(tmp_path, [epoch("requests", [600, 1200]), epoch("cpu", [40, 70]), epoch("scheduler", [30, 60])])
    args = ("--from-metric-data", path, "--description", "d", *SECONDS, "--min-minutes", "1", "--bucket-rps", "5")
    code, out, _ = run(capsys, *args)
    assert code == EXIT_OK
    assert [point["requestsPerSecond"] for point in json.loads(out)["points"]] == [10, 20]


def test_a_timestamp_that_is_not_one_is_one_line(tmp_path, capsys):
    path = metric_data(tmp_path, [{"Id": "requests", "Timestamps": ["yesterday"], "Values": [600]}])
    code, _, err = run(capsys, "--from-metric-data", path, "--description", "d", *SECONDS)
    assert (code, err) == (EXIT_INVALID, [f"{path}: 'yesterday' is not a timestamp: save what the aws CLI prints"])
