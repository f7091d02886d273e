"""The agent's configuration as a node of the group receives it: the file cloud-init writes from
the user data of the group's launch template, read back out of AWS (not recomputed from the plan).

    config = rendered_agent_config(client, group_name, layout.cloudwatch_config)

The user data is read as cloud-init reads it (policies/rules/user_data.py: base64, gzip, MIME
parts, `write_files` with their encodings); the file at `path` is the JSON the node's
`amazon-cloudwatch-agent-ctl -a fetch-config -c file:<path>` hands the agent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from policies.rules.user_data import decoded, pieces

from .node import launch_template_data


class NoAgentConfig(LookupError):
    """The user data writes no file at the path the agent is told to read."""


def rendered_agent_config(client: Callable[[str], Any], group_name: str, path: str) -> dict[str, Any]:
    """The JSON the group's launch template writes to `path`; NoAgentConfig naming what it writes instead."""
    _, template = launch_template_data(client, group_name)
    written = {piece.path: piece.text for piece in pieces(decoded(template.get("UserData", ""), True)) if piece.path}
    if path not in written:
        raise NoAgentConfig(
            f"the user data of {group_name}'s launch template writes no {path}; it writes {sorted(written)}"
        )
    return json.loads(written[path])
