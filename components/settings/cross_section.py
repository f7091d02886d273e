"""Rules between sections: each involves keys of two sections, so neither section's model owns it."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from .alarms import health_alarm_roles
from .drain import AGENT_MARGIN_SECONDS, DrainBudget
from .limits import (
    ALB_FREE_ADDRESSES_PER_SUBNET,
    ALB_MIN_ZONES,
    ALB_SUBNET_MAX_PREFIX,
    LIFECYCLE_HEARTBEAT,
    SUBNET_PLAN_EXTRA_BITS,
    SUBNET_RESERVED_ADDRESSES,
)
from .load_balancer import LoadBalancerSettings
from .network import NetworkSettings
from .nodes import NodesSettings
from .problems import Problem
from .scaling import ScalingSettings


def cross_section_rules(sections: Mapping[str, Any]) -> Iterator[Problem]:
    """Rules between sections (a section that could not be read at all is None; its rules are skipped):

    - network.availabilityZones >= 2 with an application load balancer; one zone needs type network.
    - With an existing VPC, the load balancer's subnets (public, or private when internal) number
      at least 2 for an application load balancer (AWS requires two zones), else at least 1.
    - A created VPC's subnets are /27 or larger for an application load balancer, and the private
      subnets hold nodes.maxSize (plus an instance refresh's surge) per zone.
    - release.artifact is s3:// when network.natGateways is none: there is no internet egress.
    - Scaling on requestsPerTarget (target tracking or predictive) needs an application load balancer.
    - ExactCapacity step changes and schedule sizes stay within nodes.minSize..maxSize.
    - loadBalancer.deregistrationDelay + release.drainSeconds + the drain agent's margin fit the
      termination lifecycle hook's heartbeat (7200 s): AWS drains the load balancer before the hook.
    - nodes.instanceRefresh.alarms names alarms the stack has: health alarms by role (which exist
      follows the load balancer, the sizes and the schedules) and step policies by name, never a
      name that is both.
    """
    network, release, nodes = sections.get("network"), sections.get("release"), sections.get("nodes")
    lb, scaling = sections.get("loadBalancer"), sections.get("scaling")
    if network and lb:
        yield from _network_and_load_balancer(network, lb)
    if network and nodes and lb and not network.existing:
        yield from _subnet_capacity(network, nodes, lb)
    offline = network and not network.existing and network.nat_gateways == "none"
    if offline and release and release.artifact.startswith("https://"):
        yield Problem(
            ("release", "artifact"),
            "an https:// artifact needs internet egress but network.natGateways is none: use s3:// (served by the "
            "VPC's S3 endpoint) or NAT",
            release.artifact,
            refs=(("network", "natGateways"),),
        )
    if scaling and lb:
        yield from _scaling_and_load_balancer(scaling, lb)
    if scaling and nodes:
        yield from _scaling_and_sizes(scaling, nodes)
    if scaling and nodes and lb and nodes.instance_refresh.is_set("alarms"):
        yield from _refresh_alarms(nodes, lb, scaling)
    if release and lb and not DrainBudget(lb.deregistration_delay, release.drain_seconds).fits_the_heartbeat:
        yield Problem(
            ("release", "drainSeconds"),
            f"loadBalancer.deregistrationDelay ({lb.deregistration_delay}) + drainSeconds + "
            f"{AGENT_MARGIN_SECONDS} s must fit the lifecycle hook's {LIFECYCLE_HEARTBEAT.max} s heartbeat",
            release.drain_seconds,
            refs=(("loadBalancer", "deregistrationDelay"),),
        )


def _network_and_load_balancer(network: NetworkSettings, lb: LoadBalancerSettings) -> Iterator[Problem]:
    type_ref = ("loadBalancer", "type")
    if network.existing:
        name = "private_subnet_ids" if lb.internal else "public_subnet_ids"
        key = NetworkSettings.model_fields[name].alias
        subnets = set(getattr(network, name))
        needed = ALB_MIN_ZONES if lb.type == "application" else 1
        if network.is_set(name) and len(subnets) < needed:
            why = "an application load balancer needs two zones" if lb.type == "application" else "it needs a subnet"
            where = "internal" if lb.internal else "internet-facing"
            yield Problem(
                ("network", key),
                f"needs at least {needed} subnet{'s' if needed > 1 else ''} for the {where} load balancer: {why}",
                sorted(subnets),
                refs=(type_ref, ("loadBalancer", "internal")),
            )
        return
    if network.availability_zones < ALB_MIN_ZONES and lb.type == "application":
        yield Problem(
            ("network", "availabilityZones"),
            f"must be >= {ALB_MIN_ZONES} with an application load balancer (AWS requires two zones); "
            "one zone needs type network",
            network.availability_zones,
            refs=(type_ref,),
        )
    if lb.type == "application" and network.subnet_prefix > ALB_SUBNET_MAX_PREFIX:
        yield Problem(
            ("network", "vpcCidr"),
            f"gives /{network.subnet_prefix} subnets, but an application load balancer needs /{ALB_SUBNET_MAX_PREFIX} "
            f"or larger: use /{ALB_SUBNET_MAX_PREFIX - SUBNET_PLAN_EXTRA_BITS} or larger",
            network.vpc_cidr,
            refs=(type_ref,),
        )


def _subnet_capacity(network: NetworkSettings, nodes: NodesSettings, lb: LoadBalancerSettings) -> Iterator[Problem]:
    usable = 2 ** (32 - network.subnet_prefix) - SUBNET_RESERVED_ADDRESSES
    peak = math.ceil(nodes.max_size * max(100, nodes.instance_refresh.max_healthy_percentage) / 100)
    per_zone = math.ceil(peak / network.availability_zones)
    needed = per_zone + (ALB_FREE_ADDRESSES_PER_SUBNET if lb.internal and lb.type == "application" else 0)
    if needed > usable:
        yield Problem(
            ("network", "vpcCidr"),
            f"gives /{network.subnet_prefix} private subnets with {usable} usable addresses, but nodes.maxSize "
            f"({nodes.max_size}) needs {needed} per zone",
            network.vpc_cidr,
            refs=(("nodes", "maxSize"), ("network", "availabilityZones")),
        )


def _scaling_and_load_balancer(scaling: ScalingSettings, lb: LoadBalancerSettings) -> Iterator[Problem]:
    if lb.type == "application":
        return
    for index, policy in enumerate(scaling.target_tracking):
        if policy.metric == "requestsPerTarget":
            yield Problem(
                ("scaling", "targetTracking", index, "metric"),
                "needs an application load balancer (AWS counts requests per target on ALBs only)",
                policy.metric,
                refs=(("loadBalancer", "type"),),
            )
    if scaling.predictive and scaling.predictive.metric == "requestsPerTarget":
        yield Problem(
            ("scaling", "predictive", "metric"),
            "needs an application load balancer",
            "requestsPerTarget",
            refs=(("loadBalancer", "type"),),
        )


def _scaling_and_sizes(scaling: ScalingSettings, nodes: NodesSettings) -> Iterator[Problem]:
    sizes = (("nodes", "minSize"), ("nodes", "maxSize"))
    for index, policy in enumerate(scaling.step):
        if policy.adjustment_type != "ExactCapacity":
            continue
        for step_index, step in enumerate(policy.steps):
            if not nodes.min_size <= step.change <= nodes.max_size:
                yield Problem(
                    ("scaling", "step", index, "steps", step_index, "change"),
                    f"an ExactCapacity change must be within nodes.minSize..maxSize "
                    f"({nodes.min_size}..{nodes.max_size})",
                    step.change,
                    refs=sizes,
                )
    for index, schedule in enumerate(scaling.schedules):
        at = ("scaling", "schedules", index)
        low = nodes.min_size if schedule.min_size is None else schedule.min_size
        high = nodes.max_size if schedule.max_size is None else schedule.max_size
        if low > high:
            key = "maxSize" if schedule.max_size is not None else "minSize"
            got = schedule.max_size if key == "maxSize" else schedule.min_size
            yield Problem(
                (*at, key),
                f"leaves minSize {low} above maxSize {high} (nodes' values fill what the schedule leaves out)",
                got,
                refs=sizes,
            )
        elif schedule.desired_capacity is not None and not low <= schedule.desired_capacity <= high:
            yield Problem(
                (*at, "desiredCapacity"),
                f"must be within the sizes in force, {low}..{high}",
                schedule.desired_capacity,
                refs=sizes,
            )


def _refresh_alarms(nodes: NodesSettings, lb: LoadBalancerSettings, scaling: ScalingSettings) -> Iterator[Problem]:
    health = health_alarm_roles(lb, nodes, scaling)
    steps = {step.name: index for index, step in enumerate(scaling.step)}
    known = ", ".join([*health, *(f"{name} (step)" for name in steps)])
    for index, name in enumerate(nodes.instance_refresh.alarms):
        at = ("nodes", "instanceRefresh", "alarms", index)
        if name in health and name in steps:
            yield Problem(
                at,
                f"is both a health alarm and the step policy scaling.step[{steps[name]}]: rename the step policy",
                name,
                refs=(("scaling", "step", steps[name], "name"),),
            )
        elif name not in health and name not in steps:
            yield Problem(at, f"names no alarm of this stack; it has: {known}", name, refs=(("scaling", "step"),))
