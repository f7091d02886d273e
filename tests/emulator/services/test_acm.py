"""ACM in moto: the certificate a stack references but does not own (`provide_certificate`), issued
under the ARN the stack names, and the error a listener naming a certificate nobody provided gets."""

from __future__ import annotations

import pytest

from tests.support.programs import NETWORK, TARGET_GROUP
from tools.emulator import EmulatorError
from tools.emulator.services import acm

ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

HTTPS = """
lb = aws.lb.LoadBalancer("lb", load_balancer_type="application", subnets=[s.id for s in subnets],
    security_groups=[sg.id])
aws.lb.Listener("https", load_balancer_arn=lb.arn, port=443, protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06", certificate_arn="{arn}",
    default_actions=[{{"type": "forward", "target_group_arn": tg.arn}}])
"""


def test_a_provided_certificate_is_issued_under_the_arn_the_stack_names(emulator, aws):
    acm.provide_certificate(emulator.session, ARN)
    acm.provide_certificate(emulator.session, ARN)  # a stack applied twice
    client = aws("acm")
    assert [c["CertificateArn"] for c in client.list_certificates()["CertificateSummaryList"]] == [ARN]
    certificate = client.describe_certificate(CertificateArn=ARN)["Certificate"]
    assert certificate["Status"] == "ISSUED"  # an ALB listener takes only an issued certificate
    assert certificate["DomainName"] == "cluster.example.com"
    assert certificate["SubjectAlternativeNames"] == ["cluster.example.com"]


def test_a_listener_naming_a_certificate_nobody_provided_is_refused_in_aws_words(run):
    with pytest.raises(EmulatorError) as refused:
        run(NETWORK + TARGET_GROUP + HTTPS.format(arn=ARN))
    # AWS's error code; its message names the ARN, moto's does not
    assert str(refused.value).startswith("aws:lb/listener:Listener 'https': CertificateNotFound: ")
