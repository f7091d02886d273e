"""tools/tuner/stack_edit.py: the proposal written into the stack file, only the values that change,
comments and layout kept; the patch `patch -p1` applies; the sections as the file writes them."""

from __future__ import annotations

import copy
import subprocess

import yaml

from tools.stack_files import load_stack, stack_file
from tools.tuner import sections_as_written
from tools.tuner.stack_edit import edit_stack_file

FOUR_NUMBERS = {
    ("scaling", "targetTracking", 0, "target"): 1050,
    ("scaling", "targetTracking", 1, "target"): 56.2,
    ("scaling", "step", 0, "threshold"): 65.7,
    ("scaling", "schedules", 0, "minSize"): 4,
}


def proposal(path, changes):
    """(the sections as the tuner read them, the same with `changes` set)."""
    written = sections_as_written(load_stack(path)).sections
    tuned = copy.deepcopy(written)
    for keys, value in changes.items():
        here = tuned
        for key in keys[:-1]:
            here = here[key]
        here[keys[-1]] = value
    return written, tuned


def changed_lines(patch: str) -> tuple[list[str], list[str]]:
    lines = patch.splitlines()[2:]  # the ---/+++ header
    return [line for line in lines if line.startswith("-")], [line for line in lines if line.startswith("+")]


def test_four_changed_numbers_in_prod_are_four_changed_lines_and_nothing_else(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(stack_file("prod").read_text())
    edited = edit_stack_file(path, *proposal(path, FOUR_NUMBERS))
    removed, added = changed_lines(edited.patch())
    assert removed == [
        "-        target: 1000",
        "-        target: 70",
        "-        threshold: 50",
        "-        minSize: 6",
    ]
    assert added == [
        "+        target: 1050",
        "+        target: 56.2",
        "+        threshold: 65.7",
        "+        minSize: 4",
    ]
    assert edited.changed == (
        "scaling.targetTracking[0].target",
        "scaling.targetTracking[1].target",
        "scaling.step[0].threshold",
        "scaling.schedules[0].minSize",
    )
    edited.write()
    settings = load_stack(path).settings
    assert [p.target for p in settings.scaling.target_tracking] == [1050, 56.2]
    assert (settings.scaling.step[0].threshold, settings.scaling.schedules[0].min_size) == (65.7, 4)


def test_a_change_inside_a_flow_mapping_keeps_the_mapping_and_its_comment(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(stack_file("prod").read_text())
    edited = edit_stack_file(path, *proposal(path, {("scaling", "step", 0, "steps", 1, "change"): 2}))
    assert changed_lines(edited.patch()) == (
        ["-          - {from: 50, change: 3}          # 100+: three more"],
        ["+          - {from: 50, change: 2}          # 100+: three more"],
    )


def test_the_patch_applies_with_patch_p1_from_the_files_directory(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(stack_file("prod").read_text())
    edited = edit_stack_file(path, *proposal(path, FOUR_NUMBERS))
    applied = subprocess.run(
        ["patch", "-p1"], input=edited.patch("Pulumi.prod.yaml"), cwd=tmp_path, capture_output=True, text=True
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert path.read_text() == edited.after


SPARSE = """\
config:
  aws:region: eu-west-1
  elixir-cluster:cluster: {name: shop, environment: dev}   # sizes and scaling left to dev's defaults
  elixir-cluster:release: {artifact: s3://shop-releases/shop-1.0.0.tar.gz}
  elixir-cluster:nodes: {rootVolumeGiB: 20}
  # alerts go to nobody in dev
  elixir-cluster:alerts:
    emails: []
"""


def test_a_value_the_file_leaves_to_its_default_is_added_the_rest_kept(tmp_path):
    path = tmp_path / "Pulumi.sparse.yaml"
    path.write_text(SPARSE)
    written, tuned = proposal(path, {("nodes", "minSize"): 2, ("scaling", "targetTracking", 0, "target"): 70})
    edited = edit_stack_file(path, written, tuned)
    config = yaml.safe_load(edited.after)["config"]
    assert config["elixir-cluster:nodes"] == {"rootVolumeGiB": 20, "minSize": 2}
    assert config["elixir-cluster:scaling"] == {"targetTracking": tuned["scaling"]["targetTracking"]}
    assert tuned["scaling"]["targetTracking"][0]["target"] == 70
    assert "# sizes and scaling left to dev's defaults" in edited.after
    assert "# alerts go to nobody in dev" in edited.after


LEVEL = """\
config:
  aws:region: eu-west-1
  elixir-cluster:cluster: {name: shop, environment: dev}
  elixir-cluster:release: {artifact: s3://shop-releases/shop-1.0.0.tar.gz}
  elixir-cluster:nodes:
    minSize: 1
    maxSize: 4
  elixir-cluster:scaling:
    targetTracking:
    - metric: cpu        # items level with their key, as PyYAML writes them
      target: 60
    - metric: requestsPerTarget
      target: 1000
"""


def test_list_items_level_with_their_key_stay_level(tmp_path):
    path = tmp_path / "Pulumi.level.yaml"
    path.write_text(LEVEL)
    changes = {("scaling", "targetTracking", 0, "target"): 55, ("scaling", "targetTracking", 1, "target"): 900}
    edited = edit_stack_file(path, *proposal(path, changes))
    assert changed_lines(edited.patch()) == (
        ["-      target: 60", "-      target: 1000"],
        ["+      target: 55", "+      target: 900"],
    )


def test_nothing_changed_leaves_the_file_as_it_is(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(stack_file("prod").read_text())
    edited = edit_stack_file(path, *proposal(path, {}))
    assert (edited.after, edited.patch(), edited.changed) == (edited.before, "", ())


def test_a_section_as_the_file_writes_it_ends_before_the_comment_that_introduces_the_next(tmp_path):
    path = tmp_path / "Pulumi.sparse.yaml"
    path.write_text(SPARSE)
    edited = edit_stack_file(path, *proposal(path, {("nodes", "minSize"): 2}))
    assert edited.sections_text(["nodes"]) == "  elixir-cluster:nodes: {rootVolumeGiB: 20, minSize: 2}\n"
    prod = edit_stack_file(stack_file("prod"), *proposal(stack_file("prod"), {}))
    scaling = prod.sections_text(["scaling"])
    assert scaling.startswith("  elixir-cluster:scaling:\n    targetTracking:\n")
    assert scaling.endswith("      schedulingBufferTime: 300\n")
    assert "# review the forecasts before letting them scale" in scaling


def test_a_changed_line_that_keeps_its_comment_is_named_with_its_line(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(stack_file("prod").read_text())
    edited = edit_stack_file(path, *proposal(path, {("scaling", "step", 0, "steps", 1, "change"): 2, **FOUR_NUMBERS}))
    lines = edited.after.splitlines()
    assert edited.commented_changes() == [
        (lines.index("          - {from: 50, change: 2}          # 100+: three more") + 1, "# 100+: three more")
    ]
