"""Node bootstrap: the cloud-init user data every Elixir node boots with.

`render_user_data(settings)` is a pure function of the stack settings (no Pulumi) that
returns `#cloud-config` YAML for Amazon Linux 2023 (arm64 or x86_64). It gathers the other
plans of the node into one document:

- users: the release's system user (no login shell, home in its state directory);
- packages: the CloudWatch agent;
- write_files: the scripts and `stack.env` (node_scripts), release.env
  (release_environment), the two units (systemd_units), the agent's configuration
  (cloudwatch_agent), at the paths of node_layout;
- runcmd: the bootstrap script.

On first boot a node then:

1. reads its private IPv4 from IMDSv2 (the launch template turns IMDSv1 off);
2. fetches the release artifact (`aws s3 cp`, or curl for https) and unpacks it to
   /opt/<release>, owned by root and run by the system user;
3. adds its node name to /etc/<release>/release.env;
4. starts the release under systemd. Each start first reads the cookie from its SSM
   SecureString into a 0600 file under /run that the unit loads as RELEASE_COOKIE, so the
   value never appears in user data, logs or a helper's command line;
5. starts the drain agent, which on scale-in lets the load balancer drain, stops the release
   gracefully and completes the lifecycle hook `LIFECYCLE_HOOK_NAME` (lifecycle_hooks), in the order
   settings/drain.py's DrainBudget counts;
6. starts the CloudWatch agent.
"""

from __future__ import annotations

import json

import yaml

from ..settings import StackSettings
from .cloudwatch_agent import CLOUDWATCH_AGENT_PACKAGE, cloudwatch_agent_config
from .node_layout import NodeLayout
from .node_scripts import node_scripts, stack_env
from .release_environment import release_env_file
from .systemd_units import drain_unit, release_unit

USER_DATA_LIMIT_BYTES = 16384
"""EC2 rejects user data larger than 16 KB (before base64 encoding)."""

RELEASE_USER_SHELL = "/sbin/nologin"
"""The release's system user runs the release and nothing else: no login."""


def render_user_data(settings: StackSettings) -> str:
    """The node's cloud-init user data (`#cloud-config` YAML) for these settings."""
    layout = NodeLayout(settings.release.name)
    files = [
        *(_script_file(path, script.read_text()) for path, script in node_scripts(layout).items()),
        _file(layout.stack_env, stack_env(settings, layout), "0644"),
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
    body = yaml.dump(document, Dumper=_LiteralDumper, sort_keys=False, width=1000)
    return "#cloud-config\n" + body


def _file(path: str, content: str, permissions: str) -> dict[str, str]:
    return {"path": path, "owner": "root:root", "permissions": permissions, "content": content}


def _script_file(path: str, text: str) -> dict[str, str]:
    # Executables start with #!; common.sh is only sourced.
    return _file(path, text, "0755" if text.startswith("#!") else "0644")


class _LiteralDumper(yaml.SafeDumper):
    """Multi-line strings (scripts, units) as `|` blocks, so the user data reads like the files."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str_representer)
