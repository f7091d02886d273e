"""Reading stack files the way the Pulumi CLI passes them to a program."""

from __future__ import annotations

import json

import pytest

from tools.emulator import EmulatorError, read_stack_file


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
    with pytest.raises(EmulatorError, match=r"Pulumi.<stack>.yaml"):
        read_stack_file(path, "elixir-cluster")
