"""The whole stack: the values derived from every section, and the promise that any stack
file the settings accept builds.

The settings' other tests prove what is refused; the property at the end proves that what is
accepted is something AWS (moto) takes too, so a config never passes validation only to fail
at `pulumi up`. Each apply takes seconds, so one example is three stack files (dev, staging,
prod) that between them use every accepted fragment of every section once: Hypothesis draws
how the fragments are paired across the three files. The profile is derandomized (the same
pairing on every run and machine) and allows one example, so the test costs three applies.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from components.settings import SECTIONS, SettingsError
from tests.support.fragments import ACCEPTED, CERTIFICATE, MINIMAL, merged
from tests.support.sections import load
from tests.support.stacks import Deployments
from tools.stack_files import load_stack_settings


def test_derived_names_and_tags():
    loaded = load(cluster={"name": "web-shop", "tags": {"team": "payments"}})
    assert loaded.release.name == "web_shop"  # an Elixir atom
    assert loaded.qualified_name == "web-shop-dev"
    assert loaded.discovery_tag == ("elixir-cluster:cluster", "web-shop-dev")
    assert loaded.tags == {
        "elixir-cluster:cluster": "web-shop-dev",
        "Environment": "dev",
        "ManagedBy": "pulumi",
        "team": "payments",
    }


# --- any stack file the settings accept builds ----------------------------------------------------

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
    config = {"aws:region": REGION, **{f"elixir-cluster:{key}": value for key, value in sections.items()}}
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
