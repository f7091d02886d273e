"""A change of the group's desired capacity applied in moto as Auto Scaling applies it, with its activity.

moto neither runs scaling policies nor keeps scaling activities (its DescribeScalingActivities answers
an empty list), and its SetDesiredCapacity launches straight into InService and terminates the oldest
instances at once. The lab's loop (loop.py) decides; this applies the decision in moto:

- a scale-out sets the desired capacity and launches the missing instances (counting the ones still
  Pending as capacity, as AWS does); each new instance waits in Pending:Wait for its launch hook
  (the group has one: components/plans/lifecycle_hooks.py), which the node's bootstrap completes;
- a scale-in sets the desired capacity and moves the instances the caller names to Terminating:Wait,
  where the termination hook holds them while they drain; `terminate` removes one once it drained;
- each launched or terminated instance gets an activity, worded as AWS words them
  (https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-verify-scaling-activity.html): the cause
  names the alarm and the policy ("At <time> a monitor alarm <alarm> in state ALARM triggered policy
  <policy> changing the desired capacity from 2 to 4. At <time> an instance was started in response
  to a difference between desired and actual capacity, increasing the capacity from 2 to 4.");
  DescribeScalingActivities answers them, newest first, as AWS does.

Two ways in, as tools/conformance/auto_scaling/record.py: `InProcessCapacity` (the in-process moto
the offline tests apply stacks to) and `ServerCapacity` (the lab's moto server, through ROUTE, a route
of moto's administration API that `install()` adds: AWS has no such call, the change is Auto Scaling's
own work). `install()` also patches DescribeScalingActivities in that process.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.autoscaling.models import autoscaling_backends
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult
from moto.moto_api._internal import urls as moto_api_urls

ROUTE = "/moto-api/elixir-cluster/scaling-activity"
CALL_TIMEOUT_SECONDS = 30
PENDING_WAIT = "Pending:Wait"
TERMINATING_WAIT = "Terminating:Wait"
IN_SERVICE = "InService"
ACTIVITIES = "elixir_cluster_activities"
"""The attribute of moto's group object that holds its activities, oldest first."""


@dataclass(frozen=True)
class Trigger:
    """What changed the capacity: the policy and, when an alarm invoked it, the alarm (AWS names both)."""

    policy: str
    alarm: str | None = None
    detail: str = ""
    """The loop's reasoning (the simulator's cause): kept in the activity's Details."""

    def cause(self, at: datetime, before: int, after: int) -> str:
        when = _when(at)
        who = f"a monitor alarm {self.alarm} in state ALARM triggered policy" if self.alarm else "policy"
        return f"At {when} {who} {self.policy} changing the desired capacity from {before} to {after}."


_STARTED = "an instance was started in response to a difference between desired and actual capacity"
_TAKEN_OUT = "an instance was taken out of service in response to a difference between desired and actual capacity"


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%SZ}"


def change_capacity(
    backend: Any, group_name: str, desired: int, trigger: Trigger, at: datetime, remove: list[str] | None = None
) -> dict[str, Any]:
    """Apply a desired capacity to moto's group (see the module docstring); what launched and what now drains."""
    group = backend.autoscaling_groups[group_name]
    before = group.desired_capacity
    cause = trigger.cause(at, before, desired)
    states = group.instance_states
    counted = [s for s in states if s.lifecycle_state != TERMINATING_WAIT]
    launched, draining = [], []
    if desired > before:
        known = {s.instance.id for s in states}
        group.desired_capacity = desired
        missing = desired - len(counted)
        if missing > 0:
            group.replace_autoscaling_group_instances(missing, group.get_propagated_tags())
        for state in group.instance_states:
            if state.instance.id not in known:
                state.lifecycle_state = PENDING_WAIT
                launched.append(state.instance.id)
        backend.update_attached_target_groups(group_name)
        change = f"{_STARTED}, increasing the capacity from {before} to {desired}."
        for instance in launched:
            _record(
                group,
                f"Launching a new EC2 instance: {instance}",
                f"{cause}  At {at:%Y-%m-%dT%H:%M:%SZ} {change}",
                trigger,
                at,
            )
    elif desired < before:
        wanted = set(remove or [])
        unknown = wanted - {s.instance.id for s in counted}
        if unknown or len(wanted) != before - desired:
            raise ValueError(
                f"{group_name}: a scale-in from {before} to {desired} names {before - desired} instances of the group "
                f"to remove, got {sorted(wanted)} (unknown: {sorted(unknown)})"
            )
        group.desired_capacity = desired
        change = f"{_TAKEN_OUT}, shrinking the capacity from {before} to {desired}."
        for state in counted:
            if state.instance.id in wanted:
                state.lifecycle_state = TERMINATING_WAIT
                draining.append(state.instance.id)
                _record(
                    group,
                    f"Terminating EC2 instance: {state.instance.id}",
                    f"{cause}  At {at:%Y-%m-%dT%H:%M:%SZ} {change}",
                    trigger,
                    at,
                )
    return {"from": before, "to": desired, "launched": launched, "draining": draining}


def terminate(backend: Any, group_name: str, instance_id: str) -> None:
    """A drained instance leaves the group and is terminated (the desired capacity counted it out already)."""
    group = backend.autoscaling_groups[group_name]
    group.instance_states = [s for s in group.instance_states if s.instance.id != instance_id]
    backend.ec2_backend.terminate_instances([instance_id])


def activities(group: Any) -> list[dict[str, Any]]:
    """The group's activities as DescribeScalingActivities returns them: newest first."""
    return list(reversed(getattr(group, ACTIVITIES, [])))


def _record(group: Any, description: str, cause: str, trigger: Trigger, at: datetime) -> None:
    activity = {
        "ActivityId": str(uuid.uuid4()),
        "AutoScalingGroupName": group.name,
        "Description": description,
        "Cause": cause,
        "StartTime": at,
        "EndTime": at,
        "StatusCode": "Successful",
        "Progress": 100,
        "Details": json.dumps({"policy": trigger.policy, "reasoning": trigger.detail}),
    }
    if not hasattr(group, ACTIVITIES):
        setattr(group, ACTIVITIES, [])
    getattr(group, ACTIVITIES).append(activity)


class CapacityRefused(RuntimeError):
    """The lab's moto server refused a change; the message is its answer."""


class InProcessCapacity:
    """The group in this process's moto (account, region)."""

    def __init__(self, account_id: str, region: str):
        self._backend = autoscaling_backends[account_id][region]

    def change(self, group: str, desired: int, trigger: Trigger, at: datetime, remove: list[str] | None = None):
        return change_capacity(self._backend, group, desired, trigger, at, remove)

    def terminate(self, group: str, instance_id: str) -> None:
        terminate(self._backend, group, instance_id)


class ServerCapacity:
    """The group in the moto server at `endpoint` (which has `install()`'s route)."""

    def __init__(self, endpoint: str, account_id: str, region: str):
        self._url = endpoint.rstrip("/") + ROUTE
        self._where = {"account": account_id, "region": region}

    def change(self, group: str, desired: int, trigger: Trigger, at: datetime, remove: list[str] | None = None):
        body = {
            "group": group,
            "desired": desired,
            "policy": trigger.policy,
            "alarm": trigger.alarm,
            "detail": trigger.detail,
            "at": at.isoformat(),
            "remove": remove or [],
        }
        return self._send(body)

    def terminate(self, group: str, instance_id: str) -> None:
        self._send({"group": group, "terminate": instance_id})

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps({**self._where, **body}).encode()
        request = urllib.request.Request(self._url, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=CALL_TIMEOUT_SECONDS) as answer:
                return json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as refused:
            raise CapacityRefused(f"{body.get('group')}: {refused.read().decode(errors='replace')}") from refused


def route(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """moto's handler shape: (status, headers, body)."""
    try:
        asked = json.loads(request.data or b"{}")
        backend = autoscaling_backends[asked["account"]][asked["region"]]
        if "terminate" in asked:
            terminate(backend, asked["group"], asked["terminate"])
            return 200, {}, "{}"
        trigger = Trigger(asked["policy"], asked.get("alarm"), asked.get("detail", ""))
        at = datetime.fromisoformat(asked["at"])
        done = change_capacity(backend, asked["group"], int(asked["desired"]), trigger, at, asked.get("remove"))
    except (ValueError, KeyError, TypeError) as bad:
        return 400, {}, json.dumps({"error": f"{type(bad).__name__}: {bad}"})
    return 200, {}, json.dumps(done)


def _describe_scaling_activities(self: AutoScalingResponse) -> ActionResult:
    name = self._get_param("AutoScalingGroupName")
    groups = self.autoscaling_backend.autoscaling_groups
    found = [groups[name]] if name in groups else ([] if name else list(groups.values()))
    return ActionResult({"Activities": [a for group in found for a in activities(group)]})


def install() -> None:
    """The route and DescribeScalingActivities, in this process's moto (idempotent)."""
    moto_api_urls.url_paths["{0}" + ROUTE] = route
    AutoScalingResponse.describe_scaling_activities = _describe_scaling_activities


def now() -> datetime:
    return datetime.now(UTC)
