"""The node group: how it judges health, how far it may grow and shrink, where it runs (and
where its load balancer reaches it), what scales it, and whether its alarms tell anyone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .configuration import PRODUCTION, schema, settings
from .resources import (
    AUTOSCALING_GROUP,
    LOAD_BALANCER,
    METRIC_ALARM,
    SCALING_POLICY,
    Stack,
    is_production,
    items,
    number,
    whole,
)

ELB_HEALTH_CHECK = "ELB"
DEFAULT_GRACE_PERIOD = 300  # seconds: the provider's default when healthCheckGracePeriod is unset

# --- ELB health checks behind a target group --------------------------------------------------

HEALTH_CHECK_SCHEMA = schema(
    minGracePeriodSeconds={
        "type": "integer",
        "minimum": 1,
        "default": 60,
        "description": "Shortest grace period: a node must boot, fetch and start the release before it is judged.",
    },
)


def load_balanced(group: Mapping[str, Any]) -> bool:
    return bool(
        items(group.get("targetGroupArns")) or items(group.get("trafficSources")) or items(group.get("loadBalancers"))
    )


def validate_group_health_check(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in AUTOSCALING_GROUP or not load_balanced(args.props):
        return
    minimum = settings(HEALTH_CHECK_SCHEMA, args.get_config())["minGracePeriodSeconds"]
    kinds = str(args.props.get("healthCheckType") or "EC2").split(",")
    if ELB_HEALTH_CHECK not in kinds:
        report_violation(
            f"{args.name} sits behind a target group but replaces nodes only when EC2 says so (healthCheckType "
            f"{','.join(kinds)}): a node whose release crashed keeps its place. Use healthCheckType ELB "
            "(components/plans/node_group.py; elixir-cluster:loadBalancer.healthCheck defines what healthy means)."
        )
    grace = number(args.props.get("healthCheckGracePeriod"))
    grace = DEFAULT_GRACE_PERIOD if grace is None else grace
    if grace < minimum:
        report_violation(
            f"{args.name} judges new nodes after {whole(grace)} s, before they can have started the release: the "
            f"group replaces them in a loop. Set elixir-cluster:nodes.healthCheckGracePeriod to {whole(minimum)} "
            "or more."
        )


asg_elb_health_checks = ResourceValidationPolicy(
    name="asg-elb-health-checks",
    description="A group behind a target group uses ELB health checks with a grace period.",
    validate=validate_group_health_check,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=HEALTH_CHECK_SCHEMA,
)

# --- sizes ------------------------------------------------------------------------------------

SIZE_SCHEMA = schema(
    maxSizeCeiling={
        "type": "integer",
        "minimum": 1,
        "default": 50,
        "description": "Cost guard: the largest maxSize a group may have.",
    },
)


def size_problems(group: Mapping[str, Any], ceiling: int) -> list[str]:
    low, high = number(group.get("minSize")), number(group.get("maxSize"))
    desired = number(group.get("desiredCapacity"))
    problems = []
    if low is not None and high is not None and low > high:
        problems.append(f"minSize {whole(low)} is above maxSize {whole(high)}")
    if desired is not None and low is not None and desired < low:
        problems.append(f"desiredCapacity {whole(desired)} is below minSize {whole(low)}")
    if desired is not None and high is not None and desired > high:
        problems.append(f"desiredCapacity {whole(desired)} is above maxSize {whole(high)}")
    if high is not None and high > ceiling:
        problems.append(
            f"maxSize {whole(high)} is above the cost ceiling {ceiling}: lower elixir-cluster:nodes.maxSize, or "
            "raise asg-size-bounds.maxSizeCeiling in the policy pack configuration"
        )
    return problems


def validate_sizes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in AUTOSCALING_GROUP:
        return
    ceiling = int(settings(SIZE_SCHEMA, args.get_config())["maxSizeCeiling"])
    for problem in size_problems(args.props, ceiling):
        report_violation(f"{args.name}: {problem}. Keep elixir-cluster:nodes.minSize <= desiredCapacity <= maxSize.")


asg_size_bounds = ResourceValidationPolicy(
    name="asg-size-bounds",
    description="minSize <= desiredCapacity <= maxSize, and maxSize under a configurable ceiling.",
    validate=validate_sizes,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=SIZE_SCHEMA,
)

# --- production groups span zones -----------------------------------------------------------

SUBNETS_SCHEMA = schema(
    minSubnets={
        "type": "integer",
        "minimum": 1,
        "default": 2,
        "description": "Fewest subnets (one per availability zone) a production group or load balancer spreads over.",
    },
    **PRODUCTION,
)


def subnets_of(resource_type: str, props: Mapping[str, Any]) -> list[Any]:
    """The subnets a group launches into, or a load balancer has a node in (one per zone)."""
    if resource_type in AUTOSCALING_GROUP:
        return items(props.get("vpcZoneIdentifiers")) or items(props.get("availabilityZones"))
    mappings = [m.get("subnetId") for m in items(props.get("subnetMappings"))]
    return items(props.get("subnets")) or mappings


def validate_spread(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in AUTOSCALING_GROUP + LOAD_BALANCER:
        return
    config = settings(SUBNETS_SCHEMA, args.get_config())
    if not is_production(args.props, config):
        return
    subnets = subnets_of(args.resource_type, args.props)
    if len(subnets) >= config["minSubnets"]:
        return
    if args.resource_type in AUTOSCALING_GROUP:
        report_violation(
            f"{args.name} serves production from {len(subnets)} subnet(s): one zone's outage takes the whole "
            "cluster down. Set elixir-cluster:network.availabilityZones to "
            f"{whole(config['minSubnets'])} or more (or list as many privateSubnetIds, one per zone)."
        )
    else:
        report_violation(
            f"{args.name} reaches production from {len(subnets)} subnet(s): one zone's outage cuts every client off, "
            "even if nodes survive in other zones. Set elixir-cluster:network.availabilityZones to "
            f"{whole(config['minSubnets'])} or more (or list as many publicSubnetIds, or privateSubnetIds when "
            "elixir-cluster:loadBalancer.internal, one per zone)."
        )


prod_groups_span_zones = ResourceValidationPolicy(
    name="prod-groups-span-zones",
    description="Production groups and load balancers span at least two subnets, one per zone.",
    validate=validate_spread,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=SUBNETS_SCHEMA,
)

# --- groups that can scale have a policy ------------------------------------------------------


def validate_scaling_policies(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = Stack(args.resources)
    driven = {
        group for policy in stack.of_type(SCALING_POLICY) for group in stack.referenced(policy, "autoscalingGroupName")
    }
    for group in stack.of_type(AUTOSCALING_GROUP):
        low, high = number(group.props.get("minSize")), number(group.props.get("maxSize"))
        if low is not None and high is not None and high > low and group.urn not in driven:
            report_violation(
                f"{group.name} may run {whole(low)} to {whole(high)} nodes but no scaling policy moves it: it stays "
                "at its first size whatever the load. Add elixir-cluster:scaling.targetTracking (or step) entries, "
                "or set elixir-cluster:nodes.maxSize equal to minSize.",
                group.urn,
            )


scalable_groups_have_policies = StackValidationPolicy(
    name="scalable-groups-have-policies",
    description="Every group whose maxSize exceeds its minSize has a scaling policy.",
    validate=validate_scaling_policies,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- alarms notify someone --------------------------------------------------------------------


def validate_alarm_actions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in METRIC_ALARM:
        return
    if args.props.get("actionsEnabled") is False or not items(args.props.get("alarmActions")):
        report_violation(
            f"{args.name} changes state without telling anyone or scaling anything. Give it an action: the "
            "stack's alarms notify its SNS topic, which mails elixir-cluster:alerts.emails."
        )


alarms_have_actions = ResourceValidationPolicy(
    name="alarms-have-actions",
    description="Every alarm has an action, and its actions are enabled.",
    validate=validate_alarm_actions,
    enforcement_level=EnforcementLevel.ADVISORY,
)

# --- production keeps more than one node -------------------------------------------------------

MIN_NODES_SCHEMA = schema(
    minimum={
        "type": "integer",
        "minimum": 1,
        "default": 2,
        "description": "Fewest nodes a production group may shrink to.",
    },
    **PRODUCTION,
)


def validate_min_nodes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in AUTOSCALING_GROUP:
        return
    config = settings(MIN_NODES_SCHEMA, args.get_config())
    low = number(args.props.get("minSize"))
    if is_production(args.props, config) and low is not None and low < config["minimum"]:
        report_violation(
            f"{args.name} lets production shrink to {whole(low)} node(s): one node's failure, or an instance refresh "
            "replacing it, takes the service down until a new node has booted. Set elixir-cluster:nodes.minSize to "
            f"{whole(config['minimum'])} or more, or lower prod-min-nodes.minimum in the policy pack configuration."
        )


prod_min_nodes = ResourceValidationPolicy(
    name="prod-min-nodes",
    description="Production groups keep at least two nodes.",
    validate=validate_min_nodes,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=MIN_NODES_SCHEMA,
)

POLICIES = [
    asg_elb_health_checks,
    asg_size_bounds,
    prod_groups_span_zones,
    scalable_groups_have_policies,
    alarms_have_actions,
    prod_min_nodes,
]
