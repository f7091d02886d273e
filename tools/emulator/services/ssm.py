"""SSM Parameter Store: the release cookie.

Covers: aws:ssm Parameter (String, StringList, SecureString with the default or a
named KMS key). `value` is secret in state, as the provider marks it. moto encrypts
nothing, but `get_parameter(WithDecryption=False)` on a SecureString returns a
placeholder rather than the value, as AWS returns ciphertext.
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Request, resource
from ..core.session import AwsSession, aws_call
from ..core.wire import request_tags, tags_state


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
