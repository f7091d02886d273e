"""The predictive plan: AWS's metric pair, the buffers and the maximum capacity."""

from __future__ import annotations

from components.plans.scaling import scaling_plan

LABEL = "app/shop-lb-alb-4edc858/32f9f6a8f34ffc28/targetgroup/shop-lb-targets-b4986a1/03f77d614faf45c2"


def _forecast(settings, predictive):
    return scaling_plan(settings(scaling={"predictive": predictive})).predictive


def test_a_request_count_forecast_names_its_target_group_and_honours_max_size(settings):
    forecast = _forecast(
        settings, {"mode": "ForecastOnly", "metric": "requestsPerTarget", "target": 1000, "schedulingBufferTime": 300}
    )
    assert (forecast.role, forecast.policy_type) == ("predictive", "PredictiveScaling")
    assert forecast.described(LABEL) == {
        "PolicyName": "shop-dev-predictive",
        "PolicyType": "PredictiveScaling",
        "PredictiveScalingConfiguration": {
            "MetricSpecifications": [
                {
                    "TargetValue": 1000.0,
                    "PredefinedMetricPairSpecification": {
                        "PredefinedMetricType": "ALBRequestCount",
                        "ResourceLabel": LABEL,
                    },
                }
            ],
            "Mode": "ForecastOnly",
            "SchedulingBufferTime": 300,
            "MaxCapacityBreachBehavior": "HonorMaxCapacity",
            "MaxCapacityBuffer": None,  # AWS refuses a buffer while the maximum holds
        },
    }


def test_a_forecast_that_may_raise_the_maximum_carries_the_buffer_aws_requires(settings):
    forecast = _forecast(
        settings,
        {"mode": "ForecastAndScale", "metric": "cpu", "target": 50, "maxCapacityBreachBehavior": "IncreaseMaxCapacity"},
    )
    config = forecast.described(LABEL)["PredictiveScalingConfiguration"]
    assert (config["MaxCapacityBreachBehavior"], config["MaxCapacityBuffer"]) == ("IncreaseMaxCapacity", 0)
    assert config["MetricSpecifications"] == [
        {
            "TargetValue": 50.0,
            "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ASGCPUUtilization", "ResourceLabel": None},
        }
    ]
    assert (config["Mode"], config["SchedulingBufferTime"]) == ("ForecastAndScale", 120)  # the default buffer


def test_without_a_predictive_section_there_is_no_forecast(settings):
    assert scaling_plan(settings()).predictive is None
