"""moto's server, with the one Auto Scaling call the drain agent needs that moto lacks.

    python -m tools.conformance.node_lab.moto_server --lifecycle-log FILE -H 198.18.0.1 -p 5000

moto implements lifecycle hooks (PutLifecycleHook, DescribeLifecycleHooks) but not
CompleteLifecycleAction. This adds it the way AWS answers it: the group and the hook
must exist (else a ValidationError), the result must be CONTINUE or ABANDON; each
completion is appended to FILE as one JSON line for the lab to read. IAM checks apply to
it as to every other call: moto judges the caller before any handler runs.
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--lifecycle-log", type=Path, required=True)
    known, rest = parser.parse_known_args(argv)
    install_complete_lifecycle_action(known.lifecycle_log)
    from moto.server import main as moto_main

    moto_main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
