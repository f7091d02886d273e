"""CloudWatch Logs: log groups the stack creates (flow logs, WAF logs).

Covers: aws:cloudwatch LogGroup (retention, KMS encryption, tags). What moto lacks: it
stores `kmsKeyId` without asking KMS. AWS refuses to create a log group whose key does not
exist or whose policy does not let CloudWatch Logs use it for that log group
(AccessDeniedException); the handler checks both, reading the key policy's statements for
the regional logs service principal with the log group's ARN in the
`kms:EncryptionContext:aws:logs:arn` condition (it does not evaluate IAM logic beyond that).
"""

from __future__ import annotations

import json
from typing import Any

from ..core.registry import Created, EmulatorError, Existing, Request, deletes, resource, updates
from ..core.session import AwsSession, aws_call, gone
from ..core.wire import retagged, tags_state, to_int

NAME_MAX = 512
LOGS_CONTEXT_KEY = "kms:EncryptionContext:aws:logs:arn"


def _logs(aws: AwsSession) -> Any:
    return aws.client("logs")


@resource("aws:cloudwatch/logGroup:LogGroup")
def log_group(aws: AwsSession, req: Request) -> Created:
    logs = _logs(aws)
    name = aws.physical_name(req, NAME_MAX)
    arn = aws.arn("logs", f"log-group:{name}")
    key = req.get("kmsKeyId")
    if key:
        _check_key_lets_logs_encrypt(aws, req, key, arn)
    aws_call(
        req,
        logs.create_log_group,
        logGroupName=name,
        kmsKeyId=key,
        logGroupClass=req.get("logGroupClass"),
        tags=req.get("tags") or None,
    )
    retention = to_int(req.get("retentionInDays"))
    if retention:  # 0 (or unset) is "never expire": no policy
        aws_call(req, logs.put_retention_policy, logGroupName=name, retentionInDays=retention)
    state = {
        **req.inputs,
        **tags_state(req),
        "name": name,
        "arn": arn,  # the provider drops the ":*" the API appends
        "retentionInDays": retention or 0,
        "logGroupClass": req.get("logGroupClass", "STANDARD"),
        "skipDestroy": req.get("skipDestroy", False),
    }
    return Created(name, state)


def _check_key_lets_logs_encrypt(aws: AwsSession, req: Request, key: str, group_arn: str) -> None:
    kms = aws.client("kms")
    policy = json.loads(aws_call(req, kms.get_key_policy, KeyId=key, PolicyName="default")["Policy"])
    principal = f"logs.{aws.region}.amazonaws.com"
    for statement in policy.get("Statement", []):
        services = statement.get("Principal", {}).get("Service", [])
        services = [services] if isinstance(services, str) else services
        contexts = [v.get(LOGS_CONTEXT_KEY) for v in statement.get("Condition", {}).values()]
        if statement.get("Effect") == "Allow" and principal in services and group_arn in contexts:
            return
    raise EmulatorError(
        f"{req.type} '{req.name}': AccessDeniedException: The specified KMS key does not exist or is not "
        f"allowed to be used with Arn '{group_arn}'"
    )


# --- changes to an applied stack: updates in place and deletes ------------------------------


@updates("aws:cloudwatch/logGroup:LogGroup", handles=("retentionInDays", "skipDestroy", "tags"))
def update_log_group(aws: AwsSession, req: Request, old: Existing) -> Created:
    logs, name = _logs(aws), old.id
    retention = to_int(req.get("retentionInDays")) or 0
    if retention != (to_int(old.inputs.get("retentionInDays")) or 0):
        if retention:
            aws_call(req, logs.put_retention_policy, logGroupName=name, retentionInDays=retention)
        else:
            aws_call(req, logs.delete_retention_policy, logGroupName=name)
    to_set, to_remove = retagged(old, req)
    if to_remove:
        aws_call(req, logs.untag_resource, resourceArn=old.get("arn"), tagKeys=to_remove)
    if to_set:
        aws_call(req, logs.tag_resource, resourceArn=old.get("arn"), tags=to_set)
    return Created(name, old.updated(req, **tags_state(req), retentionInDays=retention))


@deletes("aws:cloudwatch/logGroup:LogGroup")
def delete_log_group(aws: AwsSession, old: Existing) -> None:
    if not old.inputs.get("skipDestroy"):
        gone(old, _logs(aws).delete_log_group, logGroupName=old.id)
