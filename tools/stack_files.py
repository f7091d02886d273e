"""Stack files: where they live, and the one reader, as the Pulumi CLI hands them to a program.

`read_stack_file` is the only function that opens a stack file. The emulator feeds what it
returns (`StackConfig`) to the mock runtime; `load_stack` validates the settings from that same
reading through the program's own entry point, so an offline run, the preview and every
read-only tool see exactly what `pulumi up` sees.

- `Pulumi.yaml` gives the project name (https://www.pulumi.com/docs/iac/concepts/projects/project-file/).
- `Pulumi.<stack>.yaml` gives the stack name (from the file name) and its config
  (https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/). Keys without
  a namespace belong to the project; every value reaches the program as a string, a
  structured one (map, list) as JSON; `secure:` values are secrets whose ciphertext cannot
  be decrypted here, so the program sees a placeholder.
- The region is `aws:region`, else the AWS provider's environment variables (AWS_REGION, then
  AWS_DEFAULT_REGION), as components/settings/region.py reads it; with none, the settings refuse
  the file naming `aws:region` (the provider has no default either).

Importing this module loads yaml only: no pulumi, no moto, no project code (the settings are
imported when `load_stack` first runs), so the emulator, which applies any program, reads stack
files here without loading this project's components, and any tool reads them cheaply.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from components.settings import StackSettings

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACKS_DIR = PROJECT_DIR / "stacks"
STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[A-Za-z0-9_.-]+)\.ya?ml$")
SECRET_PLACEHOLDER = "emulator-secret-placeholder"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's parser and emitter when PyYAML has them: the same safe constructor and
representer, several times faster."""


# --- where stack files live --------------------------------------------------------------


def stack_file(stack: str) -> Path:
    """`stacks/Pulumi.<stack>.yaml`."""
    return STACKS_DIR / f"Pulumi.{stack}.yaml"


def stack_names() -> list[str]:
    """Every stack shipped in stacks/."""
    return sorted(stack_name(path) for path in STACKS_DIR.glob("Pulumi.*.yaml"))


# --- the config, as the program receives it ------------------------------------------------


class StackFileError(ValueError):
    """The file cannot be read as a stack file; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class StackConfig:
    """A stack's config as the program receives it: full keys (`namespace:key`) to strings."""

    project: str
    stack: str
    config: dict[str, str] = field(default_factory=dict)
    secret_keys: list[str] = field(default_factory=list)

    @property
    def region(self) -> str | None:
        """`aws:region`, else the environment's, as the AWS provider reads it; None when neither names one."""
        from components.settings.region import stack_region  # the settings' rule; loaded only when asked

        return stack_region(self.config.get("aws:region")).name

    def namespace(self, name: str) -> Namespace:
        """The keys of one namespace, read like `pulumi.Config(name)`."""
        return Namespace(self, name)


@dataclass(frozen=True)
class Namespace:
    """One namespace of a StackConfig, with pulumi.Config's `get`, and `keys` (which it lacks)."""

    stack: StackConfig
    name: str

    def get(self, key: str) -> str | None:
        return self.stack.config.get(f"{self.name}:{key}")

    def keys(self) -> list[str]:
        prefix = f"{self.name}:"
        return [key.removeprefix(prefix) for key in self.stack.config if key.startswith(prefix)]


def project_name(program_dir: Path = PROJECT_DIR) -> str:
    """The `name` in the program's Pulumi.yaml (this project's by default): the namespace of its
    bare config keys."""
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        path = Path(program_dir) / candidate
        if path.exists():
            return load_yaml(path.read_text())["name"]
    raise StackFileError([f"no Pulumi.yaml in {program_dir}"])


def load_yaml(text: str) -> Any:
    """`yaml.safe_load`, with libyaml's parser where PyYAML was built with it."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


def dump_yaml(document: Any) -> str:
    """`yaml.safe_dump` with keys in their order (a stack file as written), through libyaml
    where PyYAML has it."""
    return yaml.dump(document, Dumper=_SAFE_DUMPER, sort_keys=False)


def stack_name(path: Path) -> str:
    """`prod` for `Pulumi.prod.yaml`."""
    match = STACK_FILE.match(Path(path).name)
    if not match:
        raise StackFileError([f"{Path(path).name}: a stack file is named Pulumi.<stack>.yaml"])
    return match["stack"]


def read_stack_file(path: Path, project: str | None = None, stack: str | None = None) -> StackConfig:
    """The config of the stack file at `path`, for a program of `project` (this one's by default),
    as the config of `stack` when given (an earlier version of a stack's file, whatever it is named),
    else of the stack its name says.

    Raises StackFileError, each line starting with the project, when the file is not named
    like a stack file (and no `stack` is given), is not YAML, is not a map whose `config` is a
    map, or gives a key both with and without the project's namespace.
    """
    path = Path(path)
    project = project or project_name()
    try:
        result = StackConfig(project=project, stack=stack or stack_name(path))
    except StackFileError as misnamed:
        raise StackFileError([f"{project}: {line}" for line in misnamed.problems]) from None
    problems = []
    for key, value in _config(path, project).items():
        full_key = str(key) if ":" in str(key) else f"{project}:{key}"
        if full_key in result.config:
            problems.append(f"{full_key}: given twice (with and without the namespace)")
        if _is_secure(value):
            result.secret_keys.append(full_key)
            value = SECRET_PLACEHOLDER
        result.config[full_key] = _wire_value(value)
    if problems:
        raise StackFileError(problems)
    return result


def _config(path: Path, project: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as unreadable:  # a directory, no permission...
        raise StackFileError([f"{project}: {path}: cannot read it: {unreadable.strerror or unreadable}"]) from None
    except UnicodeDecodeError:
        raise StackFileError([f"{project}: {path.name}: not a stack file: not UTF-8 text"]) from None
    try:
        document = load_yaml(text) or {}
    except yaml.YAMLError as broken:
        raise StackFileError([f"{project}: {path.name}: not valid YAML: {_one_line(broken)}"]) from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(config or {}, dict):
        raise StackFileError([f"{project}: {path.name}: a stack file is a map whose 'config' is a map"])
    return config or {}


def _one_line(error: yaml.YAMLError) -> str:
    """PyYAML's message spans lines (with a caret drawing); a problem is one line."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    if mark is None or problem is None:
        return " ".join(str(error).split())
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _wire_value(value: Any) -> str:
    """Config values reach a Pulumi program as strings; structured ones as JSON."""
    if value is None:
        return ""  # the CLI reads an empty value as an empty string
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)  # YAML dates become their text
    return str(value)


# --- the settings, validated from the same reading ---------------------------------------------


@dataclass(frozen=True)
class StackFile:
    """A stack file of this project read once: the config the program receives, and the settings
    the program validates from it."""

    path: Path
    config: StackConfig
    settings: StackSettings

    @property
    def stack(self) -> str:
        return self.config.stack


def load_stack(path: str | Path, stack: str | None = None) -> StackFile:
    """The stack file `Pulumi.<stack>.yaml` at `path`, its settings validated as `pulumi up` would
    (as the stack `stack` when given: see `read_stack_file`).

    The config goes through the program's own entry point, `load_pulumi_config`, with every
    project key the file holds (so an unknown section is reported, which pulumi.Config alone
    cannot list). Raises SettingsError, one line per problem, for a file that cannot be read as a
    stack file as for invalid settings.
    """
    # the settings are imported here, not above: the emulator reads stack files through this
    # module and must not load the project it applies
    from components.settings import NAMESPACE, SettingsError, load_pulumi_config

    try:
        config = read_stack_file(Path(path), stack=stack)
    except StackFileError as unreadable:
        raise SettingsError(unreadable.problems) from None
    project = config.namespace(NAMESPACE)
    settings = load_pulumi_config(project, config.namespace("aws"), config.stack, keys=project.keys())
    return StackFile(Path(path), config, settings)


def load_stack_settings(path: str | Path) -> StackSettings:
    """The validated settings of the stack file at `path` (SettingsError as `load_stack`)."""
    return load_stack(path).settings
