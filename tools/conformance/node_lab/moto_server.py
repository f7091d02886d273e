"""This project's moto server (tools/emulator/server.py), plus what the calls a node makes need.

    python -m tools.conformance.node_lab.moto_server --lifecycle-log FILE -H 198.18.0.1 -p 5000

The stack's certificate, like everything a stack references but does not own, is created
under its ARN by `tools.preview --endpoint` through the project server's extension. Added here:

1. CompleteLifecycleAction. moto implements lifecycle hooks but not this call. It is added
   the way AWS answers it: the group and the hook must exist (else ValidationError), the
   result must be CONTINUE or ABANDON; each completion is appended to FILE as a JSON line.
2. The resource a call acts on, for IAM. moto judges a caller's policies against the
   resource `_determine_resource` names and, for most services, names `*`: a statement
   scoped to one ARN (as least privilege writes them) then never matches and the call is
   denied, whatever the policy says. For the calls a node makes on its group and its
   Cloud Map service, the server names the resource as AWS's authorization does
   (RESOURCE_OF): then a policy that lacks the permission, or scopes it to another
   resource, fails the call, and one that grants it lets it through. The reads of the
   cookie and release.secrets (ssm:GetParameter, secretsmanager:GetSecretValue) are named
   by the emulator itself (tools/emulator/core/moto_fixtures.py, AUTHORIZED_RESOURCE).
   Conditions are still not evaluated by moto.
3. What an instance refresh needs (the rollout lab, rollout.py): the stand-in's route that moves a
   refresh (tools/conformance/auto_scaling/record.py), and the launch hook's hold. moto launches an
   instance straight into InService; AWS holds it in Pending:Wait while a launch hook is pending
   ("Amazon EC2 Auto Scaling lifecycle hooks": the instance "remains in a wait state"). HOLD_ROUTE
   puts an instance the lab launched into Pending:Wait, and CompleteLifecycleAction moves it on as
   AWS does: CONTINUE to InService, ABANDON to Terminating. A held instance counts toward the
   group's capacity, as AWS counts it (COUNTED_TOWARD_CAPACITY); moto counts InService only, so a
   capacity change while a node waits in its launch hook would launch a second one, and one past
   it would terminate the group's oldest node, a node the refresh may still be draining.
4. The autoscale lab's changes of desired capacity, with their scaling activities, and
   DescribeScalingActivities answering them (tools/conformance/autoscale/activities.py); and
   GetMetricStatistics matching dimensions exactly, as CloudWatch does (exact_dimensions.py), and
   answering ExtendedStatistics (percentiles.py: the p99 latency alarm's p99).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from moto.autoscaling.exceptions import ValidationError
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import EmptyResult
from moto.servicediscovery.responses import ServiceDiscoveryResponse

from tools.conformance.auto_scaling import record
from tools.conformance.autoscale import activities, exact_dimensions, percentiles

RESULTS = {"CONTINUE", "ABANDON"}
HELD = "Pending:Wait"
AFTER_LAUNCH_HOOK = {"CONTINUE": "InService", "ABANDON": "Terminating"}
"""Where an instance held by its launch hook goes on each result (lifecycle hooks, "How it works")."""
HOLD_ROUTE = "/moto-api/elixir-cluster/hold-instance"
COUNTED_TOWARD_CAPACITY = {"Pending", "Pending:Wait", "Pending:Proceed", "InService"}
"""The lifecycle states of the instances that make up a group's capacity. A group launches the
difference between its desired capacity and the instances it has, one still in Pending:Wait among
them: it does not launch a second node while the first waits in its launch hook. A node leaving
stops counting once it is Terminating, when the desired capacity has already dropped
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-lifecycle.html)."""


def install_complete_lifecycle_action(log: Path) -> None:
    lock = threading.Lock()

    def complete_lifecycle_action(self: AutoScalingResponse) -> EmptyResult:
        group = self._get_param("AutoScalingGroupName")
        hook = self._get_param("LifecycleHookName")
        result = self._get_param("LifecycleActionResult")
        instance = self._get_param("InstanceId")
        hooks = self.autoscaling_backend.describe_lifecycle_hooks(as_name=group, lifecycle_hook_names=[hook])
        if not any(h.name == hook for h in hooks):
            raise ValidationError(f"No Lifecycle Hook found with name {hook} for group {group}")
        if result not in RESULTS:
            raise ValidationError(f"LifecycleActionResult must be CONTINUE or ABANDON, got {result}")
        _release_held(self.autoscaling_backend, group, instance, result)
        with lock, open(log, "a") as out:
            completed = {"group": group, "hook": hook, "instance": instance, "result": result}
            out.write(json.dumps(completed) + "\n")
        return EmptyResult()

    AutoScalingResponse.complete_lifecycle_action = complete_lifecycle_action


def _release_held(backend, group: str, instance: str, result: str) -> None:
    found = backend.autoscaling_groups.get(group)
    for state in found.instance_states if found else []:
        if state.instance.id == instance and state.lifecycle_state == HELD:
            state.lifecycle_state = AFTER_LAUNCH_HOOK[result]


def install_hold() -> None:
    """HOLD_ROUTE: POST {"group", "instance"} puts that instance of the group in Pending:Wait."""
    from moto.autoscaling.models import autoscaling_backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.moto_api._internal import urls as moto_api_urls

    def hold(request, full_url, headers):
        asked = json.loads(request.data or b"{}")
        for backend in (b for regions in [autoscaling_backends[DEFAULT_ACCOUNT_ID]] for b in regions.values()):
            found = backend.autoscaling_groups.get(asked.get("group"))
            for state in found.instance_states if found else []:
                if state.instance.id == asked.get("instance"):
                    state.lifecycle_state = HELD
                    return 200, {}, json.dumps({"held": asked["instance"]})
        return 404, {}, json.dumps({"error": f"no instance {asked.get('instance')} in {asked.get('group')}"})

    moto_api_urls.url_paths["{0}" + HOLD_ROUTE] = hold


def counted_toward_capacity(group) -> list:
    """moto's FakeAutoScalingGroup.active_instances, as AWS counts a group's capacity."""
    return [state for state in group.instance_states if state.lifecycle_state in COUNTED_TOWARD_CAPACITY]


def install_capacity_counting() -> None:
    from moto.autoscaling.models import FakeAutoScalingGroup

    FakeAutoScalingGroup.active_instances = counted_toward_capacity


def _group_arn(response) -> str:
    group = response.autoscaling_backend.autoscaling_groups.get(response._get_param("AutoScalingGroupName"))
    return group.arn if group else "*"


def _service_arn(response) -> str:
    try:
        return response.servicediscovery_backend.get_service(response._get_param("ServiceId")).arn
    except Exception:  # noqa: BLE001 - an unknown service: the handler answers ServiceNotFound
        return "*"


RESOURCE_OF = {
    (AutoScalingResponse, "CompleteLifecycleAction"): _group_arn,
    (ServiceDiscoveryResponse, "RegisterInstance"): _service_arn,
    (ServiceDiscoveryResponse, "DeregisterInstance"): _service_arn,
}
"""(service, action) -> the ARN IAM authorizes that call against."""


def install_resource_names() -> None:
    for cls in {cls for cls, _action in RESOURCE_OF}:

        def determine_resource(self, cls=cls) -> str:
            name = RESOURCE_OF.get((cls, self._get_action()))
            return name(self) if name else "*"

        cls._determine_resource = determine_resource


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--lifecycle-log", type=Path, required=True)
    known, rest = parser.parse_known_args(argv)
    install_complete_lifecycle_action(known.lifecycle_log)
    install_resource_names()
    install_hold()
    install_capacity_counting()
    record.install()
    activities.install()
    exact_dimensions.install()
    percentiles.install()
    from tools.emulator import server

    server.main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
