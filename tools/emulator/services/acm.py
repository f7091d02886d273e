"""ACM: certificates, which the stack only references (it never requests one).

Covers: the fixture `provide_certificate`, so an HTTPS listener naming a certificate ARN
finds it, as moto's ELBv2 checks. The certificate is issued, as one a listener may use must be:
it is imported (a self-signed one for the fixture's domain), since moto leaves a requested
certificate pending validation for its first minute. What moto lacks: choosing a certificate's
ARN, so the fixture pins moto's ARN generator (`AwsSession.pinned`: in-process, or through this
project's moto server, tools/emulator/server.py).
"""

from __future__ import annotations

import datetime

from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..core.registry import Request
from ..core.session import AwsSession, aws_call

FIXTURE_DOMAIN = "cluster.example.com"
CERTIFICATE_ARNS = "moto.acm.models.make_arn_for_certificate"
"""moto's ARN generator for certificates, pinned to the ARN a stack names."""
NOT_FOUND = "ResourceNotFoundException"
VALIDITY = datetime.timedelta(days=365)


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
    certificate, key = _self_signed(domain)
    with aws.pinned(request, CERTIFICATE_ARNS, arn):
        aws_call(request, acm.import_certificate, Certificate=certificate, PrivateKey=key)


def _self_signed(domain: str) -> tuple[bytes, bytes]:
    """A certificate for `domain` and its key, PEM (an EC key: made in microseconds, unlike RSA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), pem_key
