"""The launch template: instance metadata as the node group declares it, IMDSv2 only.

Checked on every version a node may start from: the one the group names, and the
template's default and latest versions (a new version made default "just to test" is
one `pulumi up`, or one console click on the group, away from every new node).
"""

from __future__ import annotations

from typing import Any

from components.plans.node_group import METADATA_OPTIONS

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed
from .common import not_found

NAME = "launch template"
DEFAULT, LATEST = "$Default", "$Latest"


def run(env: Environment) -> list[Finding]:
    if env.launch_template is None:
        return [not_found(env, "launch_template.metadata", "launch template on the Auto Scaling group")]
    template_id, version = env.launch_template
    roles = {version: "used by the group", DEFAULT: "default", LATEST: "latest"}
    described = env.aws.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=list(roles)
    )["LaunchTemplateVersions"]
    problems = []
    for number, (names, data) in _by_number(described, roles, version).items():
        problems += [f"version {number} ({names}): {p}" for p in _metadata_problems(data)]
    if problems:
        return [
            failed(
                "launch_template.metadata",
                f"{template_id}: {'; '.join(problems)}",
                f"set the default version back to the stack's (aws ec2 modify-launch-template --default-version), "
                f"delete the drifted versions, then {UP_FIX}",
            )
        ]
    numbers = ", ".join(str(n) for n in sorted({v["VersionNumber"] for v in described}))
    return [passed("launch_template.metadata", f"{template_id} version {numbers}: IMDSv2 required, metadata tags on")]


def _by_number(
    described: list[dict[str, Any]], roles: dict[str, str], version: str
) -> dict[int, tuple[str, dict[str, Any]]]:
    """Each distinct version once, with every role it plays."""
    found: dict[int, tuple[list[str], dict[str, Any]]] = {}
    for item in described:
        names = []
        if item.get("DefaultVersion"):
            names.append(roles[DEFAULT])
        if str(item["VersionNumber"]) == version or (version == DEFAULT and item.get("DefaultVersion")):
            names.append(roles[version])
        entry = found.setdefault(item["VersionNumber"], ([], item["LaunchTemplateData"]))
        entry[0].extend(n for n in names if n not in entry[0])
    latest = max(found, default=None)
    if latest is not None and roles[LATEST] not in found[latest][0]:
        found[latest][0].append(roles[LATEST])
    return {number: (", ".join(names), data) for number, (names, data) in found.items()}


def _metadata_problems(data: dict[str, Any]) -> list[str]:
    options = data.get("MetadataOptions", {})
    declared = METADATA_OPTIONS.described()
    problems = []
    if options.get("HttpTokens") != declared["HttpTokens"]:
        problems.append(f"HttpTokens {options.get('HttpTokens', 'optional (unset)')}: IMDSv1 is open")
    # AWS leaves the endpoint out when it is on (its default)
    if options.get("HttpEndpoint", declared["HttpEndpoint"]) != declared["HttpEndpoint"]:
        problems.append("the metadata endpoint is off: the node cannot learn its address or drain")
    if options.get("InstanceMetadataTags") != declared["InstanceMetadataTags"]:
        problems.append("instance metadata tags off: the drain agent cannot read its group")
    hop_limit = declared["HttpPutResponseHopLimit"]
    if options.get("HttpPutResponseHopLimit", hop_limit) > hop_limit:
        problems.append(f"hop limit {options['HttpPutResponseHopLimit']}, declared {hop_limit}")
    return problems
