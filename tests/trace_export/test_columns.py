"""tools/trace_export/columns.py: which CloudWatch metric becomes which column of an exported
trace, queried as GetMetricData takes it."""

from __future__ import annotations

import yaml

from tests.support.fragments import SQS_BACKLOG
from tools.simulator import DERIVED_METRICS, NodeModel, Trace
from tools.simulator.model import MetricCatalog
from tools.stack_files import load_stack, stack_file
from tools.trace_export import trace_columns

GROUP, LOAD_BALANCER = "shop-nodes-group-1a2b3c", "app/shop-prod-lb/50dc6c495c0c9188"


def test_prod_exports_requests_and_the_run_queue_its_step_policy_watches():
    columns = trace_columns(load_stack(stack_file("prod")).settings)
    demand, queue = columns
    assert len(columns) == 2
    assert demand.query("c0", GROUP, LOAD_BALANCER, 60) == {
        "Id": "c0",
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ApplicationELB",
                "MetricName": "RequestCount",
                "Dimensions": [{"Name": "LoadBalancer", "Value": LOAD_BALANCER}],
            },
            "Period": 60,
            "Stat": "Sum",
        },
    }
    assert (demand.name, demand.counts, demand.divisor) == ("requests_per_second", True, 60)
    assert queue.query("c1", GROUP, LOAD_BALANCER, 60)["MetricStat"] == {
        "Metric": {
            "Namespace": "Elixir/BEAM",
            "MetricName": "TotalRunQueueLength",
            "Dimensions": [{"Name": "AutoScalingGroupName", "Value": GROUP}],
        },
        "Period": 60,
        "Stat": "Average",
    }
    assert (queue.name, queue.counts, queue.divisor) == ("TotalRunQueueLength", False, 1)


def test_what_the_simulator_derives_is_not_exported_and_the_rest_once_with_its_own_dimensions(tmp_path):
    path = tmp_path / "Pulumi.metrics.yaml"
    scaling = {
        "targetTracking": [
            {"metric": "cpu", "target": 50},
            {"metric": "schedulerUtilization", "target": 70},
            {"metric": "memory", "target": 80},
            {"metric": "requestsPerTarget", "target": 1000},
        ],
        "step": [SQS_BACKLOG, {**SQS_BACKLOG, "name": "backlog-again", "threshold": 2000}],
    }
    config = {
        "aws:region": "eu-west-1",
        "elixir-cluster:cluster": {"name": "shop", "environment": "dev"},
        "elixir-cluster:release": {"artifact": "s3://shop-releases/shop-1.0.0.tar.gz"},
        "elixir-cluster:nodes": {"minSize": 1, "maxSize": 4},
        "elixir-cluster:scaling": scaling,
    }
    path.write_text(yaml.safe_dump({"config": config}))
    columns = trace_columns(load_stack(path).settings)
    assert [column.name for column in columns] == [
        "requests_per_second",
        "mem_used_percent",
        "ApproximateNumberOfMessagesVisible",
    ]
    backlog = columns[2].query("c2", GROUP, LOAD_BALANCER, 60)["MetricStat"]
    assert backlog["Metric"]["Dimensions"] == [{"Name": "QueueName", "Value": "shop-jobs"}]  # not per group
    assert backlog["Stat"] == "Maximum"


def test_the_metrics_left_out_are_those_the_simulator_derives_from_demand():
    catalog = MetricCatalog(Trace([1.0]), NodeModel(node_rps=25, boot_minutes=2))
    assert {
        "ASGAverageCPUUtilization",
        "CPUUtilization",
        "ALBRequestCountPerTarget",
        "RequestCountPerTarget",
        "SchedulerUtilization",
    } == DERIVED_METRICS
    assert all(catalog.is_derived(name) for name in DERIVED_METRICS)
    assert not catalog.is_derived("TotalRunQueueLength")
