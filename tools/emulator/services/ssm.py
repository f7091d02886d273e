"""SSM Parameter Store: the release cookie, and the parameters release.secrets references.

Covers: aws:ssm Parameter (String, StringList, SecureString with the default or a
named KMS key). `value` is secret in state, as the provider marks it. moto encrypts
nothing, but `get_parameter(WithDecryption=False)` on a SecureString returns a
placeholder rather than the value, as AWS returns ciphertext. And the fixture
`provide_parameter`: a SecureString a stack names but does not own, with a random value,
as many versions as its pin needs or the label it pins (one that exists is kept).

placeholder rather than the value, as AWS returns ciphertext.

A create never overwrites a parameter that exists (the provider sends Overwrite only for an
update, so AWS refuses with ParameterAlreadyExists); an update puts the parameter again with
Overwrite, and its version grows.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..core.registry import Created, Existing, Request, deletes, resource, updates
from ..core.session import AwsSession, aws_call, gone, retag
from ..core.wire import request_tags, tags_state
from .secretsmanager import random_value

SECURE_STRING = "SecureString"
NOT_FOUND = "ParameterNotFound"

PARAMETER_SETTINGS = ("allowedPattern", "description", "insecureValue", "keyId", "tier", "type", "value")


def _ssm(aws: AwsSession) -> Any:
    return aws.client("ssm")


@resource("aws:ssm/parameter:Parameter")
def parameter(aws: AwsSession, req: Request) -> Created:
    name = req.get("name") or aws.physical_name(req, 2048)
    aws_call(
        req,
        _ssm(aws).put_parameter,
        Name=name,
        **_settings(req),
        Tags=request_tags(req),
    )
    found = _ssm(aws).get_parameter(Name=name)["Parameter"]
    state = {**req.inputs, **tags_state(req), "name": name, "arn": found["ARN"], "version": found["Version"]}
    return Created(name, state, secret_outputs=("value",))


def provide_parameter(aws: AwsSession, name: str, selector: str | None = None) -> None:
    """Make the SecureString `name` exist, with the version (`3`) or label a stack pins it to."""
    ssm = _ssm(aws)
    request = Request(type="existing parameter", name=name, inputs={})
    try:
        version = ssm.get_parameter(Name=name)["Parameter"]["Version"]
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != NOT_FOUND:
            raise
        version = 0
    wanted = int(selector) if selector and selector.isdigit() else 1
    for _ in range(version, wanted):
        put = {"Name": name, "Type": SECURE_STRING, "Value": random_value(), "Overwrite": True}
        version = aws_call(request, ssm.put_parameter, **put)["Version"]
    if selector and not selector.isdigit():
        aws_call(request, ssm.label_parameter_version, Name=name, ParameterVersion=version, Labels=[selector])


def _settings(req: Request) -> dict[str, Any]:
    """What PutParameter sets of the parameter, creating it or overwriting it."""
    return {
        "Type": req.get("type"),
        "Value": req.get("value") if req.get("value") is not None else req.get("insecureValue"),
        "KeyId": req.get("keyId"),
        "Description": req.get("description"),
        "Tier": req.get("tier"),
        "DataType": req.get("dataType"),
    }


# --- changes to an applied stack: updates in place and deletes ------------------------------


@updates("aws:ssm/parameter:Parameter", handles=(*PARAMETER_SETTINGS, "tags"))
def update_parameter(aws: AwsSession, req: Request, old: Existing) -> Created:
    ssm, name = _ssm(aws), old.id
    if any(req.get(key) != old.inputs.get(key) for key in PARAMETER_SETTINGS):
        aws_call(
            req,
            ssm.put_parameter,
            Name=name,
            **_settings(req),
            Overwrite=True,
        )
    retag(req, old, ssm.remove_tags_from_resource, ssm.add_tags_to_resource, ResourceType="Parameter", ResourceId=name)
    version = ssm.get_parameter(Name=name)["Parameter"]["Version"]
    return Created(name, old.updated(req, **tags_state(req), version=version), secret_outputs=("value",))


@deletes("aws:ssm/parameter:Parameter")
def delete_parameter(aws: AwsSession, old: Existing) -> None:
    gone(old, _ssm(aws).delete_parameter, "ParameterNotFound", Name=old.id)
