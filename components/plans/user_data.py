"""Node bootstrap: the cloud-init user data every Elixir node boots with.

`render_user_data(settings)` is a pure function of the stack settings (no Pulumi) that
returns `#cloud-config` YAML for Amazon Linux 2023 (arm64 or x86_64). It gathers the other
plans of the node into one document:

- users: the release's system user (no login shell, home in its state directory);
- packages: the CloudWatch agent;
- write_files: the scripts and `stack.env` (node_scripts), where the secrets are read from
  (`secrets.sh`, secrets), release.env (release_environment), the two units (systemd_units),
  the agent's configuration (cloudwatch_agent), at the paths of node_layout. The scripts are
  the repository's files less their comment lines (node_scripts.node_copy), gzipped and
  base64-encoded (`encoding: gz+b64`, which cloud-init's write_files decodes): EC2 takes 16 KB
  of user data, and in clear they would leave next to nothing of it for release.environment
  and release.secrets. What the stack's settings make (stack.env, secrets.sh, release.env, the
  units) stays in clear;
- runcmd: the bootstrap script.

On first boot a node then:

1. reads its private IPv4 from IMDSv2 (the launch template turns IMDSv1 off);
2. fetches the release artifact (`aws s3 cp`, or curl for https) and unpacks it to
   /opt/<release>, owned by root and run by the system user;
3. adds its node name to /etc/<release>/release.env;
4. starts the release under systemd. Each start first reads the cookie and release.secrets
   from SSM and Secrets Manager into a 0600 file under /run that the unit loads, so no value
   appears in user data, logs or a helper's command line;
5. starts the drain agent, which on scale-in lets the load balancer drain, stops the release
   gracefully and completes the lifecycle hook `LIFECYCLE_HOOK_NAME` (lifecycle_hooks), in the order
   settings/drain.py's DrainBudget counts;
6. starts the CloudWatch agent;
7. completes the launch hook `LAUNCH_HOOK_NAME` once the release serves and has joined the
   cluster (CONTINUE), or when it has not within release.joinSeconds (ABANDON): the load
   balancer sends it nothing before (settings/launch.py's LaunchBudget counts the wait).
"""

from __future__ import annotations

import base64
import gzip
import json

import yaml

from ..settings import StackSettings
from ..settings.limits import USER_DATA_MAX_BYTES
from .cloudwatch_agent import CLOUDWATCH_AGENT_PACKAGE, cloudwatch_agent_config
from .node_layout import NodeLayout
from .node_scripts import node_copy, node_scripts, stack_env
from .release_environment import release_env_file
from .secrets import secrets_script
from .systemd_units import drain_unit, release_unit

SCRIPT_ENCODING = "gz+b64"
"""How write_files carries the scripts: gzip, then base64 (cloud-init's write_files encodings)."""

RELEASE_USER_SHELL = "/sbin/nologin"
"""The release's system user runs the release and nothing else: no login."""


def render_user_data(settings: StackSettings) -> str:
    """The node's cloud-init user data (`#cloud-config` YAML) for these settings."""
    layout = NodeLayout(settings.release.name)
    files = [
        *(_script_file(path, node_copy(script)) for path, script in node_scripts(layout).items()),
        _file(layout.stack_env, stack_env(settings, layout), "0644"),
        _file(layout.secret_references, secrets_script(settings.release), "0644"),
        _file(layout.env_file, release_env_file(settings), "0644"),
        _file(layout.release_unit_file, release_unit(settings, layout), "0644"),
        _file(layout.drain_unit_file, drain_unit(layout), "0644"),
        _file(layout.cloudwatch_config, json.dumps(cloudwatch_agent_config(), indent=2) + "\n", "0644"),
    ]
    document = {
        "users": [
            "default",
            {
                "name": settings.release.name,
                "gecos": f"{settings.release.name} Elixir release",
                "system": True,
                "homedir": layout.state_dir,
                "shell": RELEASE_USER_SHELL,
                "lock_passwd": True,
            },
        ],
        "packages": [CLOUDWATCH_AGENT_PACKAGE],
        "write_files": files,
        "runcmd": [layout.bootstrap_script],
    }
    text = "#cloud-config\n" + yaml.dump(document, Dumper=_LiteralDumper, sort_keys=False, width=1000)
    if len(text.encode()) > USER_DATA_MAX_BYTES:  # the settings cap what the stack file adds: never here
        raise ValueError(f"user data of {len(text.encode())} bytes: EC2 takes at most {USER_DATA_MAX_BYTES}")
    return text


def _file(path: str, content: str, permissions: str) -> dict[str, str]:
    return {"path": path, "owner": "root:root", "permissions": permissions, "content": content}


def _script_file(path: str, script: bytes) -> dict[str, str]:
    # Executables start with #!; common.sh is only sourced. mtime=0: the same script, the same bytes.
    content = base64.b64encode(gzip.compress(script, compresslevel=9, mtime=0)).decode()
    return {**_file(path, content, "0755" if script.startswith(b"#!") else "0644"), "encoding": SCRIPT_ENCODING}


class _LiteralDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Multi-line strings (scripts, units) as `|` blocks, so the user data reads like the files.
    libyaml's emitter when PyYAML has it: the same text, several times faster."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str_representer)
