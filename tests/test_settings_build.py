"""Property: any stack file the settings accept builds a whole stack in the emulator.

The settings tests prove what is refused; this proves that what is accepted is something
AWS (moto) takes too, so a config never passes validation only to fail at `pulumi up`.

Each apply takes seconds, so one example is three stack files (dev, staging, prod) that
between them use every accepted fragment of every section once: Hypothesis draws how the
fragments are paired across the three files. The profile is derandomized (the same pairing
on every run and machine) and allows one example, so the test costs three applies.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from components.settings import NAMESPACE, SECTIONS, SettingsError
from tests.support.fragments import ACCEPTED, CERTIFICATE, MINIMAL, merged
from tests.support.stacks import Deployments
from tools.stack_files import load_stack_settings

REGION = "eu-west-1"
STACKS = ["dev", "staging", "prod"]


@st.composite
def stack_files_using_every_fragment(draw) -> list[tuple[str, dict[str, Any]]]:
    """Three (stack, sections) pairs; section s of file k uses fragment (k + shift[s]) mod 3."""
    files = []
    shifts = {section: draw(st.integers(0, len(ACCEPTED[section]) - 1)) for section in ACCEPTED}
    for k, stack in enumerate(STACKS):
        sections = copy.deepcopy(MINIMAL)
        if stack == "prod":
            sections["loadBalancer"] = {"certificateArn": CERTIFICATE}
        for section, fragments in ACCEPTED.items():
            sections[section] = merged(sections.get(section, {}), fragments[(k + shifts[section]) % len(fragments)])
        files.append((stack, sections))
    return files


def _write(directory: Path, stack: str, sections: dict[str, Any]) -> Path:
    config = {"aws:region": REGION, **{f"{NAMESPACE}:{key}": value for key, value in sections.items()}}
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def test_the_fragments_cover_every_section_of_the_stack_file():
    assert set(ACCEPTED) == set(SECTIONS)
    assert all(len(fragments) == len(STACKS) for fragments in ACCEPTED.values())


@settings(max_examples=1, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack_files_using_every_fragment())
def test_every_accepted_stack_file_builds_and_moto_holds_the_group(files):
    with tempfile.TemporaryDirectory() as directory:
        paths = [_write(Path(directory), stack, sections) for stack, sections in files]
        for path in paths:
            try:
                load_stack_settings(path)
            except SettingsError:
                assume(False)  # fragments can combine into a refused file; refusals are tested elsewhere
        with Deployments(Path(directory)) as deploy:
            for path in paths:
                applied = deploy.file(path)
                (group,) = applied.client("autoscaling").describe_auto_scaling_groups(
                    AutoScalingGroupNames=[applied.outputs["autoScalingGroupName"]]
                )["AutoScalingGroups"]
                nodes = applied.settings.nodes
                assert (group["MinSize"], group["MaxSize"]) == (nodes.min_size, nodes.max_size)
                assert group["TargetGroupARNs"] == [applied.outputs["targetGroupArn"]]
