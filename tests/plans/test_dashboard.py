"""components/plans/dashboard.py, a pure renderer: what the dashboard shows, without Pulumi or moto."""

from __future__ import annotations

import json

import pytest

from components.plans.dashboard import DashboardNames, dashboard_plan
from tests.support.stacks import write_variant
from tools.stack_files import load_stack_settings, stack_file

NAMES = DashboardNames(
    group_name="shop-nodes-group-abc1234",
    load_balancer="app/shop-lb-alb-abc1234/0123456789abcdef",
    target_group="targetgroup/shop-lb-targets-abc1234/fedcba9876543210",
    alarm_arns=("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-prod-p99-latency",),
)


def widgets(settings, names=NAMES) -> list[dict]:
    return json.loads(dashboard_plan(settings).body(names))["widgets"]


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
        assert properties["region"] == "eu-west-1"
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

    def lines(title: str) -> list[tuple[str, float]]:
        return [(line["label"], line["value"]) for line in graphs[title]["properties"]["annotations"]["horizontal"]]

    # prod: latencyP99Ms 500, schedulerUtilization target 70, the run-queue step at 50, minSize 3
    assert lines("Target response time (s)") == [("p99 alarm (500 ms)", 0.5)]
    assert lines("BEAM scheduler utilisation (%)") == [("target (70)", 70)]
    assert lines("BEAM run queue length") == [("step run-queue (50)", 50)]
    assert lines("Hosts") == [("minSize", 3)]
    assert lines("Requests blocked by AWS WAF") == [("alarm (100 a minute)", 100)]
    assert "annotations" not in graphs["CPU (%)"]["properties"]  # prod tracks requests and the BEAM, not CPU


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
    no_alarms = DashboardNames(NAMES.group_name, NAMES.load_balancer, NAMES.target_group)
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


def test_a_cpu_target_is_drawn_on_the_cpu_graph():
    dev = metric_widgets(load_stack_settings(stack_file("dev")))  # dev tracks cpu at 60
    assert dev["CPU (%)"]["properties"]["annotations"]["horizontal"] == [{"label": "target (60)", "value": 60}]
