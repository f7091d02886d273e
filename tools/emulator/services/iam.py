"""IAM: the node role, its policies and the instance profile.

Covers: aws:iam Role, RolePolicy (inline), RolePolicyAttachment (managed), InstanceProfile.
moto loads AWS's managed policies for the emulator (the Emulator turns that on), so
attaching a managed policy that does not exist fails here as it does on AWS. moto
parses policy documents as JSON but does not evaluate them.

An update changes a role's trust policy, description, session length and tags, an inline
policy's document, an instance profile's role; an attachment changes only by replacement.
A deleted role leaves its instance profiles first (AWS refuses otherwise; the provider does it).
"""

from __future__ import annotations

import json
from typing import Any

from ..core.registry import Created, Existing, Request, deletes, no_update, resource, updates
from ..core.session import AwsSession, aws_call, gone, retag
from ..core.wire import request_tags, tags_state, to_int

ROLE_NAME_MAX = 64
PROFILE_NAME_MAX = 128


def _iam(aws: AwsSession) -> Any:
    return aws.client("iam")


def _document(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@resource("aws:iam/role:Role")
def role(aws: AwsSession, req: Request) -> Created:
    name = aws.physical_name(req, ROLE_NAME_MAX)
    created = aws_call(
        req,
        _iam(aws).create_role,
        RoleName=name,
        Path=req.get("path", "/"),
        AssumeRolePolicyDocument=_document(req.get("assumeRolePolicy")),
        Description=req.get("description"),
        MaxSessionDuration=to_int(req.get("maxSessionDuration")),
        PermissionsBoundary=req.get("permissionsBoundary"),
        Tags=request_tags(req),
    )["Role"]
    state = {**req.inputs, **tags_state(req), "name": name, "arn": created["Arn"], "uniqueId": created["RoleId"]}
    return Created(name, state)


@resource("aws:iam/rolePolicy:RolePolicy")
def role_policy(aws: AwsSession, req: Request) -> Created:
    name = aws.physical_name(req, ROLE_NAME_MAX * 2)
    aws_call(
        req,
        _iam(aws).put_role_policy,
        RoleName=req.get("role"),
        PolicyName=name,
        PolicyDocument=_document(req.get("policy")),
    )
    return Created(f"{req.get('role')}:{name}", {**req.inputs, "name": name})


@resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def role_policy_attachment(aws: AwsSession, req: Request) -> Created:
    aws_call(req, _iam(aws).attach_role_policy, RoleName=req.get("role"), PolicyArn=req.get("policyArn"))
    return Created(f"{req.get('role')}-{req.get('policyArn').rsplit('/', 1)[-1]}", dict(req.inputs))


@resource("aws:iam/instanceProfile:InstanceProfile")
def instance_profile(aws: AwsSession, req: Request) -> Created:
    iam = _iam(aws)
    name = aws.physical_name(req, PROFILE_NAME_MAX)
    created = aws_call(
        req,
        iam.create_instance_profile,
        InstanceProfileName=name,
        Path=req.get("path", "/"),
        Tags=request_tags(req),
    )["InstanceProfile"]
    if req.get("role"):
        aws_call(req, iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=req.get("role"))
    state = {
        **req.inputs,
        **tags_state(req),
        "name": name,
        "arn": created["Arn"],
        "uniqueId": created["InstanceProfileId"],
    }
    return Created(name, state)


# --- changes to an applied stack: updates in place and deletes ------------------------------


@updates("aws:iam/role:Role", handles=("assumeRolePolicy", "description", "maxSessionDuration", "tags"))
def update_role(aws: AwsSession, req: Request, old: Existing) -> Created:
    iam, name = _iam(aws), old.id
    if req.get("assumeRolePolicy") != old.inputs.get("assumeRolePolicy"):
        aws_call(
            req, iam.update_assume_role_policy, RoleName=name, PolicyDocument=_document(req.get("assumeRolePolicy"))
        )
    if (req.get("description"), req.get("maxSessionDuration")) != (
        old.inputs.get("description"),
        old.inputs.get("maxSessionDuration"),
    ):
        aws_call(
            req,
            iam.update_role,
            RoleName=name,
            Description=req.get("description", ""),
            MaxSessionDuration=to_int(req.get("maxSessionDuration")),
        )
    retag(req, old, iam.untag_role, iam.tag_role, RoleName=name)
    return Created(name, old.updated(req, **tags_state(req)))


@deletes("aws:iam/role:Role")
def delete_role(aws: AwsSession, old: Existing) -> None:
    iam = _iam(aws)
    profiles = (
        aws_call(old, iam.list_instance_profiles_for_role, RoleName=old.id)["InstanceProfiles"]
        if _exists(iam, old.id)
        else []
    )
    for profile in profiles:
        gone(
            old,
            iam.remove_role_from_instance_profile,
            InstanceProfileName=profile["InstanceProfileName"],
            RoleName=old.id,
        )
    gone(old, iam.delete_role, RoleName=old.id)


def _exists(iam: Any, role: str) -> bool:
    try:
        iam.get_role(RoleName=role)
    except iam.exceptions.NoSuchEntityException:
        return False
    return True


@updates("aws:iam/rolePolicy:RolePolicy", handles=("policy",))
def update_role_policy(aws: AwsSession, req: Request, old: Existing) -> Created:
    aws_call(
        req,
        _iam(aws).put_role_policy,
        RoleName=req.get("role"),
        PolicyName=old.get("name"),
        PolicyDocument=_document(req.get("policy")),
    )
    return Created(old.id, old.updated(req))


@deletes("aws:iam/rolePolicy:RolePolicy")
def delete_role_policy(aws: AwsSession, old: Existing) -> None:
    gone(old, _iam(aws).delete_role_policy, "NoSuchEntity", RoleName=old.inputs.get("role"), PolicyName=old.get("name"))


no_update("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "its role and policy ARN both force a replacement")


@deletes("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def delete_role_policy_attachment(aws: AwsSession, old: Existing) -> None:
    gone(
        old,
        _iam(aws).detach_role_policy,
        "NoSuchEntity",
        RoleName=old.inputs.get("role"),
        PolicyArn=old.inputs.get("policyArn"),
    )


@updates("aws:iam/instanceProfile:InstanceProfile", handles=("role", "tags"))
def update_instance_profile(aws: AwsSession, req: Request, old: Existing) -> Created:
    iam, name = _iam(aws), old.id
    if req.get("role") != old.inputs.get("role"):
        if old.inputs.get("role"):
            aws_call(req, iam.remove_role_from_instance_profile, InstanceProfileName=name, RoleName=old.inputs["role"])
        if req.get("role"):
            aws_call(req, iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=req.get("role"))
    retag(req, old, iam.untag_instance_profile, iam.tag_instance_profile, InstanceProfileName=name)
    return Created(name, old.updated(req, **tags_state(req)))


@deletes("aws:iam/instanceProfile:InstanceProfile")
def delete_instance_profile(aws: AwsSession, old: Existing) -> None:
    iam = _iam(aws)
    if old.inputs.get("role"):
        gone(
            old,
            iam.remove_role_from_instance_profile,
            "NoSuchEntity",
            InstanceProfileName=old.id,
            RoleName=old.inputs["role"],
        )
    gone(old, iam.delete_instance_profile, "NoSuchEntity", InstanceProfileName=old.id)
