"""Property: any stack file the settings accept builds a whole stack in the emulator.

The settings tests prove what is refused; this proves that what is accepted is something
AWS (moto) takes too, so a config never passes validation only to fail at `pulumi up`.
Each example is a full apply (seconds), so the example count is small and the fragments
are chosen to reach every component's branches.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import boto3
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from components.settings import NAMESPACE, SettingsError
from tests.test_settings import CERTIFICATE, MINIMAL, SECTION_NAMES, VALID, merged
from tools.stack import emulated
from tools.stack_settings import load_stack_settings

REGION = "eu-west-1"


@st.composite
def accepted_stack_files(draw) -> tuple[str, dict]:
    stack = draw(st.sampled_from(["dev", "staging", "prod"]))
    sections = copy.deepcopy(MINIMAL)
    if stack == "prod":
        sections["loadBalancer"] = {"certificateArn": CERTIFICATE}
    for section in SECTION_NAMES:
        sections[section] = merged(sections.get(section, {}), draw(st.sampled_from(VALID[section])))
    return stack, sections


def _write(directory: Path, stack: str, sections: dict) -> Path:
    config = {"aws:region": REGION, **{f"{NAMESPACE}:{key}": value for key, value in sections.items()}}
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(accepted_stack_files())
def test_every_accepted_stack_file_builds_and_moto_holds_the_group(case):
    stack, sections = case
    with tempfile.TemporaryDirectory() as directory:
        path = _write(Path(directory), stack, sections)
        try:
            load_stack_settings(path)
        except SettingsError:
            assume(False)  # fragments can combine into a refused file; refusals are tested elsewhere
        with emulated(path) as (_, deployment, loaded):
            autoscaling = boto3.client("autoscaling", region_name=REGION)
            (group,) = autoscaling.describe_auto_scaling_groups(
                AutoScalingGroupNames=[deployment.outputs["autoScalingGroupName"]]
            )["AutoScalingGroups"]
            assert (group["MinSize"], group["MaxSize"]) == (loaded.nodes.min_size, loaded.nodes.max_size)
            assert group["TargetGroupARNs"] == [deployment.outputs["targetGroupArn"]]
