"""The node role against its plan (plans/iam.py): the role behind the instance profile the group's
launch template names holds exactly the declared statements, scoped to this stack's resources
(the cookie's parameter and key, release.secrets, the artifact, the group, the Cloud Map
service), and no managed policy. A grant added by hand (a wider Resource, another action, an
attached AdministratorAccess) fails, named by its statement; so does one taken away."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from components.plans.discovery import discovery_namespace_name, discovery_service_name
from components.plans.iam import node_role_policy
from components.settings.secret_references import ParameterSource, partition_of

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed
from .common import not_compared, not_found

NAME = "node role"
CHECK = "node_role.policies"
COOKIE_KEY_SID = "DecryptReleaseCookie"
UNKNOWN_KEY = "(the cookie's key)"


def run(env: Environment) -> list[Finding]:
    if env.group is None or env.launch_template is None:
        return [not_found(env, CHECK, "Auto Scaling group")]
    role = _role(env)
    if role is None:
        return [failed(CHECK, "the launch template names no instance profile with a role", UP_FIX)]
    iam = env.aws.client("iam")
    name = role["RoleName"]
    found = {
        statement.get("Sid", "(no Sid)"): statement
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
        for statement in _document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])["Statement"]
    }
    cookie_key = _cookie_key_arn(env)
    declared = {statement["Sid"]: statement for statement in _declared(env, cookie_key)["Statement"]}
    unchecked = ""
    if cookie_key is None and COOKIE_KEY_SID in found:  # the cookie area says why: not failed twice
        declared[COOKIE_KEY_SID] = {**declared[COOKIE_KEY_SID], "Resource": found[COOKIE_KEY_SID].get("Resource")}
        unchecked = f" ({COOKIE_KEY_SID}'s Resource not compared: the cookie's key could not be found or read)"
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    problems = [f"managed policy {arn} attached (the stack attaches none)" for arn in attached]
    problems += [f"{sid} missing: {_grant(declared[sid])}" for sid in declared if sid not in found]
    problems += [f"{sid} not declared: {_grant(found[sid])}" for sid in found if sid not in declared]
    problems += [
        f"{sid}: {_grant(found[sid])}, declared {_grant(declared[sid])}"
        for sid in declared
        if sid in found and _normal(found[sid]) != _normal(declared[sid])
    ]
    if problems:
        fix = f"detach and delete what was added to {name} by hand; {UP_FIX}"
        return [failed(CHECK, f"{name}: {'; '.join(problems)}{unchecked}", fix)]
    detail = f"{name}: the {len(declared)} declared statements, no managed policy"
    if unchecked:
        return [not_compared(CHECK, detail, [f"the cookie's key, which {COOKIE_KEY_SID} grants"])]
    return [passed(CHECK, detail)]


def _role(env: Environment) -> dict[str, Any] | None:
    template_id, version = env.launch_template
    data = env.aws.client("ec2").describe_launch_template_versions(LaunchTemplateId=template_id, Versions=[version])[
        "LaunchTemplateVersions"
    ][0]["LaunchTemplateData"]
    profile = data.get("IamInstanceProfile", {})
    profile_name = profile.get("Name") or profile.get("Arn", "").rsplit("/", 1)[-1]
    if not profile_name:
        return None
    iam = env.aws.client("iam")
    try:
        roles = iam.get_instance_profile(InstanceProfileName=profile_name)["InstanceProfile"]["Roles"]
    except iam.exceptions.NoSuchEntityException:
        return None  # launch_template.instance_profile reports it
    return roles[0] if roles else None


def _declared(env: Environment, cookie_key: str | None) -> dict[str, Any]:
    """The plan's documents with this environment's ARNs: the account is the group's."""
    settings = env.settings
    group_arn = env.group["AutoScalingGroupARN"]
    account, partition = group_arn.split(":")[4], partition_of(settings.region)
    cookie = ParameterSource(settings.release.cookie_parameter)
    return node_role_policy(
        settings.release,
        settings.region,
        cookie_parameter_arn=cookie.parameter_arn(partition, settings.region, account),
        cookie_key_arn=cookie_key or UNKNOWN_KEY,
        group_arn=group_arn,
        **_cloud_map(env),
    )


def _cookie_key_arn(env: Environment) -> str | None:
    """The cookie parameter's key; None when there is none to find or it may not be described."""
    name = env.settings.release.cookie_parameter
    try:
        found = env.aws.client("ssm").describe_parameters(
            ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}]
        )["Parameters"]
        if not found or "KeyId" not in found[0]:  # missing, or a String: the cookie area's findings
            return None
        return env.aws.client("kms").describe_key(KeyId=found[0]["KeyId"])["KeyMetadata"]["Arn"]
    except ClientError:
        return None


def _cloud_map(env: Environment) -> dict[str, str]:
    """dns discovery: the service nodes register in, and its namespace's hosted zone."""
    settings = env.settings
    if settings.release.discovery != "dns":
        return {}
    cloud_map = env.aws.client("servicediscovery")
    namespaces = cloud_map.list_namespaces()["Namespaces"]
    namespace = next((n for n in namespaces if n["Name"] == discovery_namespace_name(settings)), None)
    if namespace is None:
        return {"discovery_service_arn": "(no Cloud Map namespace)", "discovery_hosted_zone_id": "(none)"}
    zone = cloud_map.get_namespace(Id=namespace["Id"])["Namespace"]["Properties"]["DnsProperties"]["HostedZoneId"]
    services = cloud_map.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace["Id"]]}])["Services"]
    service = next((s for s in services if s["Name"] == discovery_service_name(settings)), None)
    arn = service["Arn"] if service else "(no Cloud Map service)"
    return {"discovery_service_arn": arn, "discovery_hosted_zone_id": zone}


def _document(value: Any) -> dict[str, Any]:
    return json.loads(unquote(value)) if isinstance(value, str) else value


def _listed(value: Any) -> list[Any]:
    return sorted(value) if isinstance(value, list) else [value]


def _normal(statement: dict[str, Any]) -> tuple:
    """What a statement grants, however its lists are ordered or a single value is written."""
    return (
        statement.get("Effect"),
        _listed(statement.get("Action")),
        _listed(statement.get("Resource")),
        json.dumps(statement.get("Condition"), sort_keys=True),
    )


def _grant(statement: dict[str, Any]) -> str:
    actions = ", ".join(_listed(statement.get("Action")))
    resources = ", ".join(_listed(statement.get("Resource")))
    condition = " when " + json.dumps(statement["Condition"], sort_keys=True) if statement.get("Condition") else ""
    return f"{statement.get('Effect')} {actions} on {resources}{condition}"
