"""NodeGroup: the Elixir nodes, what they start from, and how they leave; declared from the
node group's plan (plans/node_group.py) alone.

- The launch template: IMDSv2 only, instance metadata tags on (the drain agent and the
  CloudWatch agent read the group's name from them), an encrypted gp3 root volume, the node
  security group plus `extraSecurityGroupIds`, the node role's instance profile, and the user
  data `plans/user_data.py` renders.
- The Auto Scaling group in the private subnets: attached to the target group (through
  `targetGroupArns` only), replacing nodes the load balancer finds unhealthy after the
  grace period, rolled by instance refresh whenever the launch template changes (it is
  referenced by its latest version number, never `$Latest`, or no refresh would start),
  spot or several instance types through a mixed instances policy, every group metric
  on, tags propagated to the instances (discovery reads them). `desiredCapacity` is set
  at creation only: afterwards scaling owns it and `pulumi up` never resets it.
- The instance refresh's preferences, exactly as the plan has them (checkpoints, the alarms
  that fail it, skip matching, protected and standby nodes): the provider sends them with the
  refresh it starts after updating the group.
- A launch lifecycle hook that holds a new node out of the load balancer until the bootstrap
  has seen its release serve and join the cluster (CONTINUE), or gives up (ABANDON). It is a
  resource of its own, not an initial hook of the group: the nodes' permission to complete it
  names the group (NodeRole.allow_lifecycle_actions), so the group's first nodes, launched
  before that permission exists, must not wait for it.
- A termination lifecycle hook that holds a leaving node until the drain agent has let
  the load balancer drain and stopped the release (or until the heartbeat runs out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .plans.discovery import DISCOVERY_SERVICE_TAG_KEY
from .plans.launch_template import LaunchTemplatePlan
from .plans.lifecycle_hooks import LifecycleHookPlan
from .plans.node_group import GroupPlan, MixedInstances, NodeGroupPlan, RefreshPreferences


@dataclass
class NodeGroupArgs:
    plan: NodeGroupPlan
    """The group, its launch template (with the rendered user data) and its launch and drain hooks."""
    private_subnet_ids: pulumi.Input[list[str]]
    """Where the nodes run, one subnet per zone."""
    security_group_id: pulumi.Input[str]
    """ClusterSecurity's node security group: the app port from the load balancer, distribution between nodes."""
    target_group_arn: pulumi.Input[str]
    """The load balancer's target group the nodes register in."""
    instance_profile_arn: pulumi.Input[str]
    """The node role's instance profile."""
    launch_after: Sequence[pulumi.Resource] = ()
    """What a node needs before it starts: the role's permissions, the cookie."""
    discovery_service_id: pulumi.Input[str] | None = None
    """The Cloud Map service nodes register in (discovery: dns), else None."""
    tags: dict[str, str] = field(default_factory=dict)


class NodeGroup(ClusterComponent):
    TOKEN = "elixir-cluster:index:NodeGroup"

    group_name: pulumi.Output[str]
    """The Auto Scaling group's name: scaling policies, alarms and dashboards refer to it."""
    group_arn: pulumi.Output[str]
    """The Auto Scaling group's ARN."""
    launch_template_id: pulumi.Output[str]
    """The launch template every node starts from."""

    def __init__(self, name: str, args: NodeGroupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        self._args = args
        template = self._launch_template(args.plan.template)
        group = self._group(args.plan.group, template)
        self._hook("join", args.plan.launch_hook, group)
        self._hook("drain", args.plan.drain_hook, group)
        self.group_name = group.name
        self.group_arn = group.arn
        self.launch_template_id = template.id
        self.register_outputs(
            {"groupName": self.group_name, "groupArn": self.group_arn, "launchTemplateId": self.launch_template_id}
        )

    def _hook(self, role: str, hook: LifecycleHookPlan, group: aws.autoscaling.Group) -> None:
        aws.autoscaling.LifecycleHook(
            self._child_name(role),
            name=hook.name,
            autoscaling_group_name=group.name,
            lifecycle_transition=hook.transition,
            heartbeat_timeout=hook.heartbeat_timeout,
            default_result=hook.default_result,
            opts=self._child(),
        )

    def _launch_template(self, plan: LaunchTemplatePlan) -> aws.ec2.LaunchTemplate:
        metadata, volume = plan.metadata, plan.root_volume
        return aws.ec2.LaunchTemplate(
            self._child_name("template"),
            description=plan.description,
            image_id=plan.image_id,
            instance_type=plan.instance_type,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=self._args.instance_profile_arn),
            vpc_security_group_ids=[self._args.security_group_id, *plan.extra_security_group_ids],
            user_data=plan.user_data_base64,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint=metadata.http_endpoint,
                http_tokens=metadata.http_tokens,
                http_put_response_hop_limit=metadata.http_put_response_hop_limit,
                instance_metadata_tags=metadata.instance_metadata_tags,
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=volume.device_name,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=volume.size_gib,
                        volume_type=volume.volume_type,
                        # the provider takes these two as "true"/"false" strings
                        encrypted=_flag(volume.encrypted),
                        delete_on_termination=_flag(volume.delete_on_termination),
                    ),
                )
            ],
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=plan.detailed_monitoring),
            update_default_version=True,
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=plan.tags)
                for kind in plan.tagged_at_launch
            ],
            tags=self._tags("template"),
            opts=self._child(),
        )

    def _group(self, plan: GroupPlan, template: aws.ec2.LaunchTemplate) -> aws.autoscaling.Group:
        sizes, refresh = plan.sizes, plan.refresh
        # the version number, not "$Latest": a new version is then a change, and starts a refresh
        version = template.latest_version.apply(str)
        mixed = plan.mixed_instances
        return aws.autoscaling.Group(
            self._child_name("group"),
            min_size=sizes.min_size,
            max_size=sizes.max_size,
            desired_capacity=sizes.desired_capacity,
            vpc_zone_identifiers=self._args.private_subnet_ids,
            launch_template=None if mixed else aws.autoscaling.GroupLaunchTemplateArgs(id=template.id, version=version),
            mixed_instances_policy=_mixed_instances(mixed, template, version) if mixed else None,
            # the one way the group and the load balancer know each other
            target_group_arns=[self._args.target_group_arn],
            health_check_type=plan.health_check_type,
            health_check_grace_period=plan.health_check_grace_period,
            default_instance_warmup=plan.default_instance_warmup,
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy=refresh.strategy, preferences=_refresh_preferences(refresh.preferences)
            ),
            capacity_rebalance=plan.capacity_rebalance,
            enabled_metrics=list(plan.metrics),
            metrics_granularity=plan.metrics_granularity,
            wait_for_capacity_timeout=plan.capacity_wait_timeout,
            tags=self._group_tags(plan),
            opts=self._child(depends_on=list(self._args.launch_after), ignore_changes=list(plan.ignore_changes)),
        )

    def _group_tags(self, plan: GroupPlan) -> list[aws.autoscaling.GroupTagArgs]:
        tags: dict[str, pulumi.Input[str]] = dict(plan.tags)
        if self._args.discovery_service_id is not None:
            # the node registers itself in this Cloud Map service, read through instance metadata
            tags[DISCOVERY_SERVICE_TAG_KEY] = self._args.discovery_service_id
        return [aws.autoscaling.GroupTagArgs(key=k, value=v, propagate_at_launch=True) for k, v in tags.items()]


def _refresh_preferences(plan: RefreshPreferences) -> aws.autoscaling.GroupInstanceRefreshPreferencesArgs:
    """The plan's preferences under the provider's names (its instance_refresh.preferences block)."""
    return aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
        min_healthy_percentage=plan.min_healthy_percentage,
        max_healthy_percentage=plan.max_healthy_percentage,
        instance_warmup=str(plan.instance_warmup),  # the provider takes these two seconds as strings
        checkpoint_percentages=list(plan.checkpoint_percentages) or None,
        checkpoint_delay=None if plan.checkpoint_delay is None else str(plan.checkpoint_delay),
        alarm_specification=aws.autoscaling.GroupInstanceRefreshPreferencesAlarmSpecificationArgs(
            alarms=list(plan.alarms)
        )
        if plan.alarms
        else None,
        skip_matching=plan.skip_matching,
        scale_in_protected_instances=plan.scale_in_protected_instances,
        standby_instances=plan.standby_instances,
    )


def _mixed_instances(
    plan: MixedInstances, template: aws.ec2.LaunchTemplate, version: pulumi.Output[str]
) -> aws.autoscaling.GroupMixedInstancesPolicyArgs:
    distribution = plan.distribution
    return aws.autoscaling.GroupMixedInstancesPolicyArgs(
        launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
            launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                launch_template_id=template.id, version=version
            ),
            overrides=[
                aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(instance_type=type_name)
                for type_name in plan.instance_types
            ],
        ),
        instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
            on_demand_base_capacity=distribution.on_demand_base_capacity,
            on_demand_percentage_above_base_capacity=distribution.on_demand_percentage_above_base,
            spot_allocation_strategy=distribution.spot_allocation_strategy,
        ),
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"
