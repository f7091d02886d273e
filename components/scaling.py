"""Scaling: how the node group follows load, from the `scaling` section of the settings.

- Target tracking (`scale_on_cpu`, `scale_on_requests_per_target`, `scale_on_memory`,
  `scale_on_scheduler_utilization`, `scale_on_custom`): AWS creates and owns the alarms.
  CPU and request count are AWS's predefined metrics; memory and scheduler utilisation are
  customized metric specifications on what the CloudWatch agent publishes in
  METRICS_NAMESPACE, aggregated by AutoScalingGroupName (see plans/cloudwatch_agent.py).
- Step scaling (`scale_on_alarm`): a policy and the CloudWatch alarm whose one action is it.
- Schedules (`scale_on_schedule`): recurring size changes in the schedule's time zone.
- Predictive scaling (`scale_on_forecast`): forecast only unless the settings say otherwise.

Every `scale_on_*` method returns what it created. Names come from components/plans/names.py,
so tools can find these resources from the stack file alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .plans import names
from .plans.scaling import (
    PREDICTIVE,
    STEP,
    STEP_ALARM_MISSING_DATA,
    TARGET_TRACKING,
    scheduled_size,
    step_aggregation,
    step_bound,
)
from .settings import (
    PREDEFINED_TARGET_METRICS,
    PREDICTIVE_METRIC_PAIRS,
    ScheduleSettings,
    StackSettings,
    StepPolicySettings,
)
from .settings import TargetTrackingSettings as TrackingSettings


@dataclass
class ScalingArgs:
    settings: StackSettings
    """The stack settings: the `scaling` section, sizes, the load balancer type."""
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
        scaling = args.settings.scaling
        policies = [self.track(tracking) for tracking in scaling.target_tracking]
        alarms = []
        for step in scaling.step:
            policy, alarm = self.scale_on_alarm(step)
            policies.append(policy)
            alarms.append(alarm)
        for schedule in scaling.schedules:
            self.scale_on_schedule(schedule)
        if scaling.predictive is not None:
            policies.append(self.scale_on_forecast())
        self.policy_arns = pulumi.Output.all(*[p.arn for p in policies])
        self.step_alarm_arns = pulumi.Output.all(*[a.arn for a in alarms])
        self.register_outputs({"policyArns": self.policy_arns, "stepAlarmArns": self.step_alarm_arns})

    # --- target tracking ---------------------------------------------------------------

    def track(self, tracking: TrackingSettings) -> aws.autoscaling.Policy:
        """The target tracking policy for one `targetTracking` entry, by its metric."""
        verbs = {
            "cpu": self.scale_on_cpu,
            "requestsPerTarget": self.scale_on_requests_per_target,
            "memory": self.scale_on_memory,
            "schedulerUtilization": self.scale_on_scheduler_utilization,
            "custom": self.scale_on_custom,
        }
        return verbs[tracking.metric](tracking)

    def scale_on_cpu(self, tracking: TrackingSettings) -> aws.autoscaling.Policy:
        """OS CPU across the group. On the BEAM it overstates load: idle schedulers busy-wait."""
        return self._predefined(tracking, resource_label=None)

    def scale_on_requests_per_target(self, tracking: TrackingSettings) -> aws.autoscaling.Policy:
        """ALB requests per node per minute; the label names this load balancer and target group."""
        if self._args.settings.load_balancer.type != "application":
            raise ValueError("requestsPerTarget needs an application load balancer: AWS counts requests on ALBs only")
        return self._predefined(tracking, resource_label=self._request_count_label())

    def scale_on_memory(self, tracking: TrackingSettings) -> aws.autoscaling.Policy:
        """The CloudWatch agent's mem_used_percent, averaged over the group."""
        return self._customized(tracking)

    def scale_on_scheduler_utilization(self, tracking: TrackingSettings) -> aws.autoscaling.Policy:
        """The BEAM's own measure of busy schedulers (busy-waiting excluded), from the release's StatsD."""
        return self._customized(tracking)

    def scale_on_custom(self, tracking: TrackingSettings) -> aws.autoscaling.Policy:
        """Any CloudWatch metric, dimensioned by the group (plus the settings' extra dimensions)."""
        return self._customized(tracking)

    def _predefined(self, tracking: TrackingSettings, resource_label: pulumi.Input[str] | None):
        metric = aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
            predefined_metric_type=PREDEFINED_TARGET_METRICS[tracking.metric], resource_label=resource_label
        )
        return self._target_tracking(tracking, predefined_metric_specification=metric)

    def _customized(self, tracking: TrackingSettings) -> aws.autoscaling.Policy:
        spec = tracking.customized_metric()
        metric = aws.autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationArgs(
            namespace=spec.namespace,
            metric_name=spec.name,
            statistic=spec.statistic,
            metric_dimensions=[
                aws.autoscaling.PolicyTargetTrackingConfigurationCustomizedMetricSpecificationMetricDimensionArgs(
                    name=key, value=value
                )
                for key, value in spec.all_dimensions(self._args.group_name).items()
            ],
        )
        return self._target_tracking(tracking, customized_metric_specification=metric)

    def _target_tracking(self, tracking: TrackingSettings, **metric) -> aws.autoscaling.Policy:
        settings = self._args.settings
        return aws.autoscaling.Policy(
            self._child_name(f"track-{_logical(names.target_tracking_policy_name(settings, tracking), settings)}"),
            name=names.target_tracking_policy_name(settings, tracking),
            autoscaling_group_name=self._args.group_name,
            policy_type=TARGET_TRACKING,
            estimated_instance_warmup=tracking.warmup,
            target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                target_value=tracking.target, disable_scale_in=tracking.disable_scale_in, **metric
            ),
            opts=self._child(),
        )

    # --- step scaling ------------------------------------------------------------------

    def scale_on_alarm(self, step: StepPolicySettings) -> tuple[aws.autoscaling.Policy, aws.cloudwatch.MetricAlarm]:
        """A step policy and its own alarm, whose alarm action is the policy."""
        settings = self._args.settings
        policy = aws.autoscaling.Policy(
            self._child_name(f"step-{step.name}"),
            name=names.step_policy_name(settings, step),
            autoscaling_group_name=self._args.group_name,
            policy_type=STEP,
            adjustment_type=step.adjustment_type,
            min_adjustment_magnitude=step.min_adjustment_magnitude,
            metric_aggregation_type=step_aggregation(step),
            estimated_instance_warmup=step.warmup,
            step_adjustments=[
                aws.autoscaling.PolicyStepAdjustmentArgs(
                    scaling_adjustment=s.change,
                    # the provider carries the bounds as strings; absent means unbounded
                    metric_interval_lower_bound=step_bound(s.from_),
                    metric_interval_upper_bound=step_bound(s.to),
                )
                for s in step.steps_in_order()
            ],
            opts=self._child(),
        )
        direction = "out" if step.scales_out else "in"
        alarm = aws.cloudwatch.MetricAlarm(
            self._child_name(f"step-{step.name}-alarm"),
            name=names.step_alarm_name(settings, step),
            alarm_description=f"Scales {settings.qualified_name} {direction} by the step policy {step.name}.",
            namespace=step.metric.namespace,
            metric_name=step.metric.name,
            statistic=step.metric.statistic,
            dimensions=step.metric.all_dimensions(self._args.group_name),
            period=step.period,
            evaluation_periods=step.evaluation_periods,
            datapoints_to_alarm=step.datapoints_to_alarm,
            threshold=step.threshold,
            comparison_operator=step.comparison,
            treat_missing_data=STEP_ALARM_MISSING_DATA,
            alarm_actions=[policy.arn],
            tags=self._tags(f"step-{step.name}"),
            opts=self._child(),
        )
        return policy, alarm

    # --- schedules ---------------------------------------------------------------------

    def scale_on_schedule(self, schedule: ScheduleSettings) -> aws.autoscaling.Schedule:
        """A recurring scheduled action; sizes the schedule leaves out stay as they are."""
        return aws.autoscaling.Schedule(
            self._child_name(f"schedule-{schedule.name}"),
            scheduled_action_name=names.scheduled_action_name(self._args.settings, schedule),
            autoscaling_group_name=self._args.group_name,
            recurrence=schedule.cron,
            time_zone=schedule.timezone,
            min_size=scheduled_size(schedule.min_size),
            max_size=scheduled_size(schedule.max_size),
            desired_capacity=scheduled_size(schedule.desired_capacity),
            opts=self._child(),
        )

    # --- predictive ----------------------------------------------------------------------

    def scale_on_forecast(self) -> aws.autoscaling.Policy:
        """Predictive scaling on AWS's metric pair (load and capacity) for the configured metric."""
        settings = self._args.settings
        predictive = settings.scaling.predictive
        label = self._request_count_label() if predictive.metric == "requestsPerTarget" else None
        return aws.autoscaling.Policy(
            self._child_name("predictive"),
            name=names.predictive_policy_name(settings),
            autoscaling_group_name=self._args.group_name,
            policy_type=PREDICTIVE,
            predictive_scaling_configuration=aws.autoscaling.PolicyPredictiveScalingConfigurationArgs(
                mode=predictive.mode,
                scheduling_buffer_time=str(predictive.scheduling_buffer_time),
                max_capacity_breach_behavior=predictive.max_capacity_breach_behavior,
                metric_specification=aws.autoscaling.PolicyPredictiveScalingConfigurationMetricSpecificationArgs(
                    target_value=predictive.target,
                    predefined_metric_pair_specification=aws.autoscaling.PolicyPredictiveScalingConfigurationMetricSpecificationPredefinedMetricPairSpecificationArgs(
                        predefined_metric_type=PREDICTIVE_METRIC_PAIRS[predictive.metric], resource_label=label
                    ),
                ),
            ),
            opts=self._child(),
        )

    # --- shared ----------------------------------------------------------------------------

    def _request_count_label(self) -> pulumi.Output[str]:
        """`app/<lb>/<id>/targetgroup/<tg>/<id>`: AWS's resource label for request counts."""
        return pulumi.Output.concat(self._args.load_balancer_arn_suffix, "/", self._args.target_group_arn_suffix)


def _logical(policy_name: str, settings: StackSettings) -> str:
    """The policy name without the cluster prefix and role: `cpu`, `custom-elixir-beam-foo`."""
    return policy_name.removeprefix(f"{settings.qualified_name}-track-")
