"""The GitHub workflows teams run: valid for GitHub, and doing what they are there for.

`.github/workflows/ci.yml` runs the offline suite and the policy pack on every shipped stack on
each pull request; `preview.yml` runs `pulumi preview` with the pack on each real stack;
`stack-changes.yml` puts the change report of each stack file a pull request edits in the job's
summary (its shell step is run here, in a git repository of its own, on a stand-in for Python).
GitHub only reports a broken workflow once it is pushed, so each file is validated here against
the GitHub workflow schema check-jsonschema vendors (no network), and a broken copy must fail it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from policies.rules import POLICIES
from tools.policy_check import check, mandatory, read_pack_config, reconcile
from tools.stack_files import PROJECT_DIR, stack_names

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"
CI, PREVIEW, CHANGES = WORKFLOWS / "ci.yml", WORKFLOWS / "preview.yml", WORKFLOWS / "stack-changes.yml"
POLICY_PACK_CONFIG = ".github/policy-pack-config.json"
SERVER_ONLY_STACKS = {"local"}
"""Stacks for a moto server on 127.0.0.1 (README), never previewed against an AWS account."""


def schema_errors(*paths: Path) -> list[dict[str, Any]]:
    """check-jsonschema's errors for `paths` against its vendored GitHub workflow schema."""
    if importlib.util.find_spec("check_jsonschema") is None:
        pytest.fail("check-jsonschema is missing: pip install -r requirements-dev.txt")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", "-o", "json"]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    report = json.loads(result.stdout)
    assert (result.returncode == 0) == (report["status"] == "ok"), result.stderr
    return report["errors"] + report.get("parse_errors", [])


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the key `on` as True; GitHub reads it as `on`
    return workflow.get("on", workflow.get(True)) or {}


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def step_using(workflow: dict[str, Any], job: str, action: str) -> dict[str, Any]:
    [step] = [s for s in steps(workflow, job) if s.get("uses", "").split("@")[0] == action]
    return step


def commands(workflow: dict[str, Any], job: str) -> str:
    return "\n".join(s["run"] for s in steps(workflow, job) if "run" in s)


# --- GitHub's schema ------------------------------------------------------------------------------


BREAKAGES = {
    "a job without runs-on": (CI, "    runs-on: ubuntu-24.04\n", "", "$.jobs.suite"),
    "a misspelled permission level": (PREVIEW, "id-token: write", "id-token: writ", "$.jobs.preview"),
    "a step with both uses and run": (
        CI,
        "      - name: make test\n",
        "      - uses: actions/checkout@v7\n        name: make test\n",
        "$.jobs.suite",
    ),
    "a misspelled trigger": (CI, "  pull_request:\n", "  pull-request:\n", "$.on"),
}


@pytest.fixture(scope="module")
def schema_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, list[dict[str, Any]]]:
    """The workflows and a copy of one broken by each breakage, all validated in one run (a process
    of check-jsonschema costs a third of a second): errors by file, the copies named by breakage."""
    directory = tmp_path_factory.mktemp("broken-workflows")
    copies = {}
    for number, (breakage, (original, old, new, _)) in enumerate(BREAKAGES.items()):
        text = original.read_text()
        assert old in text, f"{original.name} no longer has {old!r} to break"
        copies[breakage] = directory / f"{number}-{original.name}"
        copies[breakage].write_text(text.replace(old, new, 1))
    workflows = sorted(WORKFLOWS.glob("*.y*ml"))
    errors = schema_errors(*workflows, *copies.values())
    files = {**{path: path for path in workflows}, **copies}
    return {name: [e for e in errors if Path(e["filename"]) == path] for name, path in files.items()}


READS_THE_SCHEMA_RUN = pytest.mark.xdist_group("workflow-schema")
"""The tests of the one check-jsonschema run go to one worker, which makes it once."""


@READS_THE_SCHEMA_RUN
def test_every_workflow_is_valid_for_github(schema_verdicts):
    workflows = sorted(WORKFLOWS.glob("*.y*ml"))
    assert {CI, PREVIEW, CHANGES} <= set(workflows)
    assert {path: schema_verdicts[path] for path in workflows} == dict.fromkeys(workflows, [])


@READS_THE_SCHEMA_RUN
@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_copy_of_a_workflow_fails_the_schema(breakage, schema_verdicts):
    errors = schema_verdicts[breakage]
    assert errors and {e["path"] for e in errors} == {BREAKAGES[breakage][3]}, errors


# --- what they run --------------------------------------------------------------------------------


def test_ci_lints_and_runs_the_offline_suite_on_pull_requests():
    ci = load(CI)
    assert "pull_request" in triggers(ci)
    assert re.search(r"^make lint$", commands(ci, "suite"), re.M)
    assert re.search(r"^make test$", commands(ci, "suite"), re.M)
    assert step_using(ci, "suite", "actions/setup-python")["with"]["python-version"] == "3.11"


def test_ci_runs_the_policy_pack_offline_on_every_shipped_stack():
    ci = load(CI)
    job = ci["jobs"]["policy"]
    assert set(job["strategy"]["matrix"]["stack"]) == set(stack_names())
    assert job["env"]["STACK"] == "${{ matrix.stack }}"
    run = commands(ci, "policy")
    assert '-m tools.preview --stack "$STACK" --format json > "preview-$STACK.json"' in run
    assert f'-m tools.policy_check "preview-$STACK.json" --config {POLICY_PACK_CONFIG}' in run


def test_preview_runs_pulumi_preview_with_the_policy_pack_on_every_real_stack():
    preview = load(PREVIEW)
    assert "pull_request" in triggers(preview)
    job = preview["jobs"]["preview"]
    assert set(job["strategy"]["matrix"]["stack"]) == set(stack_names()) - SERVER_ONLY_STACKS
    pulumi = step_using(preview, "preview", "pulumi/actions")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack }}"
    assert (PROJECT_DIR / pulumi["with"]["policyPacks"] / "PulumiPolicy.yaml").is_file()
    assert pulumi["with"]["policyPackConfigs"] == POLICY_PACK_CONFIG
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"


def test_preview_gets_aws_credentials_through_oidc_before_pulumi_runs():
    preview = load(PREVIEW)
    uses = [s.get("uses", "").split("@")[0] for s in steps(preview, "preview")]
    assert uses.index("aws-actions/configure-aws-credentials") < uses.index("pulumi/actions")
    aws = step_using(preview, "preview", "aws-actions/configure-aws-credentials")
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
    assert "aws-access-key-id" not in aws["with"]  # no long-lived keys
    assert preview["jobs"]["preview"]["permissions"]["id-token"] == "write"


def test_preview_creates_the_virtualenvs_the_project_files_name():
    """The CLI runs the program in Pulumi.yaml's virtualenv and the pack in PulumiPolicy.yaml's."""
    run = commands(load(PREVIEW), "preview")
    program = load(PROJECT_DIR / "Pulumi.yaml")["runtime"]["options"]["virtualenv"]
    pack = load(PROJECT_DIR / "policies" / "PulumiPolicy.yaml")["runtime"]["options"]["virtualenv"]
    assert f"python -m venv {program}\n" in run and f"{program}/bin/pip install --quiet -r requirements.txt" in run
    assert f"python -m venv policies/{pack}\n" in run
    assert f"policies/{pack}/bin/pip install --quiet -r policies/requirements.txt" in run


def test_the_change_report_runs_on_pull_requests_that_edit_a_stack_file_from_the_base_commit():
    changes = load(CHANGES)
    assert triggers(changes) == {"pull_request": {"paths": ["stacks/Pulumi.*.yaml"]}}
    checkout = step_using(changes, "report", "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0  # the base commit's files are read
    [report] = [s for s in steps(changes, "report") if "tools.preview" in s.get("run", "")]
    assert report["env"] == {"BASE": "${{ github.event.pull_request.base.sha }}"}


def _report_step() -> str:
    [report] = [s["run"] for s in steps(load(CHANGES), "report") if "tools.preview" in s.get("run", "")]
    return report


def _git(repo: Path, *args: str) -> str:
    identity = ("-c", "user.name=ci", "-c", "user.email=ci@example.com")
    return subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def edited_stacks(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose head edits dev, adds `new` and deletes `gone` since its base commit; its
    `.venv/bin/python` says what it was asked and which base file it read (exit 1 for `new`)."""
    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    _git(repo, "init", "--quiet")
    (repo / "stacks" / "Pulumi.dev.yaml").write_text("config: {base: dev}\n")
    (repo / "stacks" / "Pulumi.gone.yaml").write_text("config: {}\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "--quiet", "-m", "base")
    base = _git(repo, "rev-parse", "HEAD").strip()
    (repo / "stacks" / "Pulumi.dev.yaml").write_text("config: {head: dev}\n")
    (repo / "stacks" / "Pulumi.new.yaml").write_text("config: {}\n")
    (repo / "stacks" / "Pulumi.gone.yaml").unlink()
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", "head")
    python = repo / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        '#!/bin/bash\necho "asked: $*"\n'
        'if [[ "$*" == *--changes-from* ]]; then echo "base file: $(cat "${@: -1}")"; fi\n'
        'if [[ "$*" == *"--stack new"* ]]; then echo "new: invalid" >&2; exit 1; fi\n'
    )
    python.chmod(0o755)
    return repo, base


def test_the_change_report_step_reports_each_edited_stack_against_its_base_file(edited_stacks, tmp_path):
    repo, base = edited_stacks
    summary = tmp_path / "summary.md"
    env = {**os.environ, "BASE": base, "RUNNER_TEMP": str(tmp_path / "runner"), "GITHUB_STEP_SUMMARY": str(summary)}
    run = subprocess.run(["bash", "-c", _report_step()], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 1  # the new stack's report failed: the job fails
    text = summary.read_text()
    runner = tmp_path / "runner"
    assert (
        f"## Stack dev\n\n```\nasked: -m tools.preview --stack dev --changes-from {runner}/base/Pulumi.dev.yaml\n"
        in text
    )
    assert "base file: config: {base: dev}\n```" in text  # the base commit's file, not the head's
    assert "## Stack new\n\n```\nasked: -m tools.preview --stack new\nnew: invalid\n```" in text  # stderr too
    assert "gone" not in text  # a deleted stack file has nothing to apply


# --- least privilege and hygiene --------------------------------------------------------------------


@pytest.mark.parametrize("path", [CI, PREVIEW, CHANGES], ids=lambda p: p.name)
def test_a_workflow_reads_the_repository_only_unless_a_job_says_why(path):
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    widened = {name: job["permissions"] for name, job in workflow["jobs"].items() if "permissions" in job}
    expected = (
        {"preview": {"contents": "read", "id-token": "write", "pull-requests": "write"}} if path == PREVIEW else {}
    )
    assert widened == expected


@pytest.mark.parametrize("path", [CI, PREVIEW, CHANGES], ids=lambda p: p.name)
def test_a_workflow_runs_once_per_branch_and_pins_actions_to_a_major_version(path):
    workflow = load(path)
    assert "${{ github.ref }}" in workflow["concurrency"]["group"]
    for name, job in workflow["jobs"].items():
        assert job["timeout-minutes"] <= 30, name
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False  # no token left for later steps


# --- the policy configuration both workflows use ----------------------------------------------------


def test_the_ci_policy_config_is_one_the_pack_accepts():
    config = read_pack_config(PROJECT_DIR / POLICY_PACK_CONFIG)
    assert reconcile(POLICIES, config)["alarms-have-actions"].level.value == "mandatory"


@pytest.mark.parametrize("stack", stack_names())
def test_every_shipped_stack_passes_the_ci_policy_config(stack, shipped):
    config = read_pack_config(PROJECT_DIR / POLICY_PACK_CONFIG)
    violations = check(shipped(stack).deployment.to_json(), config)
    assert mandatory(violations) == [], "\n".join(map(str, violations))
