"""The pack as the Pulumi CLI loads it: PulumiPolicy.yaml, requirements, __main__.py, the rules' imports."""

from __future__ import annotations

import ast
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pulumi_policy
import pytest
import yaml

from components import settings
from policies import rules
from policies.rules import PACK_NAME, POLICIES
from policies.rules.network import DISTRIBUTION_PORTS, EPMD_PORT
from tools.stack_files import PROJECT_DIR

PACK_DIR = PROJECT_DIR / "policies"


def test_the_project_file_declares_a_python_pack():
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert project["description"]
    assert set(project) <= {"runtime", "version", "main", "description", "author", "website", "license"}


def test_the_pack_pins_what_the_development_environment_tests_it_with():
    def pins(path: Path) -> dict[str, str]:
        lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
        return dict(line.split("==") for line in lines if "==" in line)

    pack = pins(PACK_DIR / "requirements.txt")
    development = pins(PROJECT_DIR / "requirements-dev.txt") | pins(PROJECT_DIR / "requirements.txt")
    assert set(pack) == {"pulumi-policy", "pulumi", "PyYAML"}
    assert all(development[name] == version for name, version in pack.items())


def test_importing_the_rules_starts_no_policy_server():
    # PolicyPack() serves forever once built: an import that built one would never return
    result = subprocess.run(
        [sys.executable, "-c", "import policies.rules, tools.policy_check; print('imported')"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout == "imported\n", result.stderr


def test_main_builds_the_pack_from_every_rule(monkeypatch):
    built = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.append(kwargs))
    monkeypatch.setattr(sys, "path", list(sys.path))  # the CLI puts the pack directory first
    try:
        runpy.run_path(str(PACK_DIR), run_name="__main__")
    finally:  # __main__ imported the rules as the top-level package `rules`, as the CLI does
        for name in [m for m in sys.modules if m.split(".")[0] == "rules"]:
            del sys.modules[name]
    [pack] = built
    assert pack["name"] == PACK_NAME
    assert [p.name for p in pack["policies"]] == [p.name for p in POLICIES]


def test_rules_have_unique_names_descriptions_and_explicit_levels():
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names))
    # the table in policies/rules/__init__.py lists every rule with its level
    table = re.findall(r"^\| ([a-z0-9-]+) \| (mandatory|advisory) \|", rules.__doc__ or "", re.MULTILINE)
    assert sorted(table) == sorted((p.name, p.enforcement_level.value) for p in POLICIES)
    for policy in POLICIES:
        assert policy.description and policy.enforcement_level in (
            pulumi_policy.EnforcementLevel.MANDATORY,
            pulumi_policy.EnforcementLevel.ADVISORY,
        )
    advisory = {p.name for p in POLICIES if p.enforcement_level == pulumi_policy.EnforcementLevel.ADVISORY}
    assert advisory == {"load-balancer-access-logs", "alarms-have-actions"}


@pytest.mark.parametrize("policy", [p for p in POLICIES if p.config_schema], ids=lambda p: p.name)
def test_every_configurable_property_has_a_default_and_a_description(policy):
    for name, schema in policy.config_schema.properties.items():
        assert "default" in schema and schema.get("description"), name


def test_cluster_port_defaults_are_the_settings_defaults():
    distribution = settings.DistributionSettings()
    assert distribution.epmd_port == EPMD_PORT
    assert {"from": distribution.port_range.from_, "to": distribution.port_range.to} == DISTRIBUTION_PORTS


def test_the_pack_judges_resources_only():
    for path in PACK_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        roots = {name.split(".")[0] for name in imported}
        assert not roots & {"components", "tools", "tests", "pulumi_aws"}, path


def test_the_pack_imports_only_what_its_requirements_install():
    # the CLI runs the pack in policies/venv, from policies/requirements.txt alone
    installed = {"pulumi_policy": "pulumi-policy", "pulumi": "pulumi", "yaml": "PyYAML", "rules": None}
    pinned = {line.split("==")[0] for line in (PACK_DIR / "requirements.txt").read_text().splitlines() if "==" in line}
    for path in PACK_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text())
        roots = {
            alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        roots |= {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0
        }
        outside = roots - set(sys.stdlib_module_names) - {"__future__"}
        assert outside <= set(installed), (path, outside - set(installed))
        assert {installed[root] for root in outside} - {None} <= pinned, path
