"""What the commands that read a stack file share: `--stack/--config`, the exit for a bad stack
file, `--endpoint` for the read-only ones, and `--plot`.

    parser = argparse.ArgumentParser(...)
    add_stack_arguments(parser)                      # --stack NAME | --config FILE (one required)
    problems: list[str] = []
    stack = chosen_stack(args, problems)             # None, with one line per problem, when bad
    if problems:
        return refuse(problems)                      # exit 2, one line per problem on stderr
    ...
    return write_plot(args.plot, lambda pyplot: draw(pyplot, ...))   # exit 0, or 1 with one line

Read-only tools use it (verify, simulate, tune, trace), so it loads no Pulumi: only the stack-files
module and the settings; matplotlib only when a plot is written.
"""

from __future__ import annotations

import argparse
import gc
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from components.settings import SettingsError
from components.settings.region import REGION_KEY
from tools.stack_files import StackFile, load_stack, stack_file

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
PLOT_DPI = 110
MATPLOTLIB_MISSING = "error: --plot needs matplotlib: .venv/bin/pip install -r requirements-dev.txt"


# --- a run -------------------------------------------------------------------------------------


def run_once(main: Callable[[], int]) -> int:
    """Run a command that builds one large object graph, prints it and exits, with Python's cyclic
    garbage collector paused (call it from `if __name__ == "__main__"`, import what is heavy inside
    `main`, so the imports run paused too).

    A preview imports pulumi_aws's type modules and moto and applies a stack: some 600,000 objects
    that live until the process ends. Every full pass of the collector walks all of them and frees
    almost nothing: in a prod preview the passes cost more CPU than building the stack, and the
    last ones, at exit, more again. Reference counting still frees every object that is not in a
    cycle, so memory stays as it was (peak RSS about 380 MB either way). At the end the survivors
    are moved out of the collector's sight (`gc.freeze`), so exiting walks nothing.
    `resume_gc()` turns the collector back on for a command that goes on running (a server).
    """
    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()


def resume_gc() -> None:
    """From here on the process runs long: what exists stays out of the collector's sight, what
    comes is collected as usual."""
    gc.freeze()
    gc.enable()


# --- the stack file ----------------------------------------------------------------------------


def add_stack_arguments(parser: argparse.ArgumentParser, default: str | None = None, purpose: str = "read") -> None:
    """`--stack NAME | --config FILE`: one of them required, unless `default` names the stack to read."""
    source = parser.add_mutually_exclusive_group(required=default is None)
    shown = f" (default: {default})" if default else ""
    source.add_argument("--stack", default=default, help=f"{purpose} stacks/Pulumi.<STACK>.yaml{shown}")
    source.add_argument("--config", metavar="FILE", help=f"{purpose} any stack file named Pulumi.<stack>.yaml")


def chosen_stack(args: argparse.Namespace, problems: list[str], stderr: TextIO | None = None) -> StackFile | None:
    """The stack file the arguments name, read and validated; None, with one line per problem
    appended to `problems`, when it is missing or invalid. `--config` names any file, `--stack` a shipped one.
    A region the file does not name, taken from the environment as the AWS provider takes it, is
    said on stderr: the same file elsewhere would build in another region."""
    path = Path(args.config) if args.config else stack_file(args.stack)
    if not path.exists():
        problems.append(f"{path}: no stack file at this path")
        return None
    try:
        stack = load_stack(path)
    except SettingsError as invalid:
        problems.extend(invalid.problems)
        return None
    settings = stack.settings
    if settings.region_source != REGION_KEY:
        print(
            f"note: {path.name} names no {REGION_KEY}: region {settings.region} from {settings.region_source}, "
            "as the AWS provider takes it",
            file=stderr or sys.stderr,
        )
    return stack


def endpoint_url(value: str) -> str:
    """argparse's type for `--endpoint URL`: an http(s) URL with a host (a usage error otherwise)."""
    url = urllib.parse.urlsplit(value)
    try:
        url.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: the port is not a number") from None
    if url.scheme not in ("http", "https") or not url.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not a URL such as http://127.0.0.1:5000")
    return value


def not_negative(text: str) -> float:
    """argparse's type for a finite number >= 0 (seconds, a rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def positive(text: str) -> float:
    """argparse's type for a finite number > 0."""
    value = not_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def fraction(text: str) -> float:
    """argparse's type for a number > 0 and <= 1."""
    value = positive(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be > 0 and <= 1, got {text!r}")
    return value


def whole_count(text: str) -> int:
    """argparse's type for a whole number >= 1 (processes, minutes)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


def plot_file(text: str) -> Path:
    """argparse's type for `--plot OUT.png`: a file in a folder that exists, refused before the work
    it would plot is done (a month's simulation, a tuning search)."""
    folder = Path(text).parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"no folder {str(folder)!r} to write {Path(text).name} into")
    return Path(text)


def add_endpoint_argument(parser: argparse.ArgumentParser) -> None:
    """`--endpoint URL` for a read-only tool: every AWS call goes there (e.g. a moto server)."""
    parser.add_argument(
        "--endpoint", metavar="URL", type=endpoint_url, help="send every AWS call to URL (e.g. a moto server)"
    )


def refuse(problems: list[str], stderr: TextIO | None = None) -> int:
    """Exit 2: the input is invalid; one line per problem on stderr."""
    print("\n".join(problems), file=stderr or sys.stderr)
    return EXIT_INVALID


# --- --plot ------------------------------------------------------------------------------------


def write_plot(path: str | Path, draw: Callable[[Any], Any], stderr: TextIO | None = None) -> int:
    """Save the figure `draw(pyplot)` returns as a PNG at `path`: exit 0, or 1 with one line on stderr
    when matplotlib is missing (it is imported here, only when a plot is asked for: the commands
    start faster without it) or the file cannot be written."""
    stderr = stderr or sys.stderr
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display, no GUI toolkit
        from matplotlib import pyplot
    except ImportError:
        print(MATPLOTLIB_MISSING, file=stderr)
        return EXIT_FAILED
    figure = draw(pyplot)
    try:
        figure.tight_layout()
        figure.savefig(path, dpi=PLOT_DPI)
    except OSError as failure:
        print(f"error: cannot write {path}: {failure.strerror or failure}", file=stderr)
        return EXIT_FAILED
    finally:
        pyplot.close(figure)
    return EXIT_OK
