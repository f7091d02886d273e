"""Target tracking plans as PutScalingPolicy takes them and DescribePolicies reports them."""

from __future__ import annotations

from components.plans.scaling import scaling_plan, tracked_metric_name
from tests.support.scaling import BUSY_WORKERS

LABEL = "app/shop-lb-alb-4edc858/32f9f6a8f34ffc28/targetgroup/shop-lb-targets-b4986a1/03f77d614faf45c2"


def _tracking(settings, *entries):
    return scaling_plan(settings(scaling={"targetTracking": list(entries)})).target_tracking


def test_cpu_is_awss_predefined_metric_without_a_resource_label(settings):
    [cpu] = _tracking(settings, {"metric": "cpu", "target": 60})
    assert (cpu.role, cpu.policy_type, cpu.counts_requests) == ("track-cpu", "TargetTrackingScaling", False)
    # a label on offer is not a label the policy uses: only request counts name a target group
    assert cpu.described("shop-nodes-group-cc8e426", LABEL) == {
        "PolicyName": "shop-dev-track-cpu",
        "PolicyType": "TargetTrackingScaling",
        "EstimatedInstanceWarmup": 120,
        "TargetTrackingConfiguration": {
            "TargetValue": 60.0,
            "DisableScaleIn": False,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ASGAverageCPUUtilization",
                "ResourceLabel": None,
            },
        },
    }


def test_request_count_names_the_load_balancer_and_target_group_it_counts(settings):
    [requests] = _tracking(settings, {"metric": "requestsPerTarget", "target": 1000, "warmup": 180})
    assert (requests.role, requests.counts_requests) == ("track-requestsPerTarget", True)
    assert requests.described("shop-nodes-group-cc8e426", LABEL) == {
        "PolicyName": "shop-dev-track-requestsPerTarget",
        "PolicyType": "TargetTrackingScaling",
        "EstimatedInstanceWarmup": 180,
        "TargetTrackingConfiguration": {
            "TargetValue": 1000.0,
            "DisableScaleIn": False,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget",
                "ResourceLabel": LABEL,
            },
        },
    }


def test_memory_and_scheduler_utilisation_are_the_agents_metrics_averaged_over_the_group(settings):
    memory, scheduler = _tracking(
        settings, {"metric": "memory", "target": 75}, {"metric": "schedulerUtilization", "target": 70}
    )
    group = [{"Name": "AutoScalingGroupName", "Value": "shop-nodes-group-cc8e426"}]
    assert memory.described("shop-nodes-group-cc8e426")["TargetTrackingConfiguration"] == {
        "TargetValue": 75.0,
        "DisableScaleIn": False,
        "CustomizedMetricSpecification": {
            "Namespace": "Elixir/BEAM",
            "MetricName": "mem_used_percent",
            "Dimensions": group,
            "Statistic": "Average",
        },
    }
    spec = scheduler.described("shop-nodes-group-cc8e426")["TargetTrackingConfiguration"][
        "CustomizedMetricSpecification"
    ]
    assert spec == {
        "Namespace": "Elixir/BEAM",
        "MetricName": "SchedulerUtilization",
        "Dimensions": group,
        "Statistic": "Average",
    }
    assert (memory.role, scheduler.role) == ("track-memory", "track-schedulerUtilization")


def test_a_custom_metric_keeps_its_statistic_and_its_dimensions_after_the_groups(settings):
    [custom] = _tracking(settings, BUSY_WORKERS)
    assert custom.name.startswith("shop-dev-track-custom-shop-jobs-busyworkerspercent-")
    assert custom.role == custom.name.removeprefix("shop-dev-")
    assert custom.described("shop-nodes-group-cc8e426") == {
        "PolicyName": custom.name,
        "PolicyType": "TargetTrackingScaling",
        "EstimatedInstanceWarmup": 300,
        "TargetTrackingConfiguration": {
            "TargetValue": 70.0,
            "DisableScaleIn": True,
            "CustomizedMetricSpecification": {
                "Namespace": "Shop/Jobs",
                "MetricName": "BusyWorkersPercent",
                "Dimensions": [
                    {"Name": "AutoScalingGroupName", "Value": "shop-nodes-group-cc8e426"},
                    {"Name": "Queue", "Value": "mailers"},
                ],
                "Statistic": "Maximum",
            },
        },
    }


def test_the_group_name_is_a_parameter_the_component_fills_with_its_output(settings):
    [custom] = _tracking(settings, BUSY_WORKERS)
    output = object()  # stands for the Pulumi output of the group's name
    assert custom.customized_metric.dimensions_for(output) == {"AutoScalingGroupName": output, "Queue": "mailers"}


def test_the_metric_each_entry_tracks_is_the_one_the_policy_declares(settings):
    entries = [{"metric": "cpu", "target": 60}, {"metric": "requestsPerTarget", "target": 1000}]
    entries += [{"metric": "memory", "target": 75}, {"metric": "schedulerUtilization", "target": 70}, BUSY_WORKERS]
    loaded = settings(scaling={"targetTracking": entries}).scaling.target_tracking
    expected = [
        "ASGAverageCPUUtilization",
        "ALBRequestCountPerTarget",
        "mem_used_percent",
        "SchedulerUtilization",
        "BusyWorkersPercent",
    ]
    assert [tracked_metric_name(t) for t in loaded] == expected
    assert [p.metric_name for p in _tracking(settings, *entries)] == expected
