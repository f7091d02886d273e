"""Apply one of this project's stacks in the emulator: the shared start of the preview, the tests
and the labs; or apply an edited stack file over an earlier one (`apply_change`).

A stack file is read and validated first (tools/stack_files.py: a bad file raises SettingsError
before anything is created); the emulated account then gets what the stack expects to exist
already (an existing VPC, a certificate, extra security groups, a flow-log bucket, a web ACL,
the SSM parameters and Secrets Manager secrets of release.secrets, with random values), and
`__main__.py` runs against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.plans.secrets import release_secrets
from components.settings import StackSettings
from components.settings.secret_references import ParameterSource
from tools.emulator import ChangeFailed, Deployment, Emulator, EmulatorError, Step
from tools.emulator.core.update import UPDATE
from tools.emulator.services import acm, ec2, s3, secretsmanager, ssm, wafv2
from tools.stack_files import PROJECT_DIR, StackFile, load_stack

GROUP_TYPE = "aws:autoscaling/group:Group"


@contextmanager
def emulated(
    stack: StackFile | Path, endpoint: str | None = None, account_id: str | None = None, *, repeatable: bool = False
) -> Iterator[tuple[Emulator, Deployment, StackSettings]]:
    """Apply `stack` (a stack file read already, or the path of one) in an account of its own (a fresh
    one unless `account_id` names it, or `repeatable` asks for the stack's own; a moto server's default
    with `endpoint`); the account stays up inside the `with` block."""
    stack = stack if isinstance(stack, StackFile) else load_stack(stack)
    settings, config = stack.settings, stack.config
    with Emulator(
        region=settings.region, endpoint=endpoint, stack=config.stack, account_id=account_id, repeatable=repeatable
    ) as emulator:
        provide_existing_resources(emulator, settings)
        yield emulator, emulator.run(PROJECT_DIR, config), settings


def apply_stack(stack: StackFile | Path, endpoint: str | None = None) -> Deployment:
    """Apply `stack` and return what it created (the account is then discarded). In-process, in the
    stack's own account: an unchanged stack file gives the same account, ids and order every time."""
    with emulated(stack, endpoint, repeatable=True) as (_, deployment, _settings):
        return deployment


@dataclass
class AppliedChange:
    """An edited stack file applied over the earlier one, as `pulumi up` applies it."""

    steps: list[Step]
    """What happened to each resource, in order (`same` ones included)."""
    deployment: Deployment | None
    """What the new run registered; None when a step failed."""
    failure: EmulatorError | None
    """The step's refusal that stopped the change (it names the resource), else None."""
    refreshes: list[StartedRefresh]
    """The instance refreshes the change started."""


@dataclass(frozen=True)
class StartedRefresh:
    """A refresh as DescribeInstanceRefreshes reports it, and its group as DescribeAutoScalingGroups does."""

    refresh: dict[str, Any]
    group: dict[str, Any]


def apply_change(old: StackFile, new: StackFile, endpoint: str | None = None) -> AppliedChange:
    """Apply `old` (an earlier version of the stack file `new`, applied as `new`'s stack), then
    `new` over it, in the stack's own account as `apply_stack`; the account is then discarded."""
    with emulated(old, endpoint, repeatable=True) as (emulator, deployment, _settings):
        return change(emulator, deployment, new)


def change(emulator: Emulator, applied: Deployment, new: StackFile) -> AppliedChange:
    """`new` applied over `applied`, a run of the same stack in `emulator`'s account."""
    provide_existing_resources(emulator, new.settings)
    try:
        changes = emulator.update(PROJECT_DIR, new.config, applied)
    except ChangeFailed as failed:
        return AppliedChange(failed.steps, None, failed.cause, started_refreshes(emulator, failed.steps))
    return AppliedChange(changes.steps, changes.deployment, None, started_refreshes(emulator, changes.steps))


def started_refreshes(emulator: Emulator, steps: list[Step]) -> list[StartedRefresh]:
    """The refreshes of the groups the change updated (a group the change created starts none)."""
    autoscaling = emulator.session.client("autoscaling")
    started = []
    for step in steps:
        if step.type == GROUP_TYPE and step.action == UPDATE and step.error is None:
            [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[step.new_id])["AutoScalingGroups"]
            found = autoscaling.describe_instance_refreshes(AutoScalingGroupName=step.new_id)["InstanceRefreshes"]
            started += [StartedRefresh(refresh, group) for refresh in found]
    return started


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
