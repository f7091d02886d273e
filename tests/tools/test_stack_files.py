"""tools/stack_files.py: where stack files live, and reading them the way the Pulumi CLI passes them
to a program, with the one reader the settings and the emulator use too."""

from __future__ import annotations

import contextvars
import json
from pathlib import Path

import pulumi
import pytest
import yaml
from pulumi.runtime import set_all_config

from components.settings import NAMESPACE, SettingsError, load_pulumi_config
from tests.support.fragments import MINIMAL
from tools import emulator
from tools.stack_files import (
    StackFileError,
    load_stack,
    load_stack_settings,
    project_name,
    read_stack_file,
    stack_file,
    stack_names,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
SHIPPED = sorted((PROJECT_DIR / "stacks").glob("Pulumi.*.yaml"))


def test_the_shipped_stacks_are_found_by_name():
    assert stack_names() == ["dev", "local", "prod", "staging"]
    assert stack_file("prod") == PROJECT_DIR / "stacks" / "Pulumi.prod.yaml"
    assert project_name() == "elixir-cluster"  # Pulumi.yaml's name


def test_structured_values_become_json_and_bare_keys_join_the_project(tmp_path):
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text(
        "config:\n"
        "  aws:region: eu-central-1\n"
        "  owner: payments\n"
        "  elixir-cluster:nodes: {minSize: 2, instanceTypes: [c7g.large]}\n"
        "  elixir-cluster:flag: true\n"
        "  db:password: {secure: v1:abcdef}\n"
    )
    config = read_stack_file(path, "elixir-cluster")
    assert config.stack == "qa"
    assert config.region == "eu-central-1"
    assert config.config["elixir-cluster:owner"] == "payments"
    assert json.loads(config.config["elixir-cluster:nodes"]) == {"minSize": 2, "instanceTypes": ["c7g.large"]}
    assert config.config["elixir-cluster:flag"] == "true"
    assert config.secret_keys == ["db:password"]
    assert "v1:abcdef" not in config.config["db:password"]


def test_a_stack_file_must_be_named_like_pulumi_names_them(tmp_path):
    path = tmp_path / "prod.yaml"
    path.write_text("config: {}\n")
    with pytest.raises(StackFileError, match=r"Pulumi.<stack>.yaml"):
        read_stack_file(path, "elixir-cluster")


def test_a_key_given_with_and_without_the_namespace_is_refused(tmp_path):
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text("config:\n  cluster: {name: a}\n  elixir-cluster:cluster: {name: b}\n")
    with pytest.raises(StackFileError, match="elixir-cluster:cluster: given twice"):
        read_stack_file(path, "elixir-cluster")


def test_a_secret_in_the_project_reaches_the_program_as_a_placeholder(tmp_path):
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text("config:\n  apiToken: {secure: v1:abcdef}\n  empty:\n")
    config = read_stack_file(path, "elixir-cluster")
    assert config.secret_keys == ["elixir-cluster:apiToken"]
    assert config.config["elixir-cluster:apiToken"] not in ("", "v1:abcdef")
    assert config.config["elixir-cluster:empty"] == ""


def test_the_emulator_reads_stack_files_with_the_one_reader():
    assert emulator.read_stack_file is read_stack_file
    assert emulator.StackConfig is type(read_stack_file(SHIPPED[0]))


def test_a_file_that_is_no_stack_file_is_a_settings_problem_too(tmp_path):
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text("config: [a, b]\n")
    with pytest.raises(StackFileError) as unreadable:
        read_stack_file(path)
    with pytest.raises(SettingsError) as refused:
        load_stack(path)
    assert (
        refused.value.problems
        == unreadable.value.problems
        == ["elixir-cluster: Pulumi.qa.yaml: a stack file is a map whose 'config' is a map"]
    )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_settings_come_from_the_config_the_program_receives(path):
    stack = load_stack(path)
    assert stack.config == read_stack_file(path)
    assert stack.stack == path.name.split(".")[1]
    assert stack.settings.region == stack.config.region


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_program_sees_the_settings_the_tools_see(path):
    """__main__.py reads pulumi.Config over what the emulator sets; the tools read the file."""
    config = read_stack_file(path, project_name(PROJECT_DIR))

    def as_the_program_reads_it():
        set_all_config(dict(config.config), list(config.secret_keys))
        return load_pulumi_config(pulumi.Config(NAMESPACE), pulumi.Config("aws"), config.stack)

    # pulumi's config is a context variable: a copied context leaves the runtime's untouched
    program = contextvars.copy_context().run(as_the_program_reads_it)
    assert program == load_stack_settings(path)
    assert program.region == config.region


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_stack_loads(path):
    loaded = load_stack_settings(path)
    assert loaded.stack == path.name.split(".")[1]
    assert loaded.qualified_name == f"shop-{loaded.cluster.environment}"


def test_prod_stack_is_the_production_shape():
    prod = load_stack_settings(stack_file("prod"))
    assert (prod.region, prod.network.availability_zones, prod.network.nat_gateways) == ("eu-west-1", 3, "perAz")
    assert prod.load_balancer.https and prod.load_balancer.deletion_protection
    assert prod.load_balancer.listener_ports == [80, 443]
    assert {p.metric for p in prod.scaling.target_tracking} == {"requestsPerTarget", "schedulerUtilization"}
    assert prod.scaling.step[0].metric.name == "TotalRunQueueLength"
    assert [s.timezone for s in prod.scaling.schedules] == ["Europe/Berlin", "Europe/Berlin"]
    assert prod.scaling.predictive.mode == "ForecastOnly"


def test_local_stack_points_every_service_the_stack_uses_at_moto():
    config = yaml.safe_load(stack_file("local").read_text())["config"]
    (endpoints,) = config["aws:endpoints"]
    assert set(endpoints.values()) == {"http://127.0.0.1:5000"}
    assert {"ec2", "elbv2", "autoscaling", "iam", "ssm", "kms", "sts", "cloudwatch", "sns"} <= set(endpoints)
    assert {"servicediscovery", "s3", "acm", "logs", "wafv2"} <= set(endpoints)
    for key in ("skipCredentialsValidation", "skipRequestingAccountId", "skipMetadataApiCheck", "s3UsePathStyle"):
        assert config[f"aws:{key}"] is True
    assert load_stack_settings(stack_file("local")).cluster.environment == "dev"


def refusal(directory: Path, text: str, name: str = "Pulumi.dev.yaml") -> list[str]:
    """The lines a stack file holding `text` is refused with (it must be refused)."""
    path = directory / name
    path.write_text(text)
    with pytest.raises(SettingsError) as refused:
        load_stack_settings(path)
    return refused.value.problems


def test_a_stack_file_must_be_named_for_its_stack(tmp_path):
    assert refusal(tmp_path, "config: {}\n", name="prod.yaml") == [
        "elixir-cluster: prod.yaml: a stack file is named Pulumi.<stack>.yaml"
    ]


def test_a_stack_file_must_be_yaml(tmp_path):
    (line,) = refusal(tmp_path, "config: [unclosed\n")
    assert "not valid YAML" in line


def test_project_keys_without_the_namespace_are_the_projects(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(json.dumps({"config": {"aws:region": "eu-west-1", **MINIMAL}}))
    assert load_stack_settings(path).cluster.name == "shop"
    twice = json.dumps({"config": {"elixir-cluster:cluster": {"name": "a"}, **MINIMAL}})
    assert any("given twice" in line for line in refusal(tmp_path, twice))


def test_the_region_comes_from_the_stack_file(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(
        json.dumps({"config": {"aws:region": "eu-north-1", **{f"elixir-cluster:{k}": v for k, v in MINIMAL.items()}}})
    )
    assert load_stack_settings(path).region == "eu-north-1"


def test_unknown_sections_in_a_stack_file_are_reported(tmp_path):
    text = json.dumps({"config": {"aws:region": "eu-west-1", **MINIMAL, "elixir-cluster:nodez": {"minSize": 2}}})
    assert refusal(tmp_path, text) == ["elixir-cluster:nodez: unknown section; did you mean nodes?"]


def test_a_stack_file_is_a_map_whose_config_is_a_map(tmp_path):
    assert refusal(tmp_path, "config: [cluster, release]\n") == [
        "elixir-cluster: Pulumi.dev.yaml: a stack file is a map whose 'config' is a map"
    ]


def test_a_yaml_mistake_is_one_line(tmp_path):
    (line,) = refusal(tmp_path, "config:\n  cluster: {name: shop\n")
    assert line.startswith("elixir-cluster: Pulumi.dev.yaml: not valid YAML: ") and "\n" not in line


def test_an_empty_section_in_a_stack_file_takes_the_defaults(tmp_path):
    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text(
        "config:\n  aws:region: eu-west-1\n  cluster: {name: shop}\n  nodes:\n"
        "  release: {artifact: s3://shop-releases/shop-1.4.2.tar.gz}\n"
    )
    assert load_stack_settings(path).nodes.min_size == 2
