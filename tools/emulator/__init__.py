"""An emulated AWS for Pulumi programs: the mock runtime in front, moto behind.

One module per AWS service (ec2, ...), each registering a handler per Pulumi type; see
`program.Emulator` for how a program is run and `stack_config` for how its stack file is
read. This package never imports the program it runs. Importing it patches moto
for speed (`moto_fixtures`, the one module that touches moto's internals).
"""

from . import (  # noqa: F401 - each registers its handlers
    acm,
    autoscaling,
    cloudwatch,
    ec2,
    elbv2,
    iam,
    kms,
    logs,
    moto_fixtures,
    provider,
    random_provider,
    s3,
    servicediscovery,
    sns,
    ssm,
    wafv2,
)
from .mocks import ResourceRecord
from .program import Deployment, Emulator, ProgramFailed
from .registry import EmulatorError, UnsupportedType
from .stack_config import StackConfig, project_name, read_stack_file
from .wire import SECRET_MASK

moto_fixtures.install()

__all__ = [
    "SECRET_MASK",
    "Deployment",
    "Emulator",
    "EmulatorError",
    "ProgramFailed",
    "ResourceRecord",
    "StackConfig",
    "UnsupportedType",
    "project_name",
    "read_stack_file",
]
