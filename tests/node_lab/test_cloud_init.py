"""The rendered user data, run by Debian's cloud-init in an instance, boots the release.

The bootstrap's AWS calls reach a recording `aws` stub here (it hands out the release
tarball and a cookie), so this proves cloud-init's part and the scripts' logic on their
own; the node lab proper makes those calls with the real aws CLI against moto.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from components.plans.bootstrap import NodeLayout, release_environment, render_user_data
from tools.conformance import netns
from tools.conformance.node_lab import boot, cloud_init
from tools.conformance.node_lab.instance import Instance
from tools.conformance.node_lab.stack_variants import settings_of
from tools.conformance.node_lab.units import environment_file
from tools.conformance.waiting import wait_until
from tools.stack import stack_file

pytestmark = pytest.mark.node_lab

SERVE_TIMEOUT_SECONDS = 30


def aws_stub(tarball: Path, cookie: str) -> str:
    """`aws s3 cp` copies the lab's release tarball; `aws ssm get-parameter` prints the cookie.

    Calls are logged per user (aws-root.log, aws-shop.log): who made each call is part of the proof.
    """
    return f"""#!/bin/sh
echo "$*" >> {cloud_init.RECORDS_DIR}/aws-$(id -un).log
case "$1 $2" in
  "s3 cp") for last; do :; done; cp {tarball} "$last" ;;
  "ssm get-parameter") echo {cookie} ;;
esac
"""


@dataclass
class Booted:
    instance: Instance
    settings: object
    document: dict
    runs: list[cloud_init.StageRun]
    cookie: str


@pytest.fixture(scope="module", params=["dev", "prod"])
def booted(request, release_tarball, lab_tools, tmp_path_factory) -> Iterator[Booted]:
    settings = settings_of(stack_file(request.param))
    user_data = render_user_data(settings)
    workdir = tmp_path_factory.mktemp(f"cloud-init-{request.param}")
    network = netns.Network(f"nlci{request.param}")
    instance = None
    cookie = secrets.token_hex(16)
    try:
        network.create()
        instance = Instance(network.add("node1"), workdir / "node1", {"instance-id": "i-0cloudinit000001"})
        instance.start()
        boot.prepare(instance)
        cloud_init.install_command(instance, "/usr/local/bin/aws", aws_stub(release_tarball, cookie))
        cloud_init.prepare(instance, user_data)
        runs = cloud_init.boot(instance, log=workdir / "cloud-init.log")
        yield Booted(instance, settings, yaml.safe_load(user_data), runs, cookie)
    finally:
        if instance is not None:
            instance.close()
        network.remove()


def test_every_stage_succeeds_without_errors(booted):
    assert [r.exit_code for r in booted.runs] == [0, 0, 0], cloud_init.output_log(booted.instance)[-3000:]
    assert cloud_init.errors(booted.instance) == []


def test_users_creates_the_release_user_as_a_system_user(booted):
    entry = booted.instance.run(["getent", "passwd", booted.settings.release.name]).stdout.strip().split(":")
    assert entry[5:] == [f"/var/lib/{booted.settings.release.name}", "/sbin/nologin"]
    assert int(entry[2]) < 1000, "a system user"
    assert not Path("/var/lib", booted.settings.release.name).exists(), "nothing written on the host"


def test_write_files_writes_every_file_with_its_mode(booted):
    layout = NodeLayout(booted.settings.release.name)
    for item in booted.document["write_files"]:
        written = booted.instance.path(item["path"])
        text = written.read_text()
        if item["path"] == layout.env_file:  # the bootstrap appends the node's name, and only that
            node = f'RELEASE_NODE="{booted.settings.release.name}@{booted.instance.namespace.address}"\n'
            assert text == item["content"] + node, item["path"]
        else:
            assert text == item["content"], item["path"]
        assert oct(written.stat().st_mode & 0o777) == oct(int(item["permissions"], 8)), item["path"]


def test_packages_are_recorded_and_not_installed(booted):
    installs = [call for call in cloud_init.recorded(booted.instance, "apt-get") if "install" in call]
    assert [call[call.index("install") + 1 :] for call in installs] == [booted.document["packages"]]
    assert booted.instance.run(["dpkg", "-s", *booted.document["packages"]], check=False).returncode != 0


def test_runcmd_runs_the_bootstrap_which_writes_the_release_environment(booted):
    layout = NodeLayout(booted.settings.release.name)
    written = environment_file(booted.instance.path(layout.env_file))
    assert written == release_environment(booted.settings, str(booted.instance.namespace.address))
    assert booted.instance.path(f"{layout.root}/bin/{booted.settings.release.name}").exists()


def test_the_units_are_enabled_and_the_release_serves(booted):
    layout = NodeLayout(booted.settings.release.name)
    for unit in (layout.release_unit, layout.drain_unit):
        assert boot.systemctl(booted.instance, "is-enabled", unit).stdout == "enabled\n"
    port = booted.settings.release.http_port
    url = f"http://{booted.instance.namespace.address}:{port}{booted.settings.load_balancer.health_check.path}"

    def healthy() -> bool:
        return booted.instance.run(["curl", "-sf", "-m", "2", url], check=False).stdout == "ok"

    assert wait_until(healthy, SERVE_TIMEOUT_SECONDS) is not None, _journal(booted.instance, layout.release_unit)
    assert boot.systemctl(booted.instance, "is-active", layout.release_unit).stdout == "active\n"


def test_the_cloudwatch_agent_gets_a_configuration_its_schema_accepts(booted):
    calls = boot.cloudwatch_agent_calls(booted.instance)
    assert len(calls) == 1 and calls[0][:2] == ["-a", "fetch-config"], calls
    assert boot.cloudwatch_agent_config_problems(booted.instance, calls[0]) == []


def test_the_cookie_is_read_at_start_and_nowhere_in_the_user_data(booted):
    layout = NodeLayout(booted.settings.release.name)
    assert booted.cookie not in json.dumps(booted.document)
    assert wait_until(booted.instance.path(layout.cookie_env_file).exists, SERVE_TIMEOUT_SECONDS) is not None
    assert booted.cookie in booted.instance.path(layout.cookie_env_file).read_text()
    # Read by the release user (ExecStartPre runs as User=), not by root.
    aws_calls = booted.instance.path(f"{cloud_init.RECORDS_DIR}/aws-{booted.settings.release.name}.log")
    assert f"--name {booted.settings.release.cookie_parameter}" in aws_calls.read_text()


def _journal(instance: Instance, unit: str) -> str:
    log = instance.path(f"/var/log/node-lab/journal/{unit}.log")
    return log.read_text()[-3000:] if log.exists() else "(no journal)"
