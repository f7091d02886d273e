"""SSM Parameter Store: the release cookie, and the parameters release.secrets references.

Covers: aws:ssm Parameter (String, StringList, SecureString with the default or a
named KMS key). `value` is secret in state, as the provider marks it. moto encrypts
nothing, but `get_parameter(WithDecryption=False)` on a SecureString returns a
placeholder rather than the value, as AWS returns ciphertext. And the fixture
`provide_parameter`: a SecureString a stack names but does not own, with a random value,
as many versions as its pin needs or the label it pins (one that exists is kept).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..core.registry import Created, Request, resource
from ..core.session import AwsSession, aws_call
from ..core.wire import request_tags, tags_state
from .secretsmanager import random_value

SECURE_STRING = "SecureString"
NOT_FOUND = "ParameterNotFound"


def _ssm(aws: AwsSession) -> Any:
    return aws.client("ssm")


@resource("aws:ssm/parameter:Parameter")
def parameter(aws: AwsSession, req: Request) -> Created:
    name = req.get("name") or aws.physical_name(req, 2048)
    aws_call(
        req,
        _ssm(aws).put_parameter,
        Name=name,
        Type=req.get("type"),
        Value=req.get("value") if req.get("value") is not None else req.get("insecureValue"),
        KeyId=req.get("keyId"),
        Description=req.get("description"),
        Tier=req.get("tier"),
        DataType=req.get("dataType"),
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
