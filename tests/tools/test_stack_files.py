"""tools/stack_files.py: where stack files live, and reading them the way the Pulumi CLI passes them
to a program, with the one reader the settings and the emulator use too."""

from __future__ import annotations

import contextvars
import json
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime import set_all_config

from components.settings import NAMESPACE, SettingsError, load_pulumi_config
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
