"""The settings of a stack file, read as `pulumi up` hands them to the program.

The file goes through the one stack-file reader (tools/stack_file.py) and then through
the program's own entry point, `load_pulumi_config`, with every project key the file
holds (so an unknown section is reported, which pulumi.Config alone cannot list).

Light: yaml and the settings only, no Pulumi, so read-only tools (verify, simulate, tune)
load stack files in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

from components.settings import NAMESPACE, SettingsError, StackSettings, load_pulumi_config
from tools.paths import PROJECT_DIR
from tools.stack_file import StackConfig, StackFileError, project_name, read_stack_file


def load_stack_settings(path: str | Path) -> StackSettings:
    """Settings of the stack file `Pulumi.<stack>.yaml` at `path`; the stack name comes from its name.

    Raises SettingsError, one line per problem, for a file that cannot be read as a stack
    file as for invalid settings.
    """
    return read_stack(path)[0]


def read_stack(path: str | Path) -> tuple[StackSettings, StackConfig]:
    """The settings and the config the program receives, from one reading of the file."""
    try:
        config = read_stack_file(Path(path), project_name(PROJECT_DIR))
    except StackFileError as unreadable:
        raise SettingsError(unreadable.problems) from None
    project = config.namespace(NAMESPACE)
    return load_pulumi_config(project, config.namespace("aws"), config.stack, keys=project.keys()), config
