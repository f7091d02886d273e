"""The AWS managed policies the pack can judge: what each allows, as AWS's Managed Policy Reference
gives it (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html, at the
version named).

A policy pack judges resources; it reads no AWS API while it runs, so a managed policy a role
attaches is judged by its entry here. Only the statements the role rules read are kept (a
policy's other statements grant less). A managed policy not listed here, or one of the
account's own, cannot be judged: the rules say so, and the fix is to grant what the role
needs inline, where the pack reads it, or to add the policy here from its reference page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AWS_MANAGED_POLICY = ":iam::aws:policy/"
"""In every AWS managed policy's ARN (arn:<partition>:iam::aws:policy/[<path>/]<name>)."""

MANAGED_POLICIES: Mapping[str, tuple[str, list[dict[str, Any]]]] = {
    "AdministratorAccess": (
        "v1",
        [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    ),
    "PowerUserAccess": (
        "v12",
        [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}],
    ),
    "AmazonSSMReadOnlyAccess": (
        "v1",
        [{"Effect": "Allow", "Action": ["ssm:Describe*", "ssm:Get*", "ssm:List*"], "Resource": "*"}],
    ),
    "AmazonSSMManagedInstanceCore": (
        "v2",
        [
            {
                "Effect": "Allow",
                "Action": [
                    "ssm:DescribeAssociation",
                    "ssm:GetDeployablePatchSnapshotForInstance",
                    "ssm:GetDocument",
                    "ssm:DescribeDocument",
                    "ssm:GetManifest",
                    "ssm:GetParameter",
                    "ssm:GetParameters",
                    "ssm:ListAssociations",
                    "ssm:ListInstanceAssociations",
                    "ssm:PutInventory",
                    "ssm:PutComplianceItems",
                    "ssm:PutConfigurePackageResult",
                    "ssm:UpdateAssociationStatus",
                    "ssm:UpdateInstanceAssociationStatus",
                    "ssm:UpdateInstanceInformation",
                ],
                "Resource": "*",
            },
        ],
    ),
    "CloudWatchAgentServerPolicy": (
        "v3",
        [
            {
                "Sid": "CWASSMServerPermissions",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter"],
                "Resource": "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*",
            },
        ],
    ),
}
"""Name -> (the version copied, the statements the rules read)."""


def is_aws_managed(arn: str) -> bool:
    return AWS_MANAGED_POLICY in arn


def managed_policy_document(arn: str) -> dict[str, Any] | None:
    """The judged statements of the AWS managed policy `arn` as a policy document; None when unknown."""
    if not is_aws_managed(arn):
        return None
    name = arn.rsplit("/", 1)[-1]
    entry = MANAGED_POLICIES.get(name)
    if entry is None:
        return None
    _, statements = entry
    return {"Version": "2012-10-17", "Statement": [{**s, "Sid": name} for s in statements]}
