"""The launch template against the node group's plan (plans/launch_template.py): instance
metadata (IMDSv2 only), the image, type and user data, the root volume, detailed monitoring,
the tags a node's volume and interface carry, its security groups and instance profile.

Checked on every version a node may start from: the one the group names, and the
template's default and latest versions (a new version made default "just to test" is
one `pulumi up`, or one console click on the group, away from every new node).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from components.plans.launch_template import LaunchTemplatePlan
from components.plans.security import NODE_SECURITY_GROUP

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed
from .common import not_compared, not_found

NAME = "launch template"
DEFAULT, LATEST = "$Default", "$Latest"

Problems = Callable[[Environment, dict[str, Any]], list[str]]
"""What one check finds wrong in one version's LaunchTemplateData."""


def run(env: Environment) -> list[Finding]:
    if env.launch_template is None:
        return [not_found(env, "launch_template.metadata", "launch template on the Auto Scaling group")]
    template_id, version = env.launch_template
    roles = {version: "used by the group", DEFAULT: "default", LATEST: "latest"}
    described = env.aws.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=list(roles)
    )["LaunchTemplateVersions"]
    versions = _by_number(described, roles, version)
    numbers = ", ".join(str(n) for n in sorted(versions))
    profiles = _InstanceProfiles(env)
    checks: list[tuple[str, Problems, Callable[[LaunchTemplatePlan], str]]] = [
        ("metadata", _metadata_problems, lambda _: "IMDSv2 required, metadata tags on"),
        ("image", _image_problems, _image_summary),
        ("root_volume", _root_volume_problems, lambda plan: _volume_summary(plan.root_volume.described())),
        ("monitoring", _monitoring_problems, lambda _: "detailed (one-minute) monitoring on"),
        ("tags", _tag_problems, lambda plan: f"{' and '.join(plan.tagged_at_launch)} tagged {plan.tags['Name']}"),
        ("security_groups", _security_group_problems, _security_groups_summary),
        ("instance_profile", profiles.problems, lambda _: "this stack's instance profile"),
    ]
    plan = env.node_group.template
    findings = []
    for check, problems_of, summary in checks:
        problems = [
            f"version {n} ({names}): {p}" for n, (names, data) in versions.items() for p in problems_of(env, data)
        ]
        if problems:
            findings.append(failed(f"launch_template.{check}", f"{template_id}: {'; '.join(problems)}", _FIX))
        elif check == "security_groups" and NODE_SECURITY_GROUP not in env.security_groups:
            findings.append(not_compared(f"launch_template.{check}", template_id, ["the node security group"]))
        else:
            findings.append(passed(f"launch_template.{check}", f"{template_id} version {numbers}: {summary(plan)}"))
    return findings


_FIX = (
    "set the default version back to the stack's (aws ec2 modify-launch-template --default-version), "
    f"delete the drifted versions, then {UP_FIX}"
)


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
    return {number: (", ".join(names), data) for number, (names, data) in sorted(found.items())}


# --- one function per check: what is wrong in one version -------------------------------------


def _metadata_problems(env: Environment, data: dict[str, Any]) -> list[str]:
    options = data.get("MetadataOptions", {})
    declared = env.node_group.template.metadata.described()
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


def _image_problems(env: Environment, data: dict[str, Any]) -> list[str]:
    declared = env.node_group.template.described()
    problems = [
        f"{key} {data.get(key)!r}, declared {declared[key]!r}"
        for key in ("ImageId", "InstanceType")
        if key in declared and data.get(key) != declared[key]
    ]
    if data.get("UserData") != declared["UserData"]:
        found = _decoded(data.get("UserData"))
        rendered = len(env.node_group.template.user_data)
        problems.append(f"user data of {len(found)} bytes is not the bootstrap the stack renders ({rendered} bytes)")
    return problems


def _decoded(user_data: str | None) -> str:
    try:
        return base64.b64decode(user_data or "").decode(errors="replace")
    except (binascii.Error, ValueError):
        return user_data or ""


def _image_summary(plan: LaunchTemplatePlan) -> str:
    kind = plan.instance_type or "the group's instance types"
    return f"{plan.image_id}, {kind}, the rendered user data"


def _root_volume_problems(env: Environment, data: dict[str, Any]) -> list[str]:
    declared = [env.node_group.template.root_volume.described()]
    found = data.get("BlockDeviceMappings", [])
    if found == declared:
        return []
    return [
        f"block devices [{'; '.join(_volume_summary(m) for m in found)}], declared [{_volume_summary(declared[0])}]"
    ]


def _volume_summary(mapping: dict[str, Any]) -> str:
    ebs = mapping.get("Ebs", {})
    encrypted = "encrypted" if ebs.get("Encrypted") else "unencrypted"
    kept = "" if ebs.get("DeleteOnTermination") else ", kept after termination"
    return f"{mapping.get('DeviceName')} {ebs.get('VolumeType')} {ebs.get('VolumeSize')} GiB {encrypted}{kept}"


def _monitoring_problems(env: Environment, data: dict[str, Any]) -> list[str]:
    declared = env.node_group.template.described()["Monitoring"]
    if data.get("Monitoring", {}).get("Enabled", False) == declared["Enabled"]:
        return []
    return ["detailed monitoring off: target tracking would see CPU every five minutes, not every minute"]


def _tag_problems(env: Environment, data: dict[str, Any]) -> list[str]:
    found = {s["ResourceType"]: _tag_map(s.get("Tags", [])) for s in data.get("TagSpecifications", [])}
    problems = []
    for spec in env.node_group.template.described_tag_specifications():
        kind, declared = spec["ResourceType"], _tag_map(spec["Tags"])
        if kind not in found:
            problems.append(f"{kind} untagged at launch")
            continue
        problems += [
            f"{kind} tag {key} {found[kind].get(key)!r}, declared {value!r}"
            for key, value in declared.items()
            if found[kind].get(key) != value
        ]
    return problems


def _tag_map(tags: list[dict[str, str]]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags}


def _security_group_problems(env: Environment, data: dict[str, Any]) -> list[str]:
    node_group = env.security_groups.get(NODE_SECURITY_GROUP)
    if node_group is None:
        return []  # the security area reports the node security group missing
    declared = set(env.node_group.template.security_group_ids(node_group["GroupId"]))
    found = set(data.get("SecurityGroupIds", []))
    problems = []
    if extra := sorted(found - declared):
        problems.append(f"undeclared security groups {', '.join(extra)}")
    if missing := sorted(declared - found):
        problems.append(f"missing security groups {', '.join(missing)}")
    return problems


def _security_groups_summary(plan: LaunchTemplatePlan) -> str:
    extra = len(plan.extra_security_group_ids)
    return "the node security group" + (f" and {extra} more (extraSecurityGroupIds)" if extra else "")


class _InstanceProfiles:
    """Whether the instance profile a version names is this stack's: it exists, and carries the
    stack's tag. Each profile is read once (GetInstanceProfile)."""

    def __init__(self, env: Environment):
        self._env = env
        self._seen: dict[str, dict[str, Any] | None] = {}

    def problems(self, env: Environment, data: dict[str, Any]) -> list[str]:
        named = data.get("IamInstanceProfile", {})
        name = named.get("Name") or named.get("Arn", "").rsplit("/", 1)[-1]
        if not name:
            return ["no instance profile: nodes would start without the node role"]
        profile = self._profile(name)
        if profile is None:
            return [f"instance profile {name} does not exist"]
        key, value = env.settings.discovery_tag
        if {t["Key"]: t["Value"] for t in profile.get("Tags", [])}.get(key) != value:
            return [f"instance profile {name} is not this stack's (no tag {key}={value})"]
        return []

    def _profile(self, name: str) -> dict[str, Any] | None:
        if name not in self._seen:
            iam = self._env.aws.client("iam")
            try:
                self._seen[name] = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
            except iam.exceptions.NoSuchEntityException:
                self._seen[name] = None
        return self._seen[name]
