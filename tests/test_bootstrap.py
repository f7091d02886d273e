"""The node bootstrap: user data cloud-init accepts, scripts shellcheck passes, and what a node does with them.

The scripts are the files in components/plans/scripts/: shellchecked as files, written to
the user data byte for byte, fed the stack's values through stack.env. They are not only
linted: the drain agent, the cookie reader and the bootstrap's own functions run here
under bash, installed as on a node with the rendered stack.env beside them, against fake
`curl` (IMDS), `aws`, `systemctl` and `sleep` that record every call.

    .venv/bin/python -m pytest --tb=native -q tests/test_bootstrap.py tests/plans/test_iam_plan.py

`cloud-init` and `shellcheck` must be on PATH (`apt-get install -y cloud-init shellcheck`;
.ci/run installs them); without them those tests skip and say so.

Golden files: tests/golden/user-data-<stack>.yaml hold the dev and prod user data. After
an intended change, regenerate them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest --tb=native -q tests/test_bootstrap.py
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.plans.bootstrap import (
    DISCOVERY_SERVICE_TAG_KEY,
    LIFECYCLE_HOOK_NAME,
    MEMORY_METRIC,
    SCRIPTS_DIR,
    USER_DATA_LIMIT_BYTES,
    NodeLayout,
    dns_cluster_query,
    release_environment,
    render_user_data,
)
from components.settings import (
    METRICS_NAMESPACE,
    STATSD_ADDRESS,
    StackSettings,
)
from tests.support.stacks import write_variant
from tools.stack_settings import load_stack_settings

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"
HTTPS_ARTIFACT = "https://releases.example.com/shop/shop-1.4.2.tar.gz"
NODE_IP = "10.40.17.9"

VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "dev": ("dev", {}),
    "prod": ("prod", {}),
    "dns": ("prod", {"elixir-cluster:release": {"discovery": "dns"}}),
    "https-artifact": ("dev", {"elixir-cluster:release": {"artifact": HTTPS_ARTIFACT}}),
    "epmd-4370": ("dev", {"elixir-cluster:release": {"distribution": {"epmdPort": 4370}}}),
}


@pytest.fixture(scope="module")
def variant_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StackSettings]:
    directory = tmp_path_factory.mktemp("stacks")
    return {
        name: load_stack_settings(write_variant(directory, base, name, changes))
        for name, (base, changes) in VARIANTS.items()
    }


@pytest.fixture(params=list(VARIANTS))
def settings(request: pytest.FixtureRequest, variant_settings: dict[str, StackSettings]) -> StackSettings:
    return variant_settings[request.param]


def user_data(settings: StackSettings) -> dict[str, Any]:
    return yaml.safe_load(render_user_data(settings))


def written_file(settings: StackSettings, path: str) -> str:
    files = {entry["path"]: entry["content"] for entry in user_data(settings)["write_files"]}
    return files[path]


def unit_settings(unit_text: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in unit_text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (apt-get install -y {tool}); CI installs it in .ci/run")
    return path


# --- cloud-init and shellcheck accept what we render -----------------------------------------


def test_user_data_passes_cloud_init_schema(settings: StackSettings, tmp_path: Path) -> None:
    cloud_init = require("cloud-init")
    path = tmp_path / "user-data.yaml"
    path.write_text(render_user_data(settings))
    result = subprocess.run([cloud_init, "schema", "--config-file", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid cloud-config" in result.stdout


SCRIPT_FILES = {
    "bootstrap": "bootstrap.sh",
    "fetch-cookie": "fetch-cookie.sh",
    "drain-agent": "drain-agent.sh",
    "common.sh": "common.sh",
}
"""Where each file of components/plans/scripts/ lands in /usr/local/libexec/<release>/."""


@pytest.mark.parametrize("script", sorted(SCRIPT_FILES.values()))
def test_every_script_file_passes_shellcheck(script: str) -> None:
    shellcheck = require("shellcheck")
    # --external-sources follows `source common.sh` as the directives in the files say.
    result = subprocess.run(
        [shellcheck, "--external-sources", "--severity=style", str(SCRIPTS_DIR / script)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"{script}:\n{result.stdout}{result.stderr}"


def test_every_script_file_is_delivered() -> None:
    assert sorted(path.name for path in SCRIPTS_DIR.glob("*.sh")) == sorted(SCRIPT_FILES.values())


def test_user_data_writes_the_script_files_byte_for_byte(settings: StackSettings) -> None:
    name = settings.release.name
    written = {entry["path"]: entry for entry in user_data(settings)["write_files"]}
    for installed, script in SCRIPT_FILES.items():
        entry = written[f"/usr/local/libexec/{name}/{installed}"]
        assert entry["content"].encode() == (SCRIPTS_DIR / script).read_bytes(), script
        assert entry["permissions"] == ("0644" if installed == "common.sh" else "0755"), script


def test_runcmd_passes_shellcheck(settings: StackSettings) -> None:
    shellcheck = require("shellcheck")
    runcmd = "#!/bin/bash\n" + "\n".join(user_data(settings)["runcmd"]) + "\n"
    result = subprocess.run(
        [shellcheck, "--shell=bash", "--severity=style", "-"], input=runcmd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_user_data_fits_the_ec2_limit(settings: StackSettings) -> None:
    assert len(render_user_data(settings).encode()) < USER_DATA_LIMIT_BYTES


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_user_data_matches_golden_file(stack: str, variant_settings: dict[str, StackSettings]) -> None:
    rendered = render_user_data(variant_settings[stack])
    golden = GOLDEN_DIR / f"user-data-{stack}.yaml"
    if UPDATE_GOLDEN:
        GOLDEN_DIR.mkdir(exist_ok=True)
        golden.write_text(rendered)
    assert golden.exists(), f"{golden} missing: run with UPDATE_GOLDEN=1 (see this module's docstring)"
    assert rendered == golden.read_text(), "user data changed: UPDATE_GOLDEN=1 regenerates, then review the diff"


# --- the release environment ---------------------------------------------------------------------


def test_release_env_file_is_release_environment_for_the_node_ip(settings: StackSettings, node: FakeNode) -> None:
    env_file = node.installed(settings, f"/etc/{settings.release.name}/release.env")
    result = node.run(
        settings, "bootstrap", "bash", "-c", f'source {{script}} && RELEASE_ENV="{env_file}" name_node {NODE_IP}'
    )
    assert result.returncode == 0, result.stderr
    assert parse_env_file(env_file.read_text()) == release_environment(settings, NODE_IP)


def test_prod_release_env_file_holds_the_stack_values(variant_settings: dict[str, StackSettings]) -> None:
    env_file = written_file(variant_settings["prod"], "/etc/shop/release.env")
    assert parse_env_file(env_file) == {
        "RELEASE_DISTRIBUTION": "name",
        "ERL_AFLAGS": "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9155",
        "PORT": "4000",
        "PHX_SERVER": "true",
        "HEALTH_CHECK_PATH": "/health",
        "AWS_REGION": "eu-west-1",
        "CLUSTER_DISCOVERY": "ec2Tags",
        "CLUSTER_EC2_TAG_NAME": "elixir-cluster:cluster",
        "CLUSTER_EC2_TAG_VALUE": "shop-prod",
        "CLUSTER_APP_PREFIX": "shop",
        "STATSD_HOST": "127.0.0.1",
        "STATSD_PORT": "8125",
    }


def test_prod_stack_env_holds_the_stack_values_the_scripts_read(variant_settings: dict[str, StackSettings]) -> None:
    assert stack_values(variant_settings["prod"]) == {
        "RELEASE": "shop",
        "RELEASE_ROOT": "/opt/shop",
        "RELEASE_ENV": "/etc/shop/release.env",
        "RELEASE_UNIT": "shop.service",
        "DRAIN_UNIT": "shop-drain.service",
        "CLOUDWATCH_CONFIG": "/etc/shop/cloudwatch-agent.json",
        "ARTIFACT": "s3://shop-releases/shop-1.4.2.tar.gz",
        "REGION": "eu-west-1",
        "COOKIE_PARAMETER": "/shop/prod/release-cookie",
        "CLUSTER_DISCOVERY": "ec2Tags",
        "DISCOVERY_SERVICE_TAG": "elixir-cluster:discovery-service-id",
        "LIFECYCLE_HOOK": "release-drain",
        "LOAD_BALANCER_DRAIN_SECONDS": "45",
        "DRAIN_POLL_SECONDS": "5",
    }


def test_stack_env_follows_the_variant(variant_settings: dict[str, StackSettings]) -> None:
    assert stack_values(variant_settings["dns"])["CLUSTER_DISCOVERY"] == "dns"
    assert stack_values(variant_settings["https-artifact"])["ARTIFACT"] == HTTPS_ARTIFACT
    assert stack_values(variant_settings["dev"])["LOAD_BALANCER_DRAIN_SECONDS"] == "15"


def stack_values(settings: StackSettings) -> dict[str, str]:
    """stack.env's variables as bash reads them when common.sh sources it."""
    text = written_file(settings, f"/usr/local/libexec/{settings.release.name}/stack.env")
    names = [line.split("=", 1)[0] for line in text.splitlines() if line and not line.startswith("#")]
    script = 'source "$1"; shift; for name in "$@"; do printf "%s=%s\\n" "$name" "${!name}"; done'
    with tempfile.NamedTemporaryFile("w", suffix=".env") as env_file:
        env_file.write(text)
        env_file.flush()
        result = subprocess.run(
            ["bash", "-c", script, "_", env_file.name, *names], capture_output=True, text=True, check=True
        )
    return dict(line.split("=", 1) for line in result.stdout.splitlines())


def parse_env_file(text: str) -> dict[str, str]:
    """KEY="value" lines, as systemd's EnvironmentFile= reads them."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line)
    return {key: value.removeprefix('"').removesuffix('"') for key, value in pairs}


def test_release_environment_names_the_node_by_its_private_ip(settings: StackSettings) -> None:
    env = release_environment(settings, NODE_IP)
    assert env["RELEASE_DISTRIBUTION"] == "name"
    assert env["RELEASE_NODE"] == f"{settings.release.name}@{NODE_IP}"
    assert env["PORT"] == str(settings.release.http_port)
    assert env["HEALTH_CHECK_PATH"] == settings.load_balancer.health_check.path
    assert f"{env['STATSD_HOST']}:{env['STATSD_PORT']}" == STATSD_ADDRESS


def test_erl_aflags_pin_distribution_to_the_configured_range(settings: StackSettings) -> None:
    flags = release_environment(settings, NODE_IP)["ERL_AFLAGS"].split()
    ports = settings.release.distribution.port_range
    assert flags[0] == "-kernel"
    assert dict(zip(flags[1::2], flags[2::2], strict=True)) == {
        "inet_dist_listen_min": str(ports.from_),
        "inet_dist_listen_max": str(ports.to),
    }


def test_erl_epmd_port_only_when_not_the_default(variant_settings: dict[str, StackSettings]) -> None:
    assert "ERL_EPMD_PORT" not in release_environment(variant_settings["dev"], NODE_IP)
    assert release_environment(variant_settings["epmd-4370"], NODE_IP)["ERL_EPMD_PORT"] == "4370"


def test_ec2_tags_discovery_hands_libcluster_the_stack_tag(variant_settings: dict[str, StackSettings]) -> None:
    settings = variant_settings["prod"]
    env = release_environment(settings, NODE_IP)
    assert env["CLUSTER_DISCOVERY"] == "ec2Tags"
    assert (env["CLUSTER_EC2_TAG_NAME"], env["CLUSTER_EC2_TAG_VALUE"]) == settings.discovery_tag
    assert env["CLUSTER_APP_PREFIX"] == settings.release.name
    assert env["AWS_REGION"] == settings.region
    assert "DNS_CLUSTER_QUERY" not in env


def test_dns_discovery_hands_dns_cluster_the_cloud_map_name(variant_settings: dict[str, StackSettings]) -> None:
    settings = variant_settings["dns"]
    env = release_environment(settings, NODE_IP)
    assert env["CLUSTER_DISCOVERY"] == "dns"
    assert env["DNS_CLUSTER_QUERY"] == dns_cluster_query(settings) == f"shop.{settings.qualified_name}.internal"
    assert not any(key.startswith("CLUSTER_EC2_") for key in env)


def test_discovery_service_tag_is_readable_through_instance_metadata() -> None:
    # Instance-metadata tag keys: letters, digits and + - = . , _ : @ only (no / or spaces).
    assert re.fullmatch(r"[A-Za-z0-9+\-=.,_:@]+", DISCOVERY_SERVICE_TAG_KEY)


# --- systemd: the release unit and the drain ---------------------------------------------------------


def test_release_stops_within_a_timeout_longer_than_the_drain(settings: StackSettings) -> None:
    layout = NodeLayout(settings.release.name)
    unit = unit_settings(written_file(settings, f"/etc/systemd/system/{layout.release_unit}"))
    # drainSeconds plus systemd's 15 s margin: dev (and its variants) drains 15 s, prod 30 s
    expected = {"dev": 15 + 15, "prod": 30 + 15, "dns": 30 + 15, "https-artifact": 15 + 15, "epmd-4370": 15 + 15}
    assert int(unit["TimeoutStopSec"][0]) == expected[settings.stack]


def test_lifecycle_hook_heartbeat_covers_the_whole_drain(settings: StackSettings) -> None:
    # Noticing scale-in (one 5 s poll), waiting out the load balancer's drain, stopping the
    # release (the unit's stop timeout), completing the hook: all within the heartbeat.
    layout = NodeLayout(settings.release.name)
    unit = unit_settings(written_file(settings, f"/etc/systemd/system/{layout.release_unit}"))
    poll = int(stack_values(settings)["DRAIN_POLL_SECONDS"])
    drain = poll + settings.load_balancer.deregistration_delay + int(unit["TimeoutStopSec"][0])
    assert settings.drain.heartbeat_seconds > drain


def test_release_unit_runs_the_release_as_its_system_user(settings: StackSettings) -> None:
    name = settings.release.name
    layout = NodeLayout(name)
    unit = unit_settings(written_file(settings, f"/etc/systemd/system/{layout.release_unit}"))
    assert unit["User"] == [name]
    assert unit["ExecStart"] == [f"/opt/{name}/bin/{name} start"]
    assert unit["ExecStop"] == [f"/opt/{name}/bin/{name} stop"]
    assert unit["Restart"] == ["on-failure"]
    assert unit["ExecStartPre"] == [layout.cookie_script]
    assert unit["EnvironmentFile"] == [layout.env_file, f"-{layout.cookie_env_file}"]
    assert unit["RuntimeDirectory"] == [name] and layout.cookie_env_file.startswith(f"/run/{name}/")
    users = [entry for entry in user_data(settings)["users"] if isinstance(entry, dict)]
    assert users == [{**users[0], "name": name, "system": True, "shell": "/sbin/nologin", "homedir": layout.state_dir}]


def test_bootstrap_enables_the_release_and_the_drain_agent(settings: StackSettings) -> None:
    layout = NodeLayout(settings.release.name)
    document = user_data(settings)
    assert document["runcmd"] == [layout.bootstrap_script]
    drain_unit = unit_settings(written_file(settings, f"/etc/systemd/system/{layout.drain_unit}"))
    assert drain_unit["ExecStart"] == [layout.drain_script]


# --- the scripts, run against fakes ---------------------------------------------------------------


def test_bootstrap_installs_names_and_starts_the_node(
    variant_settings: dict[str, StackSettings], node: FakeNode
) -> None:
    settings = variant_settings["prod"]
    root, env_file = node.root / "fs/opt/shop", node.installed(settings, "/etc/shop/release.env")
    # The node's / is node.root/fs; the CloudWatch agent's control script is a fake on PATH.
    overrides = f"RELEASE_ROOT={root} RELEASE_ENV={env_file} CLOUDWATCH_AGENT_CTL=amazon-cloudwatch-agent-ctl"
    result = node.run(settings, "bootstrap", "bash", "-c", f"source {{script}} && {overrides} main")
    assert result.returncode == 0, result.stderr
    assert (root / "bin/shop").is_file()
    assert parse_env_file(env_file.read_text()) == release_environment(settings, NODE_IP)
    fetch, *actions = [call for call in node.calls() if not call.startswith("curl")]
    assert fetch.startswith("aws s3 cp --only-show-errors --region eu-west-1 s3://shop-releases/shop-1.4.2.tar.gz ")
    assert actions == [
        "systemctl daemon-reload",
        "systemctl enable shop-drain.service shop.service",
        "systemctl start --no-block shop-drain.service shop.service",
        "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/etc/shop/cloudwatch-agent.json",
    ]
    assert result.stdout == f"shop started as shop@{NODE_IP}\n"


FAKE_CURL = r"""#!/bin/bash
# IMDSv2 from files: a PUT returns a token; a GET needs it and reads $FAKE_IMDS/<path>.
echo "curl $*" >> "$FAKE_CALLS"
url="${*: -1}"
if [[ " $* " == *" PUT "* ]]; then echo fake-token; exit 0; fi
[[ " $* " == *"X-aws-ec2-metadata-token: fake-token"* ]] || exit 22
item="$FAKE_IMDS/${url#http://169.254.169.254/latest/meta-data/}"
if [[ -f "$item.failures" ]] && (( $(cat "$item.failures") > 0 )); then
  echo $(( $(cat "$item.failures") - 1 )) > "$item.failures"
  exit 22
fi
[[ -f "$item" ]] || exit 22
cat "$item"
"""

FAKE_RECORDER = r"""#!/bin/bash
echo "$(basename "$0") $*" >> "$FAKE_CALLS"
case "$(basename "$0") $1 $2" in
  "aws ssm get-parameter") printf '%s\n' "$FAKE_COOKIE" ;;
  "aws s3 cp") cp "$FAKE_ARTIFACT" "${*: -1}" ;;
esac
"""


@dataclass
class FakeNode:
    """A sandbox where the scripts' commands are fakes that record their calls.

    `run` first installs the user data's files under `root/fs` as cloud-init would,
    so a script finds common.sh and stack.env beside it.
    """

    root: Path

    def __post_init__(self) -> None:
        for directory in ("bin", "imds", "run", "fs"):
            (self.root / directory).mkdir()
        self._tool("curl", FAKE_CURL)
        for tool in ("aws", "systemctl", "sleep", "amazon-cloudwatch-agent-ctl"):
            self._tool(tool, FAKE_RECORDER)
        with tarfile.open(self.root / "release.tar.gz", "w:gz") as artifact:
            artifact.add(self._tool("shop", "#!/bin/bash\n"), arcname="bin/shop")

    def _tool(self, name: str, text: str) -> Path:
        path = self.root / "bin" / name
        path.write_text(text)
        path.chmod(0o755)
        return path

    def imds(self, item: str, value: str, failures: int = 0) -> None:
        path = self.root / "imds" / item
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
        (path.parent / f"{path.name}.failures").write_text(str(failures))

    def installed(self, settings: StackSettings, path: str) -> Path:
        """Writes every file of the user data under root/fs; returns where `path` went."""
        for entry in user_data(settings)["write_files"]:
            target = self.root / "fs" / entry["path"].lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(entry["content"])
        return self.root / "fs" / path.lstrip("/")

    def run(
        self, settings: StackSettings, script: str, *command: str, cookie: str = ""
    ) -> subprocess.CompletedProcess[str]:
        """Runs /usr/local/libexec/<release>/<script>, or `command` with {script} its path."""
        path = self.installed(settings, f"/usr/local/libexec/{settings.release.name}/{script}")
        env = {
            "PATH": f"{self.root / 'bin'}:/usr/bin:/bin",
            "FAKE_CALLS": str(self.root / "calls"),
            "FAKE_IMDS": str(self.root / "imds"),
            "FAKE_COOKIE": cookie,
            "FAKE_ARTIFACT": str(self.root / "release.tar.gz"),
            "RUNTIME_DIRECTORY": str(self.root / "run"),
        }
        args = list(command) or ["bash", str(path)]
        return subprocess.run(
            [arg.replace("{script}", str(path)) for arg in args],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def calls(self, tool: str | None = None) -> list[str]:
        log = self.root / "calls"
        lines = log.read_text().splitlines() if log.exists() else []
        return [line for line in lines if tool is None or line.startswith(f"{tool} ")]


@pytest.fixture
def node(tmp_path: Path) -> FakeNode:
    fake = FakeNode(tmp_path)
    fake.imds("instance-id", "i-0123456789abcdef0")
    fake.imds("local-ipv4", NODE_IP)
    fake.imds("tags/instance/aws:autoscaling:groupName", "shop-prod-nodes-4f2a")
    fake.imds(f"tags/instance/{DISCOVERY_SERVICE_TAG_KEY}", "srv-abcdef0123456789")
    fake.imds("autoscaling/target-lifecycle-state", "Terminated")
    return fake


def test_drain_agent_lets_the_load_balancer_drain_stops_the_release_then_lets_go(
    variant_settings: dict[str, StackSettings], node: FakeNode
) -> None:
    settings = variant_settings["prod"]
    result = node.run(settings, "drain-agent")
    assert result.returncode == 0, result.stderr
    actions = [call for call in node.calls() if not call.startswith("curl")]
    assert actions == [
        f"sleep {settings.load_balancer.deregistration_delay}",
        "systemctl stop shop.service",
        "aws autoscaling complete-lifecycle-action --region eu-west-1"
        f" --lifecycle-hook-name {LIFECYCLE_HOOK_NAME} --auto-scaling-group-name shop-prod-nodes-4f2a"
        " --instance-id i-0123456789abcdef0 --lifecycle-action-result CONTINUE",
    ]


def test_drain_agent_waits_while_the_instance_is_in_service(
    variant_settings: dict[str, StackSettings], node: FakeNode
) -> None:
    # IMDS "fails" twice on the lifecycle item before answering Terminated: two backoffs
    # from the 5 s poll, then the drain; while InService the agent would poll every 5 s.
    node.imds("autoscaling/target-lifecycle-state", "Terminated", failures=2)
    result = node.run(variant_settings["prod"], "drain-agent")
    assert result.returncode == 0, result.stderr
    assert node.calls("sleep")[:-1] == ["sleep 10", "sleep 20"]


def test_drain_agent_backoff_is_bounded(variant_settings: dict[str, StackSettings], node: FakeNode) -> None:
    node.imds("autoscaling/target-lifecycle-state", "Terminated", failures=8)
    result = node.run(variant_settings["prod"], "drain-agent")
    assert result.returncode == 0, result.stderr
    pauses = [int(call.split()[1]) for call in node.calls("sleep")[:-1]]
    assert len(pauses) == 8
    assert pauses == sorted(pauses) and max(pauses) == 60


def test_drain_agent_polls_until_scale_in(variant_settings: dict[str, StackSettings], node: FakeNode) -> None:
    node.imds("autoscaling/target-lifecycle-state", "InService")
    # The agent never returns while InService: it sleeps and polls again. Stop it after a few polls.
    result = node.run(variant_settings["prod"], "drain-agent", "timeout", "2", "bash", "{script}")
    assert result.returncode == 124, "still waiting"
    assert set(node.calls("sleep")) == {"sleep 5"}
    assert not node.calls("systemctl") and not node.calls("aws")


def test_dns_drain_agent_registers_and_deregisters_around_the_drain(
    variant_settings: dict[str, StackSettings], node: FakeNode
) -> None:
    settings = variant_settings["dns"]
    result = node.run(settings, "drain-agent")
    assert result.returncode == 0, result.stderr
    actions = [call for call in node.calls() if not call.startswith("curl")]
    service = "--service-id srv-abcdef0123456789 --instance-id i-0123456789abcdef0"
    assert actions == [
        f"aws servicediscovery register-instance --region eu-west-1 {service} --attributes AWS_INSTANCE_IPV4={NODE_IP}",
        f"aws servicediscovery deregister-instance --region eu-west-1 {service}",
        f"sleep {settings.load_balancer.deregistration_delay}",
        "systemctl stop shop.service",
        actions[-1],
    ]
    assert actions[-1].startswith(
        f"aws autoscaling complete-lifecycle-action --region eu-west-1 --lifecycle-hook-name {LIFECYCLE_HOOK_NAME}"
    )


def test_every_metadata_read_uses_an_imdsv2_token(variant_settings: dict[str, StackSettings], node: FakeNode) -> None:
    node.run(variant_settings["dns"], "drain-agent")
    reads = [call for call in node.calls("curl") if " PUT " not in f" {call} "]
    assert reads and all("X-aws-ec2-metadata-token: fake-token" in call for call in reads)


# --- the cookie ----------------------------------------------------------------------------------

COOKIE = "kR3ewP0q9sZt7mNv2xLc8bYh4jDf6gA1"


def test_cookie_is_written_to_a_private_file_and_nowhere_else(settings: StackSettings, node: FakeNode) -> None:
    result = node.run(settings, "fetch-cookie", cookie=COOKIE)
    assert result.returncode == 0, result.stderr
    cookie_file = node.root / "run" / "cookie.env"
    assert cookie_file.read_text() == f"RELEASE_COOKIE='{COOKIE}'\n"
    assert stat.S_IMODE(cookie_file.stat().st_mode) == 0o600
    assert COOKIE not in result.stdout + result.stderr
    assert node.calls("aws") == [
        f"aws ssm get-parameter --region {settings.region} --name {settings.release.cookie_parameter}"
        " --with-decryption --query Parameter.Value --output text"
    ]


@pytest.mark.parametrize("bad", ["", "it's", "two\nlines"])
def test_a_cookie_the_unit_cannot_load_is_refused_without_echoing_it(
    variant_settings: dict[str, StackSettings], node: FakeNode, bad: str
) -> None:
    result = node.run(variant_settings["prod"], "fetch-cookie", cookie=bad)
    assert result.returncode != 0
    assert not (node.root / "run" / "cookie.env").exists()
    assert not bad or bad not in result.stdout + result.stderr


def test_user_data_holds_the_cookie_parameter_name_but_never_a_cookie(settings: StackSettings) -> None:
    text = render_user_data(settings)
    layout = NodeLayout(settings.release.name)
    assert text.count(settings.release.cookie_parameter) == 1
    assert stack_values(settings)["COOKIE_PARAMETER"] == settings.release.cookie_parameter
    assert '--name "${COOKIE_PARAMETER}"' in written_file(settings, layout.cookie_script)
    # The only RELEASE_COOKIE assignment is the fetch script writing what SSM returned.
    assignments = [line.strip() for line in text.splitlines() if "RELEASE_COOKIE=" in line]
    assert assignments == ['printf "RELEASE_COOKIE=\'%s\'\\n" "${cookie}" > "${RUNTIME_DIRECTORY}/cookie.env"']
    assert "set -x" not in text and "--cookie" not in text and "setcookie" not in text


# --- the artifact --------------------------------------------------------------------------------


def test_s3_artifact_is_fetched_with_the_aws_cli(variant_settings: dict[str, StackSettings], node: FakeNode) -> None:
    settings = variant_settings["prod"]
    result = node.run(settings, "bootstrap", "bash", "-c", "source {script} && fetch_artifact /tmp/release.tar.gz")
    assert result.returncode == 0, result.stderr
    assert node.calls("aws") == [
        f"aws s3 cp --only-show-errors --region {settings.region} {settings.release.artifact} /tmp/release.tar.gz"
    ]


def test_https_artifact_is_fetched_with_curl_failing_on_errors(
    variant_settings: dict[str, StackSettings], node: FakeNode
) -> None:
    settings = variant_settings["https-artifact"]
    node.run(settings, "bootstrap", "bash", "-c", "source {script} && fetch_artifact /tmp/release.tar.gz")
    [call] = node.calls("curl")
    assert call.endswith(f"--output /tmp/release.tar.gz {HTTPS_ARTIFACT}")
    assert all(flag in call.split() for flag in ["--fail", "--retry", "--proto", "=https"])
    assert not node.calls("aws")


# --- the CloudWatch agent --------------------------------------------------------------------------


def test_cloudwatch_agent_publishes_memory_and_statsd_per_group(settings: StackSettings) -> None:
    layout = NodeLayout(settings.release.name)
    config = yaml.safe_load(written_file(settings, layout.cloudwatch_config))
    metrics = config["metrics"]
    assert metrics["namespace"] == METRICS_NAMESPACE
    assert metrics["append_dimensions"] == {"AutoScalingGroupName": "${aws:AutoScalingGroupName}"}
    assert metrics["aggregation_dimensions"] == [["AutoScalingGroupName"]]
    assert metrics["metrics_collected"]["mem"]["measurement"] == [MEMORY_METRIC]
    assert metrics["metrics_collected"]["statsd"]["service_address"] == STATSD_ADDRESS
    assert "amazon-cloudwatch-agent" in user_data(settings)["packages"]
    assert stack_values(settings)["CLOUDWATCH_CONFIG"] == layout.cloudwatch_config


def test_lifecycle_hook_name_is_a_valid_hook_name() -> None:
    # LifecycleHookName: 1-255 characters of [A-Za-z0-9-_/] (Auto Scaling API reference).
    assert re.fullmatch(r"[A-Za-z0-9\-_/]{1,255}", LIFECYCLE_HOOK_NAME)


def test_application_guide_documents_every_release_variable(variant_settings: dict[str, StackSettings]) -> None:
    guide = (Path(__file__).parent.parent / "docs" / "elixir-application.md").read_text()
    keys = {key for settings in variant_settings.values() for key in release_environment(settings, NODE_IP)}
    assert {key for key in keys if f"`{key}`" not in guide} == set()
