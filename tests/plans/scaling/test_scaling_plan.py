"""The whole scaling plan of a stack: one plan per entry of the `scaling` section, in its order."""

from __future__ import annotations

from components.plans.scaling import scaling_plan


def test_a_stack_without_a_scaling_section_tracks_cpu_alone(settings):
    plan = scaling_plan(settings())
    assert [t.name for t in plan.target_tracking] == ["shop-dev-track-cpu"]
    assert (plan.step, plan.schedules, plan.predictive) == ((), (), None)


def test_every_entry_has_its_plan_in_the_order_of_the_stack_file(settings):
    scaling = {
        "targetTracking": [{"metric": "schedulerUtilization", "target": 70}, {"metric": "cpu", "target": 80}],
        "step": [
            {
                "name": "run-queue",
                "metric": {"namespace": "Elixir/BEAM", "name": "TotalRunQueueLength"},
                "threshold": 50,
                "comparison": "GreaterThanThreshold",
                "steps": [{"from": 0, "change": 1}],
            }
        ],
        "schedules": [
            {"name": "weekday-morning", "cron": "0 7 * * MON-FRI", "minSize": 2},
            {"name": "weekday-evening", "cron": "0 21 * * MON-FRI", "minSize": 1},
        ],
        "predictive": {"metric": "cpu"},
    }
    plan = scaling_plan(settings(nodes={"minSize": 1, "maxSize": 4}, scaling=scaling))
    assert [t.role for t in plan.target_tracking] == ["track-schedulerUtilization", "track-cpu"]
    assert [(s.policy.name, s.alarm.name) for s in plan.step] == [
        ("shop-dev-step-run-queue", "shop-dev-step-run-queue")
    ]
    assert [s.name for s in plan.schedules] == ["shop-dev-weekday-morning", "shop-dev-weekday-evening"]
    assert plan.predictive.name == "shop-dev-predictive"
