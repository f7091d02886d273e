"""tools/cli.py: the --stack/--config arguments, the exit for a bad stack file, and --plot, as preview,
simulate, tune and verify share them."""

from __future__ import annotations

import argparse
import sys

import pytest

from tools import cli, preview, simulate, tune, verify
from tools.stack_files import PROJECT_DIR, stack_file

TRACE = str(PROJECT_DIR / "traces" / "diurnal-day.csv")
COMMANDS = {
    "preview": (preview.main, []),
    "simulate": (simulate.main, ["--trace", TRACE]),
    "tune": (tune.main, ["--trace", TRACE]),
    "verify": (verify.main, []),
}


def parse(*argv: str, default: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_stack_arguments(parser, default=default)
    return parser.parse_args(argv)


def test_one_of_stack_and_config_is_required_unless_there_is_a_default(capsys):
    with pytest.raises(SystemExit) as refused:
        parse()
    assert refused.value.code == 2
    assert "one of the arguments --stack --config is required" in capsys.readouterr().err
    assert parse(default="dev").stack == "dev"


def test_stack_and_config_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as refused:
        parse("--stack", "dev", "--config", "Pulumi.dev.yaml")
    assert refused.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_stack_names_a_shipped_stack_and_config_any_file(tmp_path):
    problems: list[str] = []
    assert cli.chosen_stack(parse("--stack", "prod"), problems).path == stack_file("prod")
    copy = tmp_path / "Pulumi.qa.yaml"
    copy.write_text(stack_file("dev").read_text())
    chosen = cli.chosen_stack(parse("--config", str(copy), default="dev"), problems)
    assert (chosen.path, chosen.stack) == (copy, "qa")  # --config wins over the default stack
    assert problems == []


def test_a_region_from_the_environment_is_said_on_stderr(tmp_path, monkeypatch, capsys):
    """The same file elsewhere would build in another region: the commands say where this one does."""
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text(stack_file("dev").read_text().replace("aws:region: eu-west-1", ""))
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    problems: list[str] = []
    assert cli.chosen_stack(parse("--config", str(path)), problems).settings.region == "eu-west-1"
    assert capsys.readouterr().err == (
        "note: Pulumi.qa.yaml names no aws:region: region eu-west-1 from AWS_DEFAULT_REGION, "
        "as the AWS provider takes it\n"
    )
    assert cli.chosen_stack(parse("--stack", "dev"), problems).settings.region == "eu-west-1"
    assert capsys.readouterr().err == "", "a file that names its region: nothing to say"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert cli.chosen_stack(parse("--config", str(path)), problems) is None
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in problems] == ["aws:region"]


def test_an_invalid_stack_file_is_one_line_per_problem(tmp_path):
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(stack_file("dev").read_text().replace("elixir-cluster:nodes:", "elixir-cluster:nodez:"))
    problems: list[str] = []
    assert cli.chosen_stack(parse("--config", str(path)), problems) is None
    assert problems == ["elixir-cluster:nodez: unknown section; did you mean nodes?"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_refuses_a_missing_stack_file_with_exit_2_and_one_line(command, tmp_path, capsys):
    main, more = COMMANDS[command]
    missing = tmp_path / "Pulumi.none.yaml"
    assert main(["--config", str(missing), *more]) == cli.EXIT_INVALID
    assert capsys.readouterr().err == f"{missing}: no stack file at this path\n"


def test_refuse_prints_every_problem_and_exits_2(capsys):
    assert cli.refuse(["a: first", "b: second"]) == 2
    assert capsys.readouterr().err == "a: first\nb: second\n"


def _line(pyplot):
    figure, axis = pyplot.subplots()
    axis.plot([0, 1], [1, 0])
    return figure


def test_a_plot_is_written_as_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "plot.png"
    assert cli.write_plot(path, _line) == cli.EXIT_OK
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_plot_without_matplotlib_exits_1_saying_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib then raises ImportError
    assert cli.write_plot(tmp_path / "plot.png", _line) == cli.EXIT_FAILED
    assert capsys.readouterr().err == (
        "error: --plot needs matplotlib: .venv/bin/pip install -r requirements-dev.txt\n"
    )
    assert not (tmp_path / "plot.png").exists()


def test_a_plot_that_cannot_be_written_exits_1_naming_the_file(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "no such folder" / "plot.png"
    assert cli.write_plot(path, _line) == cli.EXIT_FAILED
    assert capsys.readouterr().err == f"error: cannot write {path}: No such file or directory\n"


@pytest.mark.parametrize("command", [simulate.main, tune.main])
def test_a_plot_into_a_folder_that_is_not_there_is_refused_before_anything_runs(command, tmp_path, capsys):
    path = tmp_path / "no such folder" / "plot.png"
    with pytest.raises(SystemExit) as refused:
        command(["--stack", "dev", "--trace", str(tmp_path / "trace.csv"), "--plot", str(path)])
    assert refused.value.code == cli.EXIT_INVALID
    # argparse's usage error, before the trace (which does not exist either) is read
    assert f"argument --plot: no folder '{path.parent}' to write plot.png into" in capsys.readouterr().err
