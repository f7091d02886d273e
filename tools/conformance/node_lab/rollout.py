"""The Auto Scaling stand-in's fleet (tools/conformance/auto_scaling/fleet.py) on the node lab's instances.

    fleet = LabFleet(lab, version_at_start)
    order = fleet.pending_refresh()          # the refresh the update path started, from the lab's moto
    InstanceRefresh(order, fleet, fleet.record(order), clock).perform()

- launch(V): the group gets one more instance in moto, held in Pending:Wait by the launch hook
  (moto_server.py), in a namespace that boots launch template version V's user data from moto;
  its launch hook script completes the hook through the lab's moto, and the result is read from
  the lab's lifecycle log.
- wait_healthy: the node is added to HAProxy at runtime (what registering with the target group
  does) and is healthy once HAProxy's checks say UP.
- drain: as the lab's scale-in: deregistered (HAProxy drains it), target state Terminated, and the
  drain agent completes the termination hook once the release stopped.
- terminate: out of HAProxy, out of the group in moto, its processes gone.
- alarm_states: CloudWatch's alarms in the lab's moto.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from components.plans.lifecycle_hooks import ABANDON, LIFECYCLE_HOOK_NAME
from tools.conformance.auto_scaling.fleet import Launch
from tools.conformance.auto_scaling.fleet import Node as FleetNode
from tools.conformance.auto_scaling.order import RefreshOrder, pending_refresh
from tools.conformance.auto_scaling.record import ServerRecord

from .. import firewall, netns
from ..waiting import wait_until
from .lab import Node, NodeLab
from .moto_server import HOLD_ROUTE

DRAIN_SLACK_SECONDS = 20
"""Beyond the deregistration delay and drainSeconds: the drain agent's poll, its AWS calls, the stop."""
HEALTHY_SLACK_SECONDS = 10
"""Beyond the health checks HAProxy needs to call a node UP."""

HAPROXY_OK = {"", "New server registered."}
"""What HAProxy 2.6's runtime API answers to add server and enable health/server."""


class LabFleet:
    """See the module docstring. `version` is the launch template version the lab's nodes booted."""

    def __init__(self, lab: NodeLab, version: str):
        self.lab = lab
        self.versions = {n.instance_id: version for n in lab.all_nodes}
        self.gone: set[str] = set()

    # --- the refresh ---

    def pending_refresh(self) -> RefreshOrder:
        return self.lab.account.call(lambda aws: pending_refresh(aws.client("autoscaling"), self.lab.facts["group"]))

    def record(self, order: RefreshOrder) -> _RecordThroughTheLab:
        return _RecordThroughTheLab(self.lab, order)

    # --- Fleet ---

    def in_service(self) -> list[FleetNode]:
        states = self.lab.balancer.server_states()
        return [
            FleetNode(n.instance_id, self.versions[n.instance_id]) for n in self.live() if states.get(n.server) == "UP"
        ]

    def live(self) -> list[Node]:
        return [n for n in self.lab.all_nodes if n.instance_id not in self.gone and n.instance_id in self.versions]

    def launch(self, version: str) -> Launch:
        user_data, instances = self.lab.account.call(lambda aws: self._launch_in_moto(aws, version))
        with self.lab.account.iam_checks_off():  # EC2 assumes the instance's role, not a caller
            credentials = self.lab.account.call(lambda aws: self.lab._role_credentials(aws, instances))
        [node] = self.lab._nodes(instances, credentials)
        self.lab.extra_nodes.append(node)
        self.versions[node.instance_id] = version
        self._firewall_everyone()
        self.lab.boot_node(node, user_data)  # cloud-init returns once the launch hook script has
        result = self._launch_result(node)
        why = "" if result != ABANDON else self._why_abandoned(node)
        return Launch(FleetNode(node.instance_id, version), result or ABANDON, why or ("" if result else "no result"))

    def wait_healthy(self, node: FleetNode) -> bool:
        lab_node = self._node(node)
        check = self.lab.facts["target_group"].health_check
        address = f"{lab_node.address}:{self.lab.facts['target_group'].port}"
        backend = self.lab.facts["target_group"].name
        checks = f"check inter {check.interval}s rise {check.healthy_threshold} fall {check.unhealthy_threshold}"
        self._haproxy(f"add server {backend}/{lab_node.server} {address} {checks}")
        self._haproxy(f"enable health {backend}/{lab_node.server}")
        self._haproxy(f"enable server {backend}/{lab_node.server}")
        budget = check.interval * (check.healthy_threshold + 1) + HEALTHY_SLACK_SECONDS
        return wait_until(lambda: self.lab.server_status(lab_node) == "UP", budget, pause=0.5) is not None

    def drain(self, node: FleetNode) -> None:
        lab_node = self._node(node)
        release = self.lab.settings.release
        bound = self.lab.facts["target_group"].deregistration_delay + release.drain_seconds + DRAIN_SLACK_SECONDS
        self.lab.balancer.set_state(lab_node.server, "drain")
        lab_node.instance.set_lifecycle_state("Terminated")
        if wait_until(lambda: self._drained(lab_node), bound, pause=0.5) is None:
            raise RuntimeError(f"{lab_node.name}: the drain agent did not complete the termination hook in {bound} s")

    def terminate(self, node: FleetNode) -> None:
        lab_node = self._node(node)
        if lab_node.server in self.lab.balancer.server_states():
            # maintenance takes it out of rotation; `del server` would refuse while HAProxy keeps idle connections
            self.lab.balancer.set_state(lab_node.server, "maint")
        self.lab.account.call(
            lambda aws: aws.client("autoscaling").terminate_instance_in_auto_scaling_group(
                InstanceId=node.id, ShouldDecrementDesiredCapacity=True
            )
        )
        lab_node.instance.close()
        # off the bridge with its address: moto gives a terminated instance's address to the next one
        netns.remove_namespace(lab_node.instance.namespace.name)
        self.gone.add(node.id)

    def alarm_states(self, names: list[str]) -> dict[str, str]:
        if not names:
            return {}
        found = self.lab.account.call(lambda aws: aws.client("cloudwatch").describe_alarms(AlarmNames=names))
        return {a["AlarmName"]: a["StateValue"] for a in found["MetricAlarms"]}

    # --- the lab's side ---

    def retire(self, node: Node) -> None:
        """A node an earlier test took out of service (scale-in) leaves the group for good."""
        self.terminate(FleetNode(node.instance_id, self.versions[node.instance_id]))

    def _launch_in_moto(self, aws, version: str) -> tuple[str, list[dict[str, Any]]]:
        ec2 = aws.client("ec2")
        template = launch_template_of(aws, self.lab.facts["group"])
        [described] = ec2.describe_launch_template_versions(LaunchTemplateId=template, Versions=[version])[
            "LaunchTemplateVersions"
        ]
        instances = self._one_more(aws)
        for instance in instances:
            self.lab.account._post(
                HOLD_ROUTE,
                f'{{"group": "{self.lab.facts["group"]}", "instance": "{instance["InstanceId"]}"}}'.encode(),
            )
        return base64.b64decode(described["LaunchTemplateData"]["UserData"]).decode(), instances

    def _one_more(self, aws) -> list[dict[str, Any]]:
        """The group's desired capacity up by one; the instance moto launched for it, described."""
        autoscaling, group = aws.client("autoscaling"), self.lab.facts["group"]
        [described] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]
        autoscaling.set_desired_capacity(
            AutoScalingGroupName=group, DesiredCapacity=described["DesiredCapacity"] + 1, HonorCooldown=False
        )
        [described] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]
        known = {n.instance_id for n in self.lab.all_nodes}
        ids = [i["InstanceId"] for i in described["Instances"] if i["InstanceId"] not in known]
        if len(ids) != 1:  # the lab's server counts held instances as AWS does (moto_server.py)
            raise RuntimeError(f"{group}: one more in desired capacity launched {ids}, not one instance")
        reservations = aws.client("ec2").describe_instances(InstanceIds=ids)["Reservations"]
        return [i for r in reservations for i in r["Instances"]]

    def _haproxy(self, line: str) -> None:
        """A runtime API command that must succeed (HAProxy answers errors as text)."""
        answer = self.lab.balancer.command(line).strip()
        if answer not in HAPROXY_OK:
            raise RuntimeError(f"HAProxy refused `{line}`: {answer}")

    def _firewall_everyone(self) -> None:
        """Every live node admits the new one, as membership of the launch template's groups does on AWS."""
        live = self.live()
        addresses = [n.instance.namespace.address for n in live]
        rules = firewall.ruleset(self.lab.facts["rules"], self.lab._members(addresses))
        for node in live:
            firewall.apply(node.instance.namespace, rules)
        self.lab._firewall_database(addresses)

    def _launch_result(self, node: Node) -> str | None:
        found = [
            c["result"]
            for c in self.lab.account.completed_lifecycle_actions()
            if c["instance"] == node.instance_id and c["hook"] != LIFECYCLE_HOOK_NAME
        ]
        return found[-1] if found else None

    def _drained(self, node: Node) -> bool:
        return any(
            c["instance"] == node.instance_id and c["hook"] == LIFECYCLE_HOOK_NAME
            for c in self.lab.account.completed_lifecycle_actions()
        )

    def _why_abandoned(self, node: Node) -> str:
        log = node.instance.workdir / "cloud-init.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        found = re.findall(r"(?:not joined within [^\n]*|abandoning [^\n]*)", text)
        return found[-1] if found else ""

    def _node(self, node: FleetNode) -> Node:
        return next(n for n in self.lab.all_nodes if n.instance_id == node.id)


def launch_template_of(aws, group: str) -> str:
    """The id of the group's launch template (launch template or mixed instances policy)."""
    [described] = aws.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group])[
        "AutoScalingGroups"
    ]
    spec = (
        described.get("LaunchTemplate")
        or (described["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"])
    )
    return spec["LaunchTemplateId"]


class _RecordThroughTheLab:
    """record.py's ServerRecord, called from inside the lab's network (where its moto listens)."""

    def __init__(self, lab: NodeLab, order: RefreshOrder):
        self.lab = lab
        account = lab.account.call(lambda aws: aws.client("sts").get_caller_identity()["Account"])
        self._record = ServerRecord(lab.account.url, account, lab.settings.region, order.group, order.refresh_id)

    def move_to(self, status: str, reason: str | None = None) -> None:
        self.lab.account.call(lambda _aws: self._record.move_to(status, reason))

    def progress(self, percentage_complete: int, instances_to_update: int) -> None:
        self.lab.account.call(lambda _aws: self._record.progress(percentage_complete, instances_to_update))
