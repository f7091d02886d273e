"""The node's scripts as files, and stack.env: the stack's values they read.

What the scripts do is tested by running them (tests/plans/scripts/).
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from components.plans.node_scripts import SCRIPTS_DIR, node_copy
from tests.support.fake_node import decoded_content
from tests.support.node_bootstrap import VARIANTS, require, stack_values, user_data, variant

SCRIPT_FILES = {
    "bootstrap": "bootstrap.sh",
    "fetch-secrets": "fetch-secrets.sh",
    "env-assignment": "env_assignment.py",
    "launch-hook": "launch-hook.sh",
    "drain-agent": "drain-agent.sh",
    "common.sh": "common.sh",
}
"""Where each file of components/plans/scripts/ lands in /usr/local/libexec/<release>/."""

SHELL_SCRIPTS = sorted(script for script in SCRIPT_FILES.values() if script.endswith(".sh"))


@pytest.mark.parametrize("script", SHELL_SCRIPTS)
def test_every_script_file_passes_shellcheck(script: str) -> None:
    shellcheck = require("shellcheck")
    # --external-sources follows `source common.sh` as the directives in the files say.
    result = subprocess.run(
        [shellcheck, "--external-sources", "--severity=style", str(SCRIPTS_DIR / script)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"{script}:\n{result.stdout}{result.stderr}"


def test_every_script_file_is_delivered() -> None:
    delivered = [path.name for path in SCRIPTS_DIR.iterdir() if path.is_file() and path.name != "__init__.py"]
    assert sorted(delivered) == sorted(SCRIPT_FILES.values())


def test_the_python_helper_runs_on_amazon_linux_2023s_python() -> None:
    # AL2023's /usr/bin/python3 is 3.9: no `X | None` evaluated at run time, no match statements
    source = (SCRIPTS_DIR / "env_assignment.py").read_text()
    assert source.startswith("#!/usr/bin/python3 -I\n")
    assert "from __future__ import annotations" in source and "match " not in source
    ast.parse(source, feature_version=(3, 9))


@pytest.mark.parametrize("name", VARIANTS)
def test_user_data_writes_the_script_files_less_their_comment_lines(name: str) -> None:
    settings = variant(name)
    release = settings.release.name
    written = {entry["path"]: entry for entry in user_data(settings)["write_files"]}
    for installed, script in SCRIPT_FILES.items():
        entry = written[f"/usr/local/libexec/{release}/{installed}"]
        assert entry["encoding"] == "gz+b64", script  # cloud-init decodes it (16 KB of user data otherwise run out)
        assert decoded_content(entry).encode() == without_comment_lines(SCRIPTS_DIR / script), script
        assert entry["permissions"] == ("0644" if installed == "common.sh" else "0755"), script


def without_comment_lines(script: Path) -> bytes:
    """The file with every line whose first word starts with # dropped, but #! and shellcheck's
    directives (the Python helper keeps its comments: they are few, and in docstrings)."""
    lines = script.read_bytes().decode().splitlines(keepends=True)
    if script.suffix != ".sh":
        return "".join(lines).encode()
    kept = [line for line in lines if not re.match(r"\s*#", line) or re.match(r"#!|\s*# shellcheck ", line)]
    return "".join(kept).encode()


@pytest.mark.parametrize("script", SHELL_SCRIPTS)
def test_every_node_copy_passes_shellcheck_and_keeps_every_line_of_code(script: str, tmp_path: Path) -> None:
    shellcheck = require("shellcheck")
    copy = node_copy(SCRIPTS_DIR / script)
    code = [line for line in (SCRIPTS_DIR / script).read_text().splitlines() if not line.lstrip().startswith("#")]
    assert [line for line in copy.decode().splitlines() if not line.lstrip().startswith("#")] == code
    for name in SHELL_SCRIPTS:  # beside its copied common.sh, as on the node
        (tmp_path / name).write_bytes(node_copy(SCRIPTS_DIR / name))
    result = subprocess.run(
        [shellcheck, "--external-sources", "--severity=style", str(tmp_path / script)], capture_output=True, text=True
    )
    assert result.returncode == 0, f"{script}:\n{result.stdout}{result.stderr}"


def test_a_script_with_a_here_document_is_never_stripped(tmp_path: Path) -> None:
    # a here-document's lines are text: one starting with # is no comment there
    script = tmp_path / "notes.sh"
    script.write_text("#!/bin/bash\ncat <<'EOF'\n# a line of text\nEOF\n")
    with pytest.raises(ValueError, match="notes.sh has a here-document"):
        node_copy(script)


def test_prod_stack_env_holds_the_stack_values_the_scripts_read() -> None:
    assert stack_values(variant("prod")) == {
        "RELEASE": "shop",
        "RELEASE_ROOT": "/opt/shop",
        "RELEASE_ENV": "/etc/shop/release.env",
        "RELEASE_UNIT": "shop.service",
        "DRAIN_UNIT": "shop-drain.service",
        "CLOUDWATCH_CONFIG": "/etc/shop/cloudwatch-agent.json",
        "ARTIFACT": "s3://shop-releases/shop-1.4.2.tar.gz",
        "REGION": "eu-west-1",
        "RUNTIME_DIR": "/run/shop",
        "SECRETS_ENV": "secrets.env",
        "CLUSTER_DISCOVERY": "ec2Tags",
        "DISCOVERY_SERVICE_TAG": "elixir-cluster:discovery-service-id",
        "LAUNCH_HOOK": "release-join",
        "JOIN_SECONDS": "120",
        "JOIN_POLL_SECONDS": "5",
        # what the load balancer asks the release (prod's healthCheck): the launch hook asks the same
        "HTTP_PORT": "4000",
        "HEALTH_CHECK_PATH": "/health",
        "HEALTH_MATCHER": "200",
        "HEALTH_TIMEOUT": "5",
        "LIFECYCLE_HOOK": "release-drain",
        "LOAD_BALANCER_DRAIN_SECONDS": "45",
        "DRAIN_POLL_SECONDS": "5",
    }


def test_stack_env_follows_the_variant() -> None:
    assert stack_values(variant("dns"))["CLUSTER_DISCOVERY"] == "dns"
    assert stack_values(variant("https-artifact"))["ARTIFACT"] == "https://releases.example.com/shop/shop-1.4.2.tar.gz"
    assert stack_values(variant("dev"))["LOAD_BALANCER_DRAIN_SECONDS"] == "15"
