"""Apply one of this project's stacks in the emulator: the shared start of the preview, the tests
and the labs.

A stack file is read and validated first (tools/stack_files.py: a bad file raises SettingsError
before anything is created); the emulated account then gets what the stack expects to exist
already (an existing VPC, a certificate, extra security groups, a flow-log bucket, a web ACL,
the SSM parameters and Secrets Manager secrets of release.secrets, with random values), and
`__main__.py` runs against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from components.plans.secrets import release_secrets
from components.settings import StackSettings
from components.settings.secret_references import ParameterSource
from tools.emulator import Deployment, Emulator
from tools.emulator.services import acm, ec2, s3, secretsmanager, ssm, wafv2
from tools.stack_files import PROJECT_DIR, StackFile, load_stack


@contextmanager
def emulated(
    stack: StackFile | Path, endpoint: str | None = None, account_id: str | None = None
) -> Iterator[tuple[Emulator, Deployment, StackSettings]]:
    """Apply `stack` (a stack file read already, or the path of one) in an account of its own (a fresh
    one unless `account_id` names it; a moto server's default with `endpoint`); the account stays up
    inside the `with` block."""
    stack = stack if isinstance(stack, StackFile) else load_stack(stack)
    settings, config = stack.settings, stack.config
    with Emulator(region=config.region, endpoint=endpoint, stack=config.stack, account_id=account_id) as emulator:
        provide_existing_resources(emulator, settings)
        yield emulator, emulator.run(PROJECT_DIR, config), settings


def apply_stack(stack: StackFile | Path, endpoint: str | None = None) -> Deployment:
    """Apply `stack` and return what it created (the account is then discarded)."""
    with emulated(stack, endpoint) as (_, deployment, _settings):
        return deployment


def provide_existing_resources(emulator: Emulator, settings: StackSettings) -> None:
    """What the stack references but does not own must exist in the emulated account, under the
    ids the stack names (in a moto server too: this project's can create them, a stock one cannot)."""
    aws = emulator.session
    network = settings.network
    if settings.load_balancer.certificate_arn:
        acm.provide_certificate(aws, settings.load_balancer.certificate_arn)
    if network.existing:
        ec2.provide_network(aws, network.vpc_id, list(network.public_subnet_ids), list(network.private_subnet_ids))
    if settings.nodes.extra_security_group_ids:
        vpc_id = network.vpc_id if network.existing else ec2.provide_vpc(aws)
        for group_id in settings.nodes.extra_security_group_ids:
            ec2.provide_security_group(aws, group_id, vpc_id)
    flow_logs = network.flow_logs
    if flow_logs.enabled and flow_logs.bucket is not None:
        s3.provide_bucket(aws, flow_logs.bucket)
    if settings.load_balancer.protected_by_waf and settings.load_balancer.waf.web_acl_arn:
        wafv2.provide_web_acl(aws, settings.load_balancer.waf.web_acl_arn)
    for secret in release_secrets(settings.release):
        source = secret.source
        if isinstance(source, ParameterSource):  # by ARN too: moto reads a parameter's ARN as its name
            ssm.provide_parameter(aws, source.name, source.selector)
        else:
            secretsmanager.provide_secret(
                aws,
                source.arn,
                json_key=source.json_key,
                version_stage=source.version_stage,
                version_id=source.version_id,
            )
