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

RESULTS = {"CONTINUE", "ABANDON"}


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
        with lock, open(log, "a") as out:
            completed = {"group": group, "hook": hook, "instance": instance, "result": result}
            out.write(json.dumps(completed) + "\n")
        return EmptyResult()

    AutoScalingResponse.complete_lifecycle_action = complete_lifecycle_action


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
    from tools.emulator import server

    server.main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
