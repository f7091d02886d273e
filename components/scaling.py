"""Scaling: how the node group follows load, declared from the scaling plans.

- Target tracking (`scale_on_cpu`, `scale_on_requests_per_target`, `scale_on_memory`,
  `scale_on_scheduler_utilization`, `scale_on_custom`): AWS creates and owns the alarms.
  CPU and request count are AWS's predefined metrics; memory and scheduler utilisation are
  customized metric specifications on what the CloudWatch agent publishes in
  METRICS_NAMESPACE, aggregated by AutoScalingGroupName (see plans/cloudwatch_agent.py).
- Step scaling (`scale_on_alarm`): a policy and the CloudWatch alarm whose one action is it.
- Schedules (`scale_on_schedule`): recurring size changes in the schedule's time zone.
- Predictive scaling (`scale_on_forecast`): forecast only unless the settings say otherwise.

Every `scale_on_*` method returns what it created. What each declares, names included, is
in components/plans/scaling/, which `tools.verify` reads too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .plans.scaling import (
    PredictivePlan,
    ScalingPlan,
    ScheduledActionPlan,
    StepPlan,
    TargetTrackingPlan,
    provider_bound,
    provider_size,
    request_count_label,
)


@dataclass
class ScalingArgs:
    plan: ScalingPlan
    """What to declare: `components.plans.scaling.scaling_plan(settings)`."""
    group_name: pulumi.Input[str]
    """The Auto Scaling group the policies and schedules act on."""
    load_balancer_arn_suffix: pulumi.Input[str]
    """`app/<name>/<id>`: first half of the request-count resource label."""
    target_group_arn_suffix: pulumi.Input[str]
    """`targetgroup/<name>/<id>`: second half of the request-count resource label."""
    tags: dict[str, str] = field(default_factory=dict)


class Scaling(ClusterComponent):
    TOKEN = "elixir-cluster:index:Scaling"

    policy_arns: pulumi.Output[list[str]]
    """Every scaling policy on the group (target tracking, step, predictive)."""
    step_alarm_arns: pulumi.Output[list[str]]
    """The alarms that drive the step policies."""

    def __init__(self, name: str, args: ScalingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        self._args = args
        plan = args.plan
        policies = [self.track(tracking) for tracking in plan.target_tracking]
        alarms = []
        for step in plan.step:
            policy, alarm = self.scale_on_alarm(step)
            policies.append(policy)
            alarms.append(alarm)
        for schedule in plan.schedules:
            self.scale_on_schedule(schedule)
        if plan.predictive is not None:
            policies.append(self.scale_on_forecast(plan.predictive))
        self.policy_arns = pulumi.Output.all(*[p.arn for p in policies])
        self.step_alarm_arns = pulumi.Output.all(*[a.arn for a in alarms])
        self.register_outputs({"policyArns": self.policy_arns, "stepAlarmArns": self.step_alarm_arns})

    # --- target tracking ---------------------------------------------------------------

    def track(self, tracking: TargetTrackingPlan) -> aws.autoscaling.Policy:
        """The target tracking policy for one `targetTracking` entry, by its metric."""
        verbs = {
            "cpu": self.scale_on_cpu,
            "requestsPerTarget": self.scale_on_requests_per_target,
            "memory": self.scale_on_memory,
            "schedulerUtilization": self.scale_on_scheduler_utilization,
            "custom": self.scale_on_custom,
        }
        return verbs[tracking.metric](tracking)

    def scale_on_cpu(self, tracking: TargetTrackingPlan) -> aws.autoscaling.Policy:
        """OS CPU across the group. On the BEAM it overstates load: idle schedulers busy-wait."""
        return self._predefined(tracking)

    def scale_on_requests_per_target(self, tracking: TargetTrackingPlan) -> aws.autoscaling.Policy:
        """ALB requests per node per minute; the label names this load balancer and target group."""
        return self._predefined(tracking)

    def scale_on_memory(self, tracking: TargetTrackingPlan) -> aws.autoscaling.Policy:
        """The CloudWatch agent's mem_used_percent, averaged over the group."""
        return self._customized(tracking)

    def scale_on_scheduler_utilization(self, tracking: TargetTrackingPlan) -> aws.autoscaling.Policy:
        """The BEAM's own measure of busy schedulers (busy-waiting excluded), from the release's StatsD."""
        return self._customized(tracking)

    def scale_on_custom(self, tracking: TargetTrackingPlan) -> aws.autoscaling.Policy:
        """Any CloudWatch metric, dimensioned by the group (plus the settings' extra dimensions)."""
        return self._customized(tracking)

    def _predefined(self, tracking: TargetTrackingPlan) -> aws.autoscaling.Policy:
        metric = aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
            predefined_metric_type=tracking.predefined_metric_type,
            resource_label=self._request_count_label() if tracking.counts_requests else None,
        )
        return self._target_tracking(tracking, predefined_metric_specification=metric)

    def _customized(self, tracking: TargetTrackingPlan) -> aws.autoscaling.Policy:
        spec = tracking.customized_metric
        metric = aws.autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationArgs(
            namespace=spec.namespace,
            metric_name=spec.name,
            statistic=spec.statistic,
            metric_dimensions=[
                aws.autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricDimensionArgs(
                    name=key, value=value
                )
                for key, value in spec.dimensions_for(self._args.group_name).items()
            ],
        )
        return self._target_tracking(tracking, customized_metric_specification=metric)

    def _target_tracking(self, tracking: TargetTrackingPlan, **metric) -> aws.autoscaling.Policy:
        return aws.autoscaling.Policy(
            self._child_name(tracking.role),
            name=tracking.name,
            autoscaling_group_name=self._args.group_name,
            policy_type=tracking.policy_type,
            estimated_instance_warmup=tracking.warmup,
            target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                target_value=tracking.target, disable_scale_in=tracking.disable_scale_in, **metric
            ),
            opts=self._child(),
        )

    # --- step scaling ------------------------------------------------------------------

    def scale_on_alarm(self, step: StepPlan) -> tuple[aws.autoscaling.Policy, aws.cloudwatch.MetricAlarm]:
        """A step policy and its own alarm, whose alarm action is the policy."""
        declared = step.policy
        policy = aws.autoscaling.Policy(
            self._child_name(declared.role),
            name=declared.name,
            autoscaling_group_name=self._args.group_name,
            policy_type=declared.policy_type,
            adjustment_type=declared.adjustment_type,
            min_adjustment_magnitude=declared.min_adjustment_magnitude,
            metric_aggregation_type=declared.metric_aggregation_type,
            estimated_instance_warmup=declared.warmup,
            step_adjustments=[
                aws.autoscaling.PolicyStepAdjustmentArgs(
                    scaling_adjustment=s.change,
                    metric_interval_lower_bound=provider_bound(s.lower),
                    metric_interval_upper_bound=provider_bound(s.upper),
                )
                for s in declared.adjustments
            ],
            opts=self._child(),
        )
        alarm = step.alarm
        metric_alarm = aws.cloudwatch.MetricAlarm(
            self._child_name(alarm.role),
            name=alarm.name,
            alarm_description=alarm.description,
            namespace=alarm.metric.namespace,
            metric_name=alarm.metric.name,
            statistic=alarm.metric.statistic,
            dimensions=alarm.metric.dimensions_for(self._args.group_name),
            period=alarm.period,
            evaluation_periods=alarm.evaluation_periods,
            datapoints_to_alarm=alarm.datapoints_to_alarm,
            threshold=alarm.threshold,
            comparison_operator=alarm.comparison,
            treat_missing_data=alarm.treat_missing_data,
            alarm_actions=[policy.arn],
            tags=self._tags(declared.role),
            opts=self._child(),
        )
        return policy, metric_alarm

    # --- schedules ---------------------------------------------------------------------

    def scale_on_schedule(self, schedule: ScheduledActionPlan) -> aws.autoscaling.Schedule:
        """A recurring scheduled action; sizes the schedule leaves out stay as they are."""
        return aws.autoscaling.Schedule(
            self._child_name(schedule.role),
            scheduled_action_name=schedule.name,
            autoscaling_group_name=self._args.group_name,
            recurrence=schedule.recurrence,
            time_zone=schedule.time_zone,
            min_size=provider_size(schedule.min_size),
            max_size=provider_size(schedule.max_size),
            desired_capacity=provider_size(schedule.desired_capacity),
            opts=self._child(),
        )

    # --- predictive ----------------------------------------------------------------------

    def scale_on_forecast(self, forecast: PredictivePlan) -> aws.autoscaling.Policy:
        """Predictive scaling on AWS's metric pair (load and capacity) for the configured metric."""
        buffer = forecast.max_capacity_buffer
        return aws.autoscaling.Policy(
            self._child_name(forecast.role),
            name=forecast.name,
            autoscaling_group_name=self._args.group_name,
            policy_type=forecast.policy_type,
            predictive_scaling_configuration=aws.autoscaling.PolicyPredictiveScalingConfigurationArgs(
                mode=forecast.mode,
                # the provider carries both buffers as strings
                scheduling_buffer_time=str(forecast.scheduling_buffer_time),
                max_capacity_breach_behavior=forecast.max_capacity_breach_behavior,
                max_capacity_buffer=None if buffer is None else str(buffer),
                metric_specification=aws.autoscaling.PolicyPredictiveScalingConfigurationMetricSpecificationArgs(
                    target_value=forecast.target,
                    predefined_metric_pair_specification=aws.autoscaling.PolicyPredictiveScalingConfigurationMetricSpecificationPredefinedMetricPairSpecificationArgs(
                        predefined_metric_type=forecast.metric_pair,
                        resource_label=self._request_count_label() if forecast.counts_requests else None,
                    ),
                ),
            ),
            opts=self._child(),
        )

    # --- shared ----------------------------------------------------------------------------

    def _request_count_label(self) -> pulumi.Output[str]:
        """`app/<lb>/<id>/targetgroup/<tg>/<id>`: AWS's resource label for request counts."""
        parts = pulumi.Output.all(self._args.load_balancer_arn_suffix, self._args.target_group_arn_suffix)
        return parts.apply(lambda suffixes: request_count_label(*suffixes))
