"""The user data: what cloud-init accepts, and each of its parts checked against what a node
needs, not only against the golden files.

Golden files: tests/golden/user-data-<stack>.yaml hold the dev and prod user data. They show a
reviewer the whole document; the tests here and beside it (node_scripts, release_environment,
systemd_units, cloudwatch_agent) say what each part must be. After an intended change,
regenerate them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/plans/test_user_data.py

`cloud-init` and `shellcheck` must be on PATH (`apt-get install -y cloud-init shellcheck`;
.ci/run installs them); without them those tests skip and say so.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from components.plans.node_layout import NodeLayout
from components.plans.user_data import render_user_data
from components.settings.limits import USER_DATA_MAX_BYTES
from tests.support.fake_node import decoded_content
from tests.support.node_bootstrap import (
    VARIANTS,
    cloud_init_schema,
    require,
    unit_settings,
    user_data,
    variant,
    written_file,
    written_files,
)

GOLDEN_DIR = Path(__file__).parent.parent / "golden"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def cloud_init_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    """`cloud-init schema --config-file` on each variant's user data (tests/support/node_bootstrap.py)."""
    directory = tmp_path_factory.mktemp("user-data")
    paths = {name: directory / f"user-data-{name}.yaml" for name in VARIANTS}
    for name, path in paths.items():
        path.write_text(render_user_data(variant(name)))
    verdicts = cloud_init_schema(list(paths.values()))
    return {name: verdicts[path] for name, path in paths.items()}


@pytest.mark.xdist_group("cloud-init-schema")  # one worker, one cloud-init process
@pytest.mark.parametrize("name", VARIANTS)
def test_user_data_passes_cloud_init_schema(name: str, cloud_init_verdicts) -> None:
    code, stdout, stderr = cloud_init_verdicts[name]
    assert code == 0, stdout + stderr
    assert "Valid cloud-config" in stdout


@pytest.mark.parametrize("name", VARIANTS)
def test_runcmd_passes_shellcheck(name: str) -> None:
    shellcheck = require("shellcheck")
    runcmd = "#!/bin/bash\n" + "\n".join(user_data(variant(name))["runcmd"]) + "\n"
    result = subprocess.run(
        [shellcheck, "--shell=bash", "--severity=style", "-"], input=runcmd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", VARIANTS)
def test_user_data_fits_the_ec2_limit(name: str) -> None:
    assert len(render_user_data(variant(name)).encode()) < USER_DATA_MAX_BYTES


def test_ec2_user_data_limit_is_16_kb() -> None:
    assert USER_DATA_MAX_BYTES == 16 * 1024


SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
AT_THE_BUDGET = {
    # what the settings count as 4096 bytes, in the shapes that cost the user data most per byte counted
    "one-quoted-value": {"environment": {"Q": '"$`\\' * ((4096 - 9) // 8) + "x" * ((4096 - 9) % 8)}},
    "many-small-variables": {"environment": {f"V{n:03}": "" for n in range(4096 // 12)}},
    "control-characters": {"environment": {"C": "\x07" * ((4096 - 9) // 5)}},
    "many-secrets": {
        "secrets": {f"S{n:02}": f"{SECRET_ARN}:url::" for n in range(4096 // (3 + 2 * (len(SECRET_ARN) + 7) + 96))}
    },
}


@pytest.mark.parametrize("shape", AT_THE_BUDGET)
def test_environment_and_secrets_at_their_budget_still_fit_the_ec2_limit(settings, shape: str) -> None:
    # with dns discovery (the longer release.env) and a health check path longer than most
    stack = settings(
        release={"discovery": "dns", **AT_THE_BUDGET[shape]}, loadBalancer={"healthCheck": {"path": "/" + "h" * 60}}
    )
    assert 4096 - 300 < stack.release.user_data_bytes <= 4096
    assert len(render_user_data(stack).encode()) <= USER_DATA_MAX_BYTES


def test_user_data_over_ec2s_limit_is_never_rendered(settings) -> None:
    # a release name of 200 characters is in every path of the node (the settings allow 239)
    stack = settings(release={"name": "s" * 200, "environment": {"BIG": "x" * 3000}})
    with pytest.raises(ValueError, match=r"user data of [0-9]{5} bytes: EC2 takes at most 16384"):
        render_user_data(stack)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_user_data_matches_golden_file(stack: str) -> None:
    rendered = render_user_data(variant(stack))
    golden = GOLDEN_DIR / f"user-data-{stack}.yaml"
    if UPDATE_GOLDEN:
        GOLDEN_DIR.mkdir(exist_ok=True)
        golden.write_text(rendered)
    assert golden.exists(), f"{golden} missing: run with UPDATE_GOLDEN=1 (see this module's docstring)"
    assert rendered == golden.read_text(), "user data changed: UPDATE_GOLDEN=1 regenerates, then review the diff"


# --- each part of the document ------------------------------------------------------------------


def test_user_data_is_a_cloud_config_of_four_parts() -> None:
    text = render_user_data(variant("prod"))
    assert text.startswith("#cloud-config\n")
    assert list(user_data(variant("prod"))) == ["users", "packages", "write_files", "runcmd"]


def test_the_release_runs_as_a_locked_system_user_without_a_shell() -> None:
    assert user_data(variant("prod"))["users"] == [
        "default",
        {
            "name": "shop",
            "gecos": "shop Elixir release",
            "system": True,
            "homedir": "/var/lib/shop",
            "shell": "/sbin/nologin",
            "lock_passwd": True,
        },
    ]


def test_the_only_package_is_the_cloudwatch_agent() -> None:
    assert user_data(variant("dev"))["packages"] == ["amazon-cloudwatch-agent"]


def test_runcmd_runs_the_bootstrap_script_once() -> None:
    assert user_data(variant("prod"))["runcmd"] == ["/usr/local/libexec/shop/bootstrap"]


def test_every_written_file_is_roots_with_its_mode() -> None:
    # Executables 0755, everything else 0644: nothing is writable but by root, nothing secret is written.
    modes = {path: (entry["owner"], entry["permissions"]) for path, entry in written_files(variant("prod")).items()}
    assert modes == {
        "/usr/local/libexec/shop/bootstrap": ("root:root", "0755"),
        "/usr/local/libexec/shop/fetch-secrets": ("root:root", "0755"),
        "/usr/local/libexec/shop/env-assignment": ("root:root", "0755"),
        "/usr/local/libexec/shop/launch-hook": ("root:root", "0755"),
        "/usr/local/libexec/shop/drain-agent": ("root:root", "0755"),
        "/usr/local/libexec/shop/common.sh": ("root:root", "0644"),
        "/usr/local/libexec/shop/stack.env": ("root:root", "0644"),
        "/usr/local/libexec/shop/secrets.sh": ("root:root", "0644"),
        "/etc/shop/release.env": ("root:root", "0644"),
        "/etc/systemd/system/shop.service": ("root:root", "0644"),
        "/etc/systemd/system/shop-drain.service": ("root:root", "0644"),
        "/etc/shop/cloudwatch-agent.json": ("root:root", "0644"),
    }


@pytest.mark.parametrize("name", VARIANTS)
def test_bootstrap_enables_the_release_and_the_drain_agent(name: str) -> None:
    settings = variant(name)
    layout = NodeLayout(settings.release.name)
    document = user_data(settings)
    assert document["runcmd"] == [layout.bootstrap_script]
    drain_unit = unit_settings(written_file(settings, f"/etc/systemd/system/{layout.drain_unit}"))
    assert drain_unit["ExecStart"] == [layout.drain_script]


@pytest.mark.parametrize("name", VARIANTS)
def test_user_data_names_where_the_cookie_and_secrets_are_but_holds_no_value(name: str) -> None:
    settings = variant(name)
    text = render_user_data(settings)
    layout = NodeLayout(settings.release.name)
    # the cookie's parameter twice, in secrets.sh's one line: the reference and the call's --name
    assert text.count(settings.release.cookie_parameter) == 2
    references = written_file(settings, layout.secret_references)
    cookie = next(line for line in references.splitlines() if line.startswith("secret RELEASE_COOKIE "))
    name_ = settings.release.cookie_parameter
    call = f"ssm get-parameter --name {name_} --with-decryption --query Parameter.Value"
    assert cookie == f"secret RELEASE_COOKIE {name_} '' {call}"
    # No assignment of a secret anywhere: fetch-secrets writes what the services return, at start.
    scripts = "".join(decoded_content(entry) for entry in user_data(settings)["write_files"])
    assert "RELEASE_COOKIE=" not in scripts and "SECRET_KEY_BASE=" not in scripts and "DATABASE_URL=" not in scripts
    assert "set -x" not in scripts and "--cookie" not in scripts and "setcookie" not in scripts
