"""Stack files read into settings as the program reads them: the shipped ones, and how a
broken file is told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.settings import SettingsError
from tests.support.fragments import MINIMAL
from tools.stack_settings import load_stack_settings

STACKS_DIR = Path(__file__).resolve().parents[2] / "stacks"
SHIPPED = sorted(STACKS_DIR.glob("Pulumi.*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_stack_loads(path):
    loaded = load_stack_settings(path)
    assert loaded.stack == path.name.split(".")[1]
    assert loaded.qualified_name == f"shop-{loaded.cluster.environment}"


def test_prod_stack_is_the_production_shape():
    prod = load_stack_settings(STACKS_DIR / "Pulumi.prod.yaml")
    assert (prod.region, prod.network.availability_zones, prod.network.nat_gateways) == ("eu-west-1", 3, "perAz")
    assert prod.load_balancer.https and prod.load_balancer.deletion_protection
    assert prod.load_balancer.listener_ports == [80, 443]
    assert {p.metric for p in prod.scaling.target_tracking} == {"requestsPerTarget", "schedulerUtilization"}
    assert prod.scaling.step[0].metric.name == "TotalRunQueueLength"
    assert [s.timezone for s in prod.scaling.schedules] == ["Europe/Berlin", "Europe/Berlin"]
    assert prod.scaling.predictive.mode == "ForecastOnly"


def test_local_stack_points_every_service_the_stack_uses_at_moto():
    config = yaml.safe_load((STACKS_DIR / "Pulumi.local.yaml").read_text())["config"]
    (endpoints,) = config["aws:endpoints"]
    assert set(endpoints.values()) == {"http://127.0.0.1:5000"}
    assert {"ec2", "elbv2", "autoscaling", "iam", "ssm", "kms", "sts", "cloudwatch", "sns"} <= set(endpoints)
    assert {"servicediscovery", "s3", "acm", "logs", "wafv2"} <= set(endpoints)
    for key in ("skipCredentialsValidation", "skipRequestingAccountId", "skipMetadataApiCheck", "s3UsePathStyle"):
        assert config[f"aws:{key}"] is True
    assert load_stack_settings(STACKS_DIR / "Pulumi.local.yaml").cluster.environment == "dev"


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
    text = json.dumps({"config": {**MINIMAL, "elixir-cluster:nodez": {"minSize": 2}}})
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
