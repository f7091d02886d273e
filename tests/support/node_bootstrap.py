"""The node's plans as a node reads them: the user data of a few stack variants, its files,
units and env files parsed as cloud-init, systemd and bash read them.

Shared by the tests of components/plans/{user_data,node_scripts,release_environment,
systemd_units,cloudwatch_agent,discovery}.py and of the scripts.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from components.plans.user_data import render_user_data
from components.settings import StackSettings
from tests.support.fake_node import HTTPS_ARTIFACT
from tests.support.fragments import PINNED_SECRETS
from tests.support.stacks import write_variant
from tools.conformance.node_lab.stack_variants import settings_of
from tools.stack_files import load_yaml

VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "dev": ("dev", {}),
    "prod": ("prod", {}),
    "dns": ("prod", {"elixir-cluster:release": {"discovery": "dns"}}),
    "https-artifact": ("dev", {"elixir-cluster:release": {"artifact": HTTPS_ARTIFACT}}),
    "epmd-4370": ("dev", {"elixir-cluster:release": {"distribution": {"epmdPort": 4370}}}),
    "pinned-secrets": ("prod", {"elixir-cluster:release": {"secrets": PINNED_SECRETS}}),
}
"""Shipped stacks, and variants that change what a node boots with."""


@functools.cache
def variant(name: str) -> StackSettings:
    """The settings of VARIANTS[name], read from a stack file as the program reads it."""
    base, changes = VARIANTS[name]
    with tempfile.TemporaryDirectory() as directory:
        return settings_of(write_variant(Path(directory), base, name, changes))


def user_data(settings: StackSettings) -> dict[str, Any]:
    """The rendered user data, parsed as cloud-init parses it (YAML)."""
    return load_yaml(render_user_data(settings))


def written_files(settings: StackSettings) -> dict[str, dict[str, str]]:
    """write_files by path: each entry's content, owner and permissions."""
    return {entry["path"]: entry for entry in user_data(settings)["write_files"]}


def written_file(settings: StackSettings, path: str) -> str:
    return written_files(settings)[path]["content"]


def unit_settings(unit_text: str) -> dict[str, list[str]]:
    """A unit file's directives, each with its values in order (sections aside)."""
    values: dict[str, list[str]] = {}
    for line in unit_text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def unit_sections(unit_text: str) -> dict[str, dict[str, list[str]]]:
    """A unit file's directives by section, as systemd reads them."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in unit_text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            current.setdefault(key, []).append(value)
    return sections


def stack_values(settings: StackSettings) -> dict[str, str]:
    """stack.env's variables as bash reads them when common.sh sources it."""
    text = written_file(settings, f"/usr/local/libexec/{settings.release.name}/stack.env")
    names = [line.split("=", 1)[0] for line in text.splitlines() if line and not line.startswith("#")]
    script = 'source "$1"; shift; for name in "$@"; do printf "%s=%s\\n" "$name" "${!name}"; done'
    with tempfile.NamedTemporaryFile("w", suffix=".env") as env_file:
        env_file.write(text)
        env_file.flush()
        result = subprocess.run(
            ["bash", "-c", script, "_", env_file.name, *names], capture_output=True, text=True, check=True
        )
    return dict(line.split("=", 1) for line in result.stdout.splitlines())


def parse_env_file(text: str) -> dict[str, str]:
    """KEY="value" lines, as systemd's EnvironmentFile= reads them."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line)
    return {key: value.removeprefix('"').removesuffix('"') for key, value in pairs}


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (apt-get install -y {tool}); CI installs it in .ci/run")
    return path


CLOUD_INIT_SCHEMA = """\
import contextlib, io, json, sys
from cloudinit.config.schema import get_parser, handle_schema_args
results = {}
for path in sys.argv[1:]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = handle_schema_args("schema", get_parser().parse_args(["--config-file", path])) or 0
        except SystemExit as exited:
            code = exited.code
    results[path] = [code, out.getvalue(), err.getvalue()]
print(json.dumps(results))
"""


def cloud_init_schema(paths: list[Path]) -> dict[Path, tuple[int, str, str]]:
    """`cloud-init schema --config-file PATH` for each path: exit code, stdout and stderr. The
    command's own handler runs on the interpreter cloud-init's script names, once for all the
    paths: cloud-init takes a quarter of a second to start, and checking a file takes little."""
    cloud_init = Path(require("cloud-init"))
    interpreter = cloud_init.read_text().splitlines()[0].removeprefix("#!").split()
    done = subprocess.run(
        [*interpreter, "-c", CLOUD_INIT_SCHEMA, *map(str, paths)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return {Path(path): tuple(result) for path, result in json.loads(done.stdout).items()}
