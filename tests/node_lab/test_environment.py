"""The unit runner's EnvironmentFile= and command lines (offline): an environment file gives a
process exactly what systemd's own parser gives it (libsystemd-shared, tests/support/systemd_env.py),
the secrets.env the stack's fetch-secrets writes included, whatever the values hold."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from components.plans.scripts.env_assignment import assignment
from tests.support.systemd_env import HOSTILE_VALUES, SystemdRefusesTheFile, systemd_reads
from tools.conformance.node_lab.units import EnvironmentFileRefused, command_line, environment_file

SYSTEMD_READS = [
    ("# comment\nA=\"two words\"\nB='single'\nC=plain\n\n", {"A": "two words", "B": "single", "C": "plain"}),
    ('A="x"y "z" w\n', {"A": 'xy "z" w'}),  # quoted and unquoted parts make one value; later quotes stay
    ("A='a\\b'\n", {"A": "a\\b"}),  # nothing is special in single quotes
    ('A="\\"\\\\\\`\\$"\n', {"A": '"\\`$'}),  # the four escapes of double quotes
    ('A="\\q\\n"\n', {"A": "\\q\\n"}),  # any other backslash stays
    ('A="a\nb"\n', {"A": "a\nb"}),  # a newline inside quotes is part of the value
    ('A="a\\\nb"\n', {"A": "ab"}),  # an escaped one joins the lines
    ("A=a\\\nb\n", {"A": "ab"}),
    ('A=\\"x\n', {"A": '"x'}),
    ("  A  =  spaced out  \n", {"A": "spaced out"}),  # blanks around the key and the value go
    ('A="  kept  "\n', {"A": "  kept  "}),
    ("A=1 ;x #y\n", {"A": "1 ;x #y"}),  # comments only start lines
    ("#a comment\\\nA=1\nB=2\n", {"B": "2"}),  # a comment ending in \ swallows the next line
    ("A=1\rB=2", {"A": "1", "B": "2"}),  # \r ends a line; so does the end of the file
    ("A=1\nA=2\n", {"A": "2"}),  # a later assignment wins
    ('A="unterminated\nB=2\n', {"A": "unterminated\nB=2\n"}),
    ("A=\nB\n=3\n9C=1\nD-E=2\nF G=3\n", {"A": ""}),  # no '=', and invalid names, set nothing
]


@pytest.mark.parametrize(("text", "expected"), SYSTEMD_READS)
def test_an_environment_file_reads_as_systemd_reads_it(tmp_path, text, expected):
    path = tmp_path / "env"
    path.write_text(text)
    assert systemd_reads(path) == expected, "the case itself is wrong: systemd reads it otherwise"
    assert environment_file(path) == expected


ALPHABET = [*"AB_1= \t\n\r\\'\"#;$`x-", "é", "\ufdd0"]
"""Every character the parser treats apart, a letter of two bytes, and a noncharacter."""
WEIGHTS = [8, 3, 2, 2, 6, 3, 1, 4, 1, 4, 3, 3, 2, 1, 1, 1, 3, 1, 1, 0.2]


def test_random_files_read_as_systemd_reads_them(tmp_path):
    """Files of those characters, some with a byte that is not UTF-8 or a NUL: the same variables, or
    the same refusal. A fixed seed: a failure names a file that fails again."""
    chance = random.Random(252)
    path = tmp_path / "env"
    for _ in range(3000):
        data = "".join(chance.choices(ALPHABET, WEIGHTS, k=chance.randint(0, 24))).encode()
        if chance.random() < 0.02:
            data += chance.choice([b"\xff", b"\x00", b"\xed\xa0\x80"])  # not UTF-8, a NUL, a surrogate
        path.write_bytes(data)
        try:
            expected = systemd_reads(path)
        except SystemdRefusesTheFile:
            with pytest.raises(EnvironmentFileRefused):
                environment_file(path)
            continue
        assert environment_file(path) == expected, data


@pytest.mark.parametrize("kind", HOSTILE_VALUES)
def test_the_stacks_secrets_env_gives_the_release_each_value_exactly(tmp_path, kind):
    """secrets.env as fetch-secrets writes it (env_assignment.py): every value back byte for byte."""
    value = HOSTILE_VALUES[kind]
    path = tmp_path / "secrets.env"
    path.write_text(assignment("RELEASE_COOKIE", "cookie") + assignment("SECRET_KEY_BASE", value))
    assert environment_file(path) == {"RELEASE_COOKIE": "cookie", "SECRET_KEY_BASE": value}


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b'A=1\nB="s3cret\xff"\n', "the value of B is not valid UTF-8"),
        ('A=1\nB="s3cret\ufdd0"\n'.encode(), "the value of B is not valid UTF-8"),
        (b"A=s3cret\x00\n", "holds a NUL byte"),
    ],
)
def test_a_file_systemd_refuses_is_refused_whole_naming_the_key_never_the_value(tmp_path, data, named):
    path = tmp_path / "secrets.env"
    path.write_bytes(data)
    with pytest.raises(SystemdRefusesTheFile):
        systemd_reads(path)
    with pytest.raises(EnvironmentFileRefused, match=named) as refused:
        environment_file(path)
    assert str(path) in str(refused.value) and "s3cret" not in str(refused.value)


def test_a_missing_file_is_not_a_refusal():
    with pytest.raises(FileNotFoundError):
        environment_file(Path("/nonexistent/secrets.env"))


def test_command_lines_expand_variables_and_say_when_a_failure_is_ignored():
    assert command_line("-/bin/echo ${A} $C", {"A": "x y", "C": "z"}) == (["/bin/echo", "x y", "z"], True)
