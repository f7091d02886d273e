"""ACM: certificates, which the stack only references (it never requests one).

Covers: the fixture `provide_certificate`, so an HTTPS listener naming a certificate ARN
finds it, as moto's ELBv2 checks. What moto lacks: choosing a certificate's ARN, so the
fixture pins moto's ARN generator (`AwsSession.pinned`: in-process, or through this
project's moto server, tools/emulator/server.py).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from ..core.registry import Request
from ..core.session import AwsSession, aws_call

FIXTURE_DOMAIN = "cluster.example.com"
CERTIFICATE_ARNS = "moto.acm.models.make_arn_for_certificate"
"""moto's ARN generator for certificates, pinned to the ARN a stack names."""
NOT_FOUND = "ResourceNotFoundException"


def provide_certificate(aws: AwsSession, arn: str, domain: str = FIXTURE_DOMAIN) -> None:
    """Make the certificate `arn` exist and be issued (one that already does is kept)."""
    acm = aws.client("acm")
    request = Request(type="existing certificate", name=arn, inputs={})
    try:
        acm.describe_certificate(CertificateArn=arn)
        return
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != NOT_FOUND:
            raise
    with aws.pinned(request, CERTIFICATE_ARNS, arn):
        aws_call(request, acm.request_certificate, DomainName=domain)
