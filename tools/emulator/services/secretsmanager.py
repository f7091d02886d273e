"""Secrets Manager: the secrets a stack references but does not own (release.secrets).

Covers: the fixture `provide_secret`, so a secret a stack names exists under its complete ARN
(the name and the six characters Secrets Manager adds), holding a JSON object with the key the
stack reads, in the version stage or under the version id it pins. The value is random: the
stack must never see it. A secret that exists already is kept as it is (the node lab seeds its
own values first). What moto lacks: choosing a secret's ARN, so the fixture pins moto's ARN
generator (`AwsSession.pinned`: in-process, or through this project's moto server,
tools/emulator/server.py).
"""

from __future__ import annotations

import json
import re
import secrets

from botocore.exceptions import ClientError

from ..core.registry import Request
from ..core.session import AwsSession, aws_call

SECRET_ARNS = "moto.secretsmanager.utils.SecretsManagerSecretIdentifier.generate"
"""moto's ARN generator for secrets, pinned to the ARN a stack names."""
NOT_FOUND = "ResourceNotFoundException"
CURRENT = "AWSCURRENT"
SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
"""What Secrets Manager adds to a secret's name in its ARN."""


def provide_secret(
    aws: AwsSession,
    arn: str,
    *,
    json_key: str | None = None,
    version_stage: str | None = None,
    version_id: str | None = None,
) -> None:
    """Make the secret `arn` exist, readable as the stack reads it (one that already does is kept)."""
    client = aws.client("secretsmanager")
    request = Request(type="existing secret", name=arn, inputs={})
    try:
        client.describe_secret(SecretId=arn)
        return
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != NOT_FOUND:
            raise
    name = SUFFIX.sub("", arn.split(":", 6)[6])
    value = json.dumps({json_key: random_value()}) if json_key else random_value()
    with aws.pinned(request, SECRET_ARNS, arn):
        # with a version id pinned, the first version is that one (and current)
        aws_call(request, client.create_secret, Name=name, SecretString=value, ClientRequestToken=version_id)
    if version_stage and version_stage != CURRENT:
        aws_call(request, client.put_secret_value, SecretId=arn, SecretString=value, VersionStages=[version_stage])


def random_value() -> str:
    """A value no test or stack can know: what the stack holds must never contain it."""
    return secrets.token_urlsafe(24)
