"""components/plans/dashboard.py, a pure renderer: what the dashboard shows, without Pulumi or moto.

Run: `.venv/bin/python -m pytest --tb=native -q tests/test_dashboard.py`
"""

from __future__ import annotations

import json

import pytest

from components.plans.dashboard import DashboardNames, render_dashboard
from tests.support.stacks import write_variant
from tools.stack_files import load_stack_settings, stack_file

NAMES = DashboardNames(
    region="eu-west-1",
    group_name="shop-nodes-group-abc1234",
    load_balancer="app/shop-lb-alb-abc1234/0123456789abcdef",
    target_group="targetgroup/shop-lb-targets-abc1234/fedcba9876543210",
    alarm_arns=("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-prod-p99-latency",),
)


def widgets(settings, names=NAMES) -> list[dict]:
    return json.loads(render_dashboard(settings, names))["widgets"]


def metric_widgets(settings) -> dict[str, dict]:
    return {w["properties"]["title"]: w for w in widgets(settings) if w["type"] == "metric"}


def metrics_named(widget: dict) -> list[str]:
    return [m[1] for m in widget["properties"]["metrics"]]


@pytest.fixture(scope="module")
def prod_settings():
    return load_stack_settings(stack_file("prod"))


def test_every_graph_is_about_this_group_load_balancer_or_web_acl_in_the_stack_region(prod_settings):
    web_acl = "shop-prod"
    for widget in metric_widgets(prod_settings).values():
        properties = widget["properties"]
        assert properties["region"] == NAMES.region
        for metric in properties["metrics"]:
            assert {NAMES.group_name, NAMES.load_balancer, web_acl} & {m for m in metric if isinstance(m, str)}, metric


def test_it_shows_traffic_latency_percentiles_errors_hosts_capacity_cpu_memory_and_the_beam(prod_settings):
    graphs = metric_widgets(prod_settings)
    shown = {name for widget in graphs.values() for name in metrics_named(widget)}
    assert {"RequestCount", "TargetResponseTime", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"} <= shown
    assert {"HealthyHostCount", "UnHealthyHostCount", "CPUUtilization", "mem_used_percent"} <= shown
    assert {"GroupDesiredCapacity", "GroupInServiceInstances", "GroupMinSize", "GroupMaxSize"} <= shown
    assert {"SchedulerUtilization", "TotalRunQueueLength"} <= shown
    latency = graphs["Target response time (s)"]["properties"]["metrics"]
    assert [m[-1]["stat"] for m in latency] == ["p50", "p90", "p99"]


def test_thresholds_and_targets_are_drawn_where_they_apply(prod_settings):
    graphs = metric_widgets(prod_settings)
    latency_lines = graphs["Target response time (s)"]["properties"]["annotations"]["horizontal"]
    assert [line["value"] for line in latency_lines] == [prod_settings.alerts.latency_p99_ms / 1000]
    scheduler = graphs["BEAM scheduler utilisation (%)"]["properties"]["annotations"]["horizontal"]
    assert [line["value"] for line in scheduler] == [70]
    run_queue = graphs["BEAM run queue length"]["properties"]["annotations"]["horizontal"]
    assert [line["value"] for line in run_queue] == [prod_settings.scaling.step[0].threshold]
    hosts = graphs["Hosts"]["properties"]["annotations"]["horizontal"]
    assert [line["value"] for line in hosts] == [prod_settings.nodes.min_size]


def test_widgets_fit_the_grid_without_overlapping(prod_settings):
    taken: set[tuple[int, int]] = set()
    for widget in widgets(prod_settings):
        assert widget["x"] >= 0 and widget["x"] + widget["width"] <= 24  # a CloudWatch dashboard is 24 units wide
        cells = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not cells & taken, widget["properties"].get("title")
        taken |= cells


def test_the_alarm_widget_lists_the_alarms_it_is_given(prod_settings):
    [alarm_widget] = [w for w in widgets(prod_settings) if w["type"] == "alarm"]
    assert alarm_widget["properties"]["alarms"] == list(NAMES.alarm_arns)
    no_alarms = DashboardNames(NAMES.region, NAMES.group_name, NAMES.load_balancer, NAMES.target_group)
    assert [w for w in widgets(prod_settings, no_alarms) if w["type"] == "alarm"] == []


def test_a_network_load_balancer_shows_flows_and_resets_instead_of_http(tmp_path):
    path = write_variant(
        tmp_path,
        "dev",
        "nlb",
        {
            "elixir-cluster:loadBalancer": {
                "type": "network",
                "idleTimeout": None,
                "stickiness": None,
                "algorithm": None,
            }
        },
    )
    settings = load_stack_settings(path)
    graphs = metric_widgets(settings)
    shown = {name for widget in graphs.values() for name in metrics_named(widget)}
    assert {"NewFlowCount", "ActiveFlowCount", "TCP_Target_Reset_Count"} <= shown
    assert not shown & {"RequestCount", "TargetResponseTime", "HTTPCode_ELB_5XX_Count"}
    assert {m[0] for m in graphs["Hosts"]["properties"]["metrics"]} == {"AWS/NetworkELB"}


def test_blocked_requests_are_graphed_only_behind_waf(prod_settings):
    assert "Requests blocked by AWS WAF" in metric_widgets(prod_settings)
    dev = load_stack_settings(stack_file("dev"))
    assert not any("BlockedRequests" in metrics_named(w) for w in metric_widgets(dev).values())
