"""ACM: certificates, which the stack only references (it never requests one).

Covers: the fixture `provide_certificate`, so an HTTPS listener naming a certificate ARN
finds it, as moto's ELBv2 checks. What moto lacks: choosing a certificate's ARN, so the
fixture pins it by patching moto's ARN generator (in-process moto only; a moto server
must already hold the certificate).
"""

from __future__ import annotations

import threading
from unittest import mock

from .registry import Request
from .session import AwsSession, aws_call

_ARN_PATCH_LOCK = threading.Lock()
FIXTURE_DOMAIN = "cluster.example.com"


def provide_certificate(aws: AwsSession, arn: str, domain: str = FIXTURE_DOMAIN) -> None:
    """Make the certificate `arn` exist and be issued."""
    acm = aws.client("acm")
    if aws.endpoint:
        aws_call(
            Request(type="existing certificate", name=arn, inputs={}), acm.describe_certificate, CertificateArn=arn
        )
        return
    with _ARN_PATCH_LOCK, mock.patch("moto.acm.models.make_arn_for_certificate", lambda *_: arn):
        acm.request_certificate(DomainName=domain)
