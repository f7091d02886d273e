"""The generated JSON Schema and configuration reference: in sync, valid, and agreeing with
the loader on the stack files we ship."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from components import settings
from components.settings import NAMESPACE, SECTIONS, SettingsModel, nested_model
from tools import schema as schema_tool
from tools.schema import stack_file_schema
from tools.stack_files import load_stack_settings

STACKS_DIR = Path(__file__).resolve().parent.parent / "stacks"
SHIPPED = sorted(STACKS_DIR.glob("Pulumi.*.yaml"))
VALIDATOR = jsonschema.Draft202012Validator(stack_file_schema())
MINIMAL_CONFIG = {
    f"{NAMESPACE}:cluster": {"name": "shop"},
    f"{NAMESPACE}:release": {"artifact": "s3://shop-releases/shop-1.4.2.tar.gz"},
}


def schema_errors(document: dict) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document)]


def all_models() -> list[type[SettingsModel]]:
    found: list[type[SettingsModel]] = []

    def visit(model: type[SettingsModel]) -> None:
        if model in found:
            return
        found.append(model)
        for field in model.model_fields.values():
            inner = nested_model(field.annotation)
            if inner is not None:
                visit(inner)

    for model in SECTIONS.values():
        visit(model)
    return found


def test_committed_schema_and_reference_are_up_to_date():
    assert schema_tool.SCHEMA_PATH.read_text() == schema_tool.render_schema(), "run `python -m tools.schema`"
    assert schema_tool.REFERENCE_PATH.read_text() == schema_tool.render_reference(), "run `python -m tools.schema`"
    assert schema_tool.main(["--check"]) == schema_tool.EXIT_OK


def test_check_fails_on_a_stale_file(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "schema.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(schema_tool, "SCHEMA_PATH", stale)
    monkeypatch.setattr(schema_tool, "PROJECT_DIR", tmp_path)
    monkeypatch.setattr(schema_tool, "REFERENCE_PATH", tmp_path / "configuration.md")
    assert schema_tool.main(["--check"]) == schema_tool.EXIT_STALE
    assert "schema.json is out of date" in capsys.readouterr().err


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(stack_file_schema())
    assert stack_file_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_stack_validates_against_the_schema_and_loads(path):
    assert path.read_text().startswith("# yaml-language-server: $schema=./schema.json\n")
    assert schema_errors(yaml.safe_load(path.read_text())) == []
    assert load_stack_settings(path).stack == path.name.split(".")[1]


def test_a_minimal_stack_file_is_valid():
    assert schema_errors({"config": MINIMAL_CONFIG}) == []
    without_namespace = {key.removeprefix(f"{NAMESPACE}:"): value for key, value in MINIMAL_CONFIG.items()}
    assert schema_errors({"config": without_namespace}) == []  # Pulumi reads these as the project's keys


def test_the_schema_needs_the_cluster_and_the_release():
    assert schema_errors({"config": {f"{NAMESPACE}:cluster": {"name": "shop"}}})
    assert schema_errors({"config": {f"{NAMESPACE}:release": MINIMAL_CONFIG[f"{NAMESPACE}:release"]}})


def test_other_providers_keys_pass_and_unknown_sections_do_not():
    config = {**MINIMAL_CONFIG, "aws:region": "eu-west-1", "aws:endpoints": [{"ec2": "http://x"}], "random:seed": 1}
    assert schema_errors({"config": config}) == []
    assert schema_errors({"config": {**MINIMAL_CONFIG, f"{NAMESPACE}:nodez": {}}})
    assert schema_errors({"config": {**MINIMAL_CONFIG, "aws:region": "Ireland"}})


def test_pulumis_own_top_level_keys_are_allowed_and_others_are_not():
    document = {"config": MINIMAL_CONFIG, "encryptionsalt": "v1:abc", "secretsprovider": "passphrase"}
    assert schema_errors({**document, "environment": ["shop/prod"]}) == []
    assert schema_errors({**document, "configuration": {}})


def test_the_schema_refuses_typos_and_values_out_of_range():
    assert schema_errors({"config": {**MINIMAL_CONFIG, f"{NAMESPACE}:nodes": {"maxsize": 3}}})
    assert schema_errors({"config": {**MINIMAL_CONFIG, f"{NAMESPACE}:loadBalancer": {"healthCheck": {"interval": 4}}}})
    assert schema_errors({"config": {**MINIMAL_CONFIG, f"{NAMESPACE}:network": {"natGateways": "double"}}})


def test_schema_limits_are_the_validators_constants():
    definitions = stack_file_schema()["$defs"]
    interval = definitions["HealthCheckSettings"]["properties"]["interval"]
    assert (interval["minimum"], interval["maximum"]) == settings.HEALTH_CHECK_INTERVAL
    delay = definitions["LoadBalancerSettings"]["properties"]["deregistrationDelay"]
    assert (delay["minimum"], delay["maximum"]) == settings.DEREGISTRATION_DELAY
    assert definitions["ClusterSettings"]["properties"]["tags"]["maxProperties"] == settings.USER_TAGS_MAX


def test_environment_dependent_defaults_are_described_per_environment():
    zones = stack_file_schema()["$defs"]["NetworkSettings"]["properties"]["availabilityZones"]
    assert "default" not in zones  # one default would be wrong for some environment
    assert zones["x-environmentDefaults"] == dict(settings.ENVIRONMENT_DEFAULTS["network.availabilityZones"])
    assert "Default: dev 2, staging 2, prod 3." in zones["description"]


def test_every_setting_documents_itself():
    for model in all_models():
        assert model.__doc__, model.__name__
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


def test_every_required_setting_shows_an_example():
    # editors offer the example; the loader also uses it to keep checking a section with the key missing
    for model in all_models():
        for name, field in model.model_fields.items():
            if field.is_required():
                assert field.examples, f"{model.__name__}.{name}"


def test_the_reference_lists_every_key():
    reference = schema_tool.REFERENCE_PATH.read_text()
    for section, model in SECTIONS.items():
        assert f"## {section}\n" in reference
        for path, _ in schema_tool.setting_keys(model):
            assert f"| `{path}` |" in reference, path
    for key in settings.ENVIRONMENT_DEFAULTS:
        assert f"| `{key}` |" in reference


def test_the_schema_round_trips_as_json():
    assert json.loads(schema_tool.render_schema()) == stack_file_schema()
