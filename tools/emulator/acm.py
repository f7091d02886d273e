"""ACM: certificates, which the stack only references (it never requests one).

Covers: the fixture `provide_certificate`, so an HTTPS listener naming a certificate ARN
finds it, as moto's ELBv2 checks. What moto lacks: choosing a certificate's ARN, so the
fixture pins it with `moto_fixtures.pinned` (in-process moto only; a moto server
must already hold the certificate).
"""

from __future__ import annotations

from .moto_fixtures import pinned
from .registry import Request
from .session import AwsSession, aws_call

FIXTURE_DOMAIN = "cluster.example.com"


def provide_certificate(aws: AwsSession, arn: str, domain: str = FIXTURE_DOMAIN) -> None:
    """Make the certificate `arn` exist and be issued."""
    acm = aws.client("acm")
    if aws.endpoint:
        aws_call(
            Request(type="existing certificate", name=arn, inputs={}), acm.describe_certificate, CertificateArn=arn
        )
        return
    with pinned("moto.acm.models.make_arn_for_certificate", arn):
        acm.request_certificate(DomainName=domain)
