"""`python -m tools.trace` (tools/trace.py): a trace exported from a deployed stack's CloudWatch
metrics, seeded through PutMetricData into the emulator, replayed by the simulator; its exit
codes and one-line errors."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support import variants
from tests.support.moto_server import server_account
from tests.support.stacks import Deploy, write_variant
from tests.support.verify import readme_permissions, recorded_permissions
from tools import simulate, trace
from tools.cli import EXIT_FAILED, EXIT_INVALID, EXIT_OK
from tools.simulator import read_trace

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
START = NOW - timedelta(minutes=6)

TRACE_POLICY_SID = "ExportElixirClusterTrace"
"""The Sid of the policy README prints for the identity that exports a trace."""


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = trace.main(list(argv), stdout=out, stderr=err, now=NOW)
    return code, out.getvalue(), err.getvalue()


def test_a_deployed_stack_s_requests_and_run_queue_become_one_row_per_minute(
    deploy: Deploy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = deploy("prod")
    (balancer,) = [
        lb
        for lb in env.client("elbv2").describe_load_balancers()["LoadBalancers"]
        if lb["DNSName"] == env.outputs["loadBalancerDnsName"]
    ]
    suffix = balancer["LoadBalancerArn"].split(":loadbalancer/")[1]  # app/<name>/<id>, as CloudWatch names it
    group = env.outputs["autoScalingGroupName"]

    def put(namespace: str, name: str, dimension: tuple[str, str], points: dict[int, list[float]]) -> None:
        # moto takes AWS/ namespaces, which AWS keeps for its own services: here it stands in for the ALB
        data = [
            {
                "MetricName": name,
                "Dimensions": [{"Name": dimension[0], "Value": dimension[1]}],
                "Timestamp": START + timedelta(minutes=minute, seconds=10 + 20 * i),
                "Value": value,
            }
            for minute, values in points.items()
            for i, value in enumerate(values)
        ]
        env.client("cloudwatch").put_metric_data(Namespace=namespace, MetricData=data)

    # requests: a Sum per minute (two datapoints in minute 1), none in minute 2
    put(
        "AWS/ApplicationELB",
        "RequestCount",
        ("LoadBalancer", suffix),
        {0: [600], 1: [60, 120], 3: [1200], 4: [1200], 5: [30]},
    )
    put("AWS/ApplicationELB", "RequestCount", ("LoadBalancer", "app/another/0123456789abcdef"), {0: [99999]})
    # the run queue: the group's Average (two nodes in minute 0), no datapoint in minute 1
    put(
        "Elixir/BEAM",
        "TotalRunQueueLength",
        ("AutoScalingGroupName", group),
        {0: [2, 4], 2: [5], 3: [60], 4: [80], 5: [5]},
    )
    path = tmp_path / "prod-today.csv"
    with env.as_the_callers_account(), recorded_permissions(monkeypatch) as calls:
        code, out, err = run("--stack", "prod", "--start", iso(START), "--end", iso(NOW), "--output", str(path))
    assert (code, out) == (EXIT_OK, ""), err
    exported = read_trace(path)
    assert exported.demand == [10.0, 3.0, 0.0, 20.0, 20.0, 0.5]
    assert exported.columns == {"TotalRunQueueLength": [3.0, None, 5.0, 60.0, 80.0, 5.0]}
    assert err.splitlines()[1:] == [
        "trace: requests_per_second: 1 of 6 minutes without a datapoint in AWS/ApplicationELB/RequestCount (Sum), "
        "written as 0: no requests",
        "trace: TotalRunQueueLength: 1 of 6 minutes without a datapoint in Elixir/BEAM/TotalRunQueueLength "
        "(Average), left empty: no datapoint, as its alarm saw it",
    ]
    assert calls == set(readme_permissions(TRACE_POLICY_SID)), "README's policy for tools.trace and its calls part ways"
    # the simulator replays it with prod's run-queue step policy driven, nothing skipped
    assert (
        simulate.main(["--stack", "prod", "--trace", str(path), "--start", iso(START), "--format", "json"]) == EXIT_OK
    )
    assert "skipped" not in capsys.readouterr().err


def test_bad_times_and_a_network_load_balancer_are_one_line_each(tmp_path: Path) -> None:
    nlb = write_variant(tmp_path, "dev", "nlb", variants.DEV_BEHIND_AN_NLB)
    code, out, err = run("--config", str(nlb), "--start", iso(NOW - timedelta(days=16)), "--end", "yesterday")
    assert (code, out) == (EXIT_INVALID, "")
    fifteen_days_ago = iso(NOW - timedelta(days=15))
    assert err.splitlines() == [
        "--end: must be an ISO-8601 time such as 2026-01-05T00:00:00Z, got 'yesterday'",
        "elixir-cluster:loadBalancer.type: network: a network load balancer publishes no RequestCount (it counts "
        "flows, not requests): export requests per second from the release's own metrics as the trace's "
        "requests_per_second column",
    ]
    code, _, err = run("--config", str(nlb), "--start", iso(NOW - timedelta(days=16)))
    assert code == EXIT_INVALID
    assert err.splitlines()[0] == (
        f"--start: CloudWatch keeps one-minute datapoints for 15 days, so the earliest is {fifteen_days_ago}, "
        f"got {iso(NOW - timedelta(days=16))}"
    )
    code, _, err = run("--stack", "dev", "--start", iso(NOW), "--end", iso(NOW + timedelta(minutes=5)))
    assert code == EXIT_INVALID
    assert err.splitlines() == [
        f"--end: after now ({iso(NOW)}): minutes to come have no requests yet, got {iso(NOW + timedelta(minutes=5))}",
    ]


def test_an_environment_that_is_not_there_is_one_line_and_exit_1(
    moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in server_account(moto_server).credentials.items():
        monkeypatch.setenv(name, value)
    code, out, err = run("--stack", "dev", "--start", iso(START), "--endpoint", moto_server)
    assert (code, out) == (EXIT_FAILED, "")
    assert err.splitlines() == [
        f"error: no Auto Scaling group and no load balancer tagged elixir-cluster:cluster=shop-dev in {moto_server} "
        "(region eu-west-1): check the account, --stack or --config and the stack file's aws:region"
    ]
