"""An emulated AWS for Pulumi programs: the mock runtime in front, moto behind.

`core/` is the plumbing (how a program is run: `core.program.Emulator`, `run` and, over an
applied run, `update`; the mocks, the handler registry, the change engine, the boto3 session, wire
conversions, every patch to moto); `services/` holds one module per AWS service, each registering
create, update and delete handlers per Pulumi type, and `services/force_new` the properties that
force a replacement, from terraform-provider-aws's schemas; `server` is this project's moto
server (`python -m tools.emulator.server`). A program's stack file is read by
tools/stack_files.py and handed to `Emulator.run` as a `StackConfig`. This package never imports
the program it runs. Importing it registers every handler and patches moto for speed
(`core.moto_fixtures`, the one module that touches moto's internals).
"""

from tools.stack_files import StackConfig, project_name, read_stack_file

from . import services
from .core import moto_fixtures, provider  # noqa: F401 - provider registers the provider's invokes
from .core.mocks import ResourceRecord
from .core.program import Changes, Deployment, Emulator, ProgramFailed, fresh_account_id
from .core.registry import EmulatorError, UnsupportedType
from .core.session import ACCOUNT_HEADER
from .core.update import ChangeFailed, Step
from .core.wire import SECRET_MASK, whole_numbers
from .services import acm, ec2, s3, wafv2  # the fixtures of what a stack references but does not own

moto_fixtures.install()

__all__ = [
    "ACCOUNT_HEADER",
    "SECRET_MASK",
    "ChangeFailed",
    "Changes",
    "Deployment",
    "Emulator",
    "EmulatorError",
    "ProgramFailed",
    "ResourceRecord",
    "StackConfig",
    "UnsupportedType",
    "acm",
    "ec2",
    "fresh_account_id",
    "project_name",
    "read_stack_file",
    "s3",
    "services",
    "Step",
    "wafv2",
    "whole_numbers",
]
