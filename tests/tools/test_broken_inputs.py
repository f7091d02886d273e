"""Every command-line tool over a corpus of broken inputs: a user's mistake is a message and an
exit code, never a traceback.

In-process (`main(argv)`) for the corpus, so it stays cheap; a few real processes for what only a
process shows (its interpreter's last words, a server's flags). Each case fails before any stack is
applied: a bad stack file, flag, trace, endpoint or file is refused up front.
"""

from __future__ import annotations

import socket
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.commands import run_command
from tools import make_traces, policy_check, preview, schema, simulate, trace, tune, verify
from tools.emulator import server
from tools.stack_files import dump_yaml, load_yaml, stack_file

COMMANDS: dict[str, Callable[[list[str]], int | None]] = {
    "preview": preview.main,
    "verify": verify.main,
    "simulate": simulate.main,
    "tune": tune.main,
    "trace": trace.main,
    "policy_check": policy_check.main,
    "schema": schema.main,
    "make_traces": make_traces.main,
    "emulator.server": server.main,
}
"""Every `python -m tools.X` a user runs (the labs' own entry points are the labs' business)."""

MAX_LINES = 3
"""A refusal is a line per problem; the corpus has at most a couple of problems per input."""


@dataclass(frozen=True)
class Corpus:
    """The broken inputs, written once per module."""

    directory: Path
    write: bool = True
    """False: the paths alone (naming the cases at collection writes nothing)."""

    def file(self, name: str, text: str | bytes) -> str:
        path = self.directory / name
        if self.write:
            path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return str(path)

    def stack(self, name: str, text: str) -> str:
        return self.file(f"Pulumi.{name}.yaml", text)

    @property
    def missing(self) -> str:
        return str(self.directory / "Pulumi.missing.yaml")

    @property
    def a_directory(self) -> str:
        """A path that exists but cannot be read as a file."""
        path = self.directory / "Pulumi.folder.yaml"
        if self.write:
            path.mkdir(exist_ok=True)
        return str(path)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("broken"))


@pytest.fixture(scope="module")
def closed_endpoint() -> Iterator[str]:
    """A port bound and never listened on: a connection there is refused at once."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{closed.getsockname()[1]}"


def _dev_with(section: str, key: str, value: object) -> str:
    """dev's stack file with one key of one section set to `value`."""
    document = load_yaml(stack_file("dev").read_text())
    document["config"].setdefault(f"elixir-cluster:{section}", {})[key] = value
    return dump_yaml(document)


def broken_stack_files(corpus: Corpus) -> dict[str, str]:
    dev = stack_file("dev").read_text()
    return {
        "bad YAML": corpus.stack("yaml", "config:\n  aws:region: [eu-west-1\n"),
        "not a mapping": corpus.stack("list", "- config\n"),
        "empty": corpus.stack("empty", ""),
        "not UTF-8": corpus.stack("latin1", "config:\n  aws:region: eu-west-1  # caf\xe9\n".encode("latin-1")),
        "wrong type": corpus.stack("types", _dev_with("nodes", "minSize", "lots")),
        "unknown region": corpus.stack("region", dev.replace("aws:region: eu-west-1", "aws:region: eu-wset-1")),
        "too many zones": corpus.stack("zones", _dev_with("network", "availabilityZones", 5)),
        "missing": corpus.missing,
        "a directory": corpus.a_directory,
    }


def broken_traces(corpus: Corpus) -> dict[str, str]:
    return {
        "missing trace": str(corpus.directory / "missing.csv"),
        "trace is a directory": str(corpus.directory),
        "no rows": corpus.file("empty.csv", "minute,requests_per_second\n"),
        "not numbers": corpus.file("words.csv", "minute,requests_per_second\n0,many\n1,more\n"),
        "a gap": corpus.file("gap.csv", "minute,requests_per_second\n0,10\n1,10\n5,10\n6,10\n"),
        "binary": corpus.file("binary.csv", b"\x00\xff\xfe\x00garbage"),
    }


def cases(corpus: Corpus, endpoint: str) -> Iterator[tuple[str, str, list[str]]]:
    """(command, what is broken, argv) for every command and every input it reads."""
    trace = str(Path(stack_file("dev")).parent.parent / "traces" / "flash-spike.csv")
    for what, path in broken_stack_files(corpus).items():
        yield "preview", what, ["--config", path]
        yield "preview", f"--changes-from {what}", ["--stack", "dev", "--changes-from", path]
        yield "verify", what, ["--config", path, "--endpoint", endpoint]
        yield "simulate", what, ["--config", path, "--trace", trace]
        yield "tune", what, ["--config", path, "--trace", trace]
        yield "trace", what, ["--config", path, "--start", "2026-12-01T00:00:00Z", "--endpoint", endpoint]
    for what, path in broken_traces(corpus).items():
        yield "simulate", what, ["--stack", "dev", "--trace", path]
        yield "tune", what, ["--stack", "dev", "--trace", path]
    for what, argv in {
        "endpoint where nothing listens": ["--endpoint", endpoint],
        "endpoint not a URL": ["--endpoint", "localhost:5000"],
        "endpoint port not a number": ["--endpoint", "http://127.0.0.1:port"],
        "serve port out of range": ["--serve", "70000"],
        "serve port not a number": ["--serve", "five"],
        "access log without serve": ["--access-log"],
        "unknown format": ["--format", "yaml"],
        "unknown flag": ["--frobnicate"],
        "fail-on without changes-from": ["--fail-on", "replace"],
        "changes-from as mermaid": ["--changes-from", stack_file("dev").as_posix(), "--format", "mermaid"],
    }.items():
        yield "preview", what, ["--stack", "dev", *argv]
    yield "verify", "endpoint where nothing listens", ["--stack", "dev", "--endpoint", endpoint]
    yield "verify", "endpoint not a URL", ["--stack", "dev", "--endpoint", "localhost:5000"]
    yield "verify", "unknown stack", ["--stack", "nonexistent"]
    for what, argv in {
        "endpoint where nothing listens": ["--start", "2026-12-01T00:00:00Z", "--endpoint", endpoint],
        "endpoint not a URL": ["--start", "2026-12-01T00:00:00Z", "--endpoint", "localhost:5000"],
        "start not a date": ["--start", "monday", "--endpoint", endpoint],
        "start missing": ["--endpoint", endpoint],
        "end before start": ["--start", "2026-12-01T00:00:00Z", "--end", "2026-11-30T00:00:00Z"],
        "output into a missing folder": [
            *("--start", "2026-12-01T00:00:00Z", "--endpoint", endpoint),
            *("--output", str(corpus.directory / "no" / "such" / "trace.csv")),
        ],
    }.items():
        yield "trace", what, ["--stack", "dev", *argv]
    for what, argv in {
        "node-rps not a number": ["--node-rps", "fast"],
        "start not a date": ["--start", "monday"],
        "plot into a missing folder": ["--plot", str(corpus.directory / "no" / "such" / "plot.png")],
    }.items():
        yield "simulate", what, ["--stack", "dev", "--trace", trace, *argv]
    for what, argv in {
        "slo not understood": ["--slo", "fast"],
        "size bounds reversed": ["--min-size", "5..2"],
        "budget not a number": ["--budget", "many"],
    }.items():
        yield "tune", what, ["--stack", "dev", "--trace", trace, *argv]
    for what, path in {
        "missing": corpus.missing,
        "a directory": corpus.a_directory,
        "not JSON": corpus.file("preview.json", "{resources: ["),
        "JSON of another shape": corpus.file("list.json", "[1, 2, 3]"),
        "not UTF-8": corpus.file("latin1.json", b'{"stack": "caf\xe9"}'),
    }.items():
        yield "policy_check", what, [path]
    yield (
        "policy_check",
        "policy configuration missing",
        [
            corpus.file("empty.json", '{"stack": "dev", "resources": []}'),
            "--config",
            str(corpus.directory / "missing-config.json"),
        ],
    )
    yield (
        "policy_check",
        "policy configuration not JSON",
        [
            corpus.file("empty2.json", '{"stack": "dev", "resources": []}'),
            "--config",
            corpus.file("config.json", "{all: "),
        ],
    )
    yield "schema", "unknown flag", ["--frobnicate"]
    yield "make_traces", "out is a file", ["--out", corpus.file("a-file", "")]
    yield "emulator.server", "port not a number", ["-p", "five"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:  # names only here; the corpus is written by the fixture
        names = [(command, what) for command, what, _ in cases(Corpus(Path("corpus"), write=False), "http://x")]
        metafunc.parametrize("case", names, ids=[f"{command}: {what}" for command, what in names])


def _argv(corpus: Corpus, endpoint: str, case: tuple[str, str]) -> list[str]:
    [argv] = [argv for command, what, argv in cases(corpus, endpoint) if (command, what) == case]
    return argv


def test_a_broken_input_is_a_message_and_an_exit_code(case, corpus, closed_endpoint, capsys, monkeypatch):
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    command, _ = case
    argv = _argv(corpus, closed_endpoint, case)
    try:
        code = COMMANDS[command](argv)
    except SystemExit as exited:  # argparse's usage errors
        code = exited.code
    except Exception:  # noqa: BLE001 - the point: nothing may escape as a traceback
        pytest.fail(f"python -m tools.{command} {' '.join(argv)} raised:\n{traceback.format_exc()}")
    err = capsys.readouterr().err
    assert code in (1, 2), f"exit {code}; stderr:\n{err}"
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    usage = [line for line in lines if not line.startswith("usage:") and not line.startswith(" ")]
    assert 1 <= len(usage) <= MAX_LINES, err


# --- what only a real process shows --------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ("preview", ["--config", "stacks/Pulumi.nonexistent.yaml"]),
        ("preview", ["--stack", "dev", "--serve", "70000"]),
        ("emulator.server", ["--port", "five"]),
    ],
    ids=["preview: missing stack file", "preview: serve port out of range", "emulator.server: bad port"],
)
def test_a_real_process_ends_with_a_message_not_a_traceback(command, argv):
    finished = run_command(command, *argv)
    assert finished.returncode in (1, 2), finished.stderr
    assert "Traceback" not in finished.stderr and finished.stdout == ""
    assert finished.stderr.strip()
