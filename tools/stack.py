"""Apply one of this project's stacks in the emulator: the shared start of every tool.

`preview`, the tests and the other tools all go through `apply_stack`: validate the stack
file with the project's settings (a bad file raises SettingsError before anything is
created), give the emulated account what the stack expects to exist already (an existing
VPC, a certificate, extra security groups), then run `__main__.py` against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from components.settings import StackSettings, load_stack_file
from tools.emulator import Deployment, Emulator, StackConfig, acm, ec2, project_name, read_stack_file

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACKS_DIR = PROJECT_DIR / "stacks"


def stack_file(stack: str) -> Path:
    """`stacks/Pulumi.<stack>.yaml`."""
    return STACKS_DIR / f"Pulumi.{stack}.yaml"


def stack_names() -> list[str]:
    """Every stack shipped in stacks/."""
    return sorted(p.name.split(".")[1] for p in STACKS_DIR.glob("Pulumi.*.yaml"))


def load(path: Path) -> tuple[StackSettings, StackConfig]:
    """The validated settings and the raw Pulumi config of a stack file."""
    settings = load_stack_file(path)
    return settings, read_stack_file(path, project_name(PROJECT_DIR))


@contextmanager
def emulated(
    path: Path, endpoint: str | None = None, account_id: str | None = None
) -> Iterator[tuple[Emulator, Deployment, StackSettings]]:
    """Apply the stack at `path` in an account of its own (a fresh one unless `account_id` names
    it; a moto server's default with `endpoint`); the account stays up inside the `with` block."""
    settings, config = load(path)
    with Emulator(region=config.region, endpoint=endpoint, stack=config.stack, account_id=account_id) as emulator:
        provide_existing_resources(emulator, settings)
        yield emulator, emulator.run(PROJECT_DIR, config), settings


def apply_stack(path: Path, endpoint: str | None = None) -> Deployment:
    """Apply the stack at `path` and return what it created (the account is then discarded)."""
    with emulated(path, endpoint) as (_, deployment, _settings):
        return deployment


def provide_existing_resources(emulator: Emulator, settings: StackSettings) -> None:
    """What the stack references but does not own must exist in the emulated account."""
    aws = emulator.session
    network = settings.network
    if network.existing:
        ec2.provide_network(aws, network.vpc_id, list(network.public_subnet_ids), list(network.private_subnet_ids))
    if settings.nodes.extra_security_group_ids:
        vpc_id = network.vpc_id if network.existing else ec2.provide_vpc(aws)
        for group_id in settings.nodes.extra_security_group_ids:
            ec2.provide_security_group(aws, group_id, vpc_id)
    if settings.load_balancer.certificate_arn:
        acm.provide_certificate(aws, settings.load_balancer.certificate_arn)
