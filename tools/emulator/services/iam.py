"""IAM: the node role, its policies and the instance profile.

Covers: aws:iam Role, RolePolicy (inline), RolePolicyAttachment (managed), InstanceProfile.
moto loads AWS's managed policies for the emulator (the Emulator turns that on), so
attaching a managed policy that does not exist fails here as it does on AWS. moto
parses policy documents as JSON but does not evaluate them.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.registry import Created, Request, resource
from ..core.session import AwsSession, aws_call
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
