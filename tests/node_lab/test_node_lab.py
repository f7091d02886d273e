"""A stack's group booted for real: each instance from the launch template's user data, by
cloud-init, against the emulated AWS with the node role's permissions only (NodeLab).

Per stack in NODE_LAB_STACKS (default dev, prod, and dev with `discovery: dns`): three
instances serve through HAProxy, run as `<release>@<address>` inside the port range, mesh
through the stack's discovery, read the cookie and release.secrets from SSM and Secrets
Manager with the node role and keep them to the release, place orders in PostgreSQL
(reached only through the database's security group, which the stack puts on the launch
template), drop out of HAProxy while their database is unreachable, and one leaves through
the drain agent on scale-in without a failed order, leaving no secret behind.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from components.plans.release_environment import release_environment
from components.plans.user_data import render_user_data
from tests.support.fake_node import decoded_content
from tests.support.node_lab import stop_traffic, telltales
from tools.conformance.node_lab import boot, cloud_init
from tools.conformance.node_lab.database import DATABASE_PORT
from tools.conformance.node_lab.lab import MESH_TIMEOUT_SECONDS, Node, NodeLab
from tools.conformance.node_lab.secret_scan import (
    comm,
    descendants,
    files_under,
    host_pids,
    in_files,
    in_processes,
    instance_logs,
    main_pid,
)
from tools.conformance.node_lab.units import environment_file
from tools.conformance.waiting import wait_until

pytestmark = pytest.mark.node_lab

SPREAD_REQUESTS = 30
ORDERS = 30
HEALTH_CHECK_SLACK_SECONDS = 5
"""Beyond the health checks' own budget: one check's duration, the app's reconnect, our polling."""
AFTER_STOP_SECONDS = 5
"""Traffic kept on after the drained node stopped: a request still routed to it would fail."""
DRAIN_AGENT_SLACK_SECONDS = 30
"""Beyond the agent's poll, the deregistration delay and drainSeconds: its AWS calls and the stop."""


def visible(lab: NodeLab, node: Node) -> set[str] | None:
    status, body = lab.get(node, "/node")
    return set(json.loads(body)["nodes"]) if status == 200 else None


def full_mesh(lab: NodeLab, nodes: list[Node]) -> bool:
    names = {n.name for n in nodes}
    return all(visible(lab, n) == names - {n.name} for n in nodes)


def requests_through_haproxy(lab: NodeLab, count: int, path: str = "/served-by", method: str = "GET") -> list[dict]:
    argv = lab.client.python(
        "tools.conformance.traffic", f"{lab.url}{path}", "--seconds", "60", "--count", str(count), "--method", method
    )
    return [json.loads(line) for line in lab.client.run(argv).stdout.splitlines()]


def orders_through_haproxy(lab: NodeLab, count: int) -> list[dict]:
    """`count` orders placed through HAProxy; each request with its order (None when it failed)."""
    requests = requests_through_haproxy(lab, count, "/orders", "POST")
    return [r | {"order": json.loads(r["body"]) if r["status"] == 201 else None} for r in requests]


def receipt(lab: NodeLab, order_id: int) -> str:
    """What the release signs an order with: HMAC-SHA256 of `order:<id>` under SECRET_KEY_BASE."""
    mac = hmac.new(lab.secrets.secret_key_base.encode(), f"order:{order_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def test_every_node_booted_from_the_launch_templates_user_data(node_lab):
    assert node_lab.facts["user_data"] == render_user_data(node_lab.settings)
    assert node_lab.facts["metadata_options"].get("HttpTokens") == "required"
    for node in node_lab.nodes:
        assert [r.exit_code for r in node.boot_runs] == [0, 0, 0], cloud_init.output_log(node.instance)[-3000:]
        assert cloud_init.errors(node.instance) == []
        row = node_lab.report.row(node.name)
        row.artifact = node_lab.settings.release.artifact
        row.cookie_source = f"ssm:{node_lab.settings.release.cookie_parameter}"


def test_cloud_init_ran_each_module_of_the_user_data_as_written(node_lab):
    """users, write_files, runcmd and packages, on every node (before any leaves)."""
    document = yaml.safe_load(node_lab.facts["user_data"])
    release = node_lab.settings.release.name
    layout = node_lab.layout
    assert not Path("/var/lib", release).exists(), "nothing written on the host"
    for node in node_lab.nodes:
        entry = node.instance.run(["getent", "passwd", release]).stdout.strip().split(":")
        assert entry[5:] == [layout.state_dir, "/sbin/nologin"] and int(entry[2]) < 1000, "a system user"
        for item in document["write_files"]:
            written = node.instance.path(item["path"])
            # The bootstrap adds the node's name to release.env, and nothing else to any file.
            added = f'RELEASE_NODE="{node.name}"\n' if item["path"] == layout.env_file else ""
            assert written.read_text() == decoded_content(item) + added, item["path"]
            assert oct(written.stat().st_mode & 0o777) == oct(int(item["permissions"], 8)), item["path"]
        env = environment_file(node.instance.path(layout.env_file))
        assert env == release_environment(node_lab.settings, node.address)
        installs = [call for call in cloud_init.recorded(node.instance, "apt-get") if "install" in call]
        assert [call[call.index("install") + 1 :] for call in installs] == [document["packages"]]
        assert node.instance.run(["dpkg", "-s", *document["packages"]], check=False).returncode != 0
        for unit in (layout.release_unit, layout.drain_unit):
            assert boot.systemctl(node.instance, "is-enabled", unit).stdout == "enabled\n"
        calls = boot.cloudwatch_agent_calls(node.instance)
        assert len(calls) == 1 and calls[0][:2] == ["-a", "fetch-config"], calls
        assert boot.cloudwatch_agent_config_problems(node.instance, calls[0]) == []
        # ExecStartPre read the cookie and the secrets as the unit's User=, not as root.
        owner = node.instance.path(layout.secrets_env_file).stat().st_uid
        assert owner == int(entry[2]) and owner != 0


def test_every_node_serves_the_health_path_through_haproxy(node_lab):
    requests = requests_through_haproxy(node_lab, SPREAD_REQUESTS)
    assert [r["status"] for r in requests] == [200] * SPREAD_REQUESTS
    served = Counter(r["body"] for r in requests)
    assert set(served) == {n.name for n in node_lab.nodes}, served
    for node in node_lab.nodes:
        path = node_lab.settings.load_balancer.health_check.path
        assert node_lab.get(node, path) == (200, "ok")


def test_each_node_runs_as_release_at_its_address_and_listens_only_in_the_port_range(node_lab):
    low, high = (
        node_lab.settings.release.distribution.port_range.from_,
        node_lab.settings.release.distribution.port_range.to,
    )
    app = node_lab.settings.release.http_port
    for node in node_lab.nodes:
        status, body = node_lab.get(node, "/node")
        assert status == 200 and json.loads(body)["node"] == f"{node_lab.settings.release.name}@{node.address}"
        names = node.instance.run(["epmd", "-names"]).stdout
        port = int(next(line for line in names.splitlines() if line.startswith("name shop ")).rsplit(" ", 1)[1])
        assert low <= port <= high, names
        listening = node.instance.namespace.run(["ss", "-Hltnp"]).stdout.splitlines()
        beam_ports = {int(line.split()[3].rsplit(":", 1)[1]) for line in listening if "beam.smp" in line}
        assert beam_ports - {app} and all(low <= p <= high for p in beam_ports - {app}), listening
        node_lab.report.row(node.name).distribution_port = port


def test_the_nodes_form_a_full_mesh_through_the_stacks_discovery(node_lab):
    seconds = wait_until(lambda: full_mesh(node_lab, node_lab.nodes), MESH_TIMEOUT_SECONDS, pause=1)
    assert seconds is not None, {n.name: visible(node_lab, n) for n in node_lab.nodes}
    node_lab.report.mesh_seconds = seconds
    for node in node_lab.nodes:
        node_lab.report.row(node.name).mesh_size = len(visible(node_lab, node)) + 1


# --- the cookie and release.secrets -------------------------------------------------------------


def test_each_node_reads_each_secret_where_the_stack_file_says(node_lab):
    """Stored by the lab under the stack file's references only, read there by every node's aws CLI."""
    release = node_lab.settings.release
    parameter, secret = release.secrets["SECRET_KEY_BASE"], release.secrets["DATABASE_URL"]
    secret_arn = secret.removesuffix(":url::")  # the shipped stacks read JSON key `url` of the current version
    reads = {
        ("ssm", "get-parameter", "--name", release.cookie_parameter),
        ("ssm", "get-parameter", "--name", parameter),
        ("secretsmanager", "get-secret-value", "--secret-id", secret_arn),
    }
    for node in node_lab.nodes:
        calls = cloud_init.recorded(node.instance, "aws")
        made = {
            tuple(c[:4]) for c in calls if c[:2] in (["ssm", "get-parameter"], ["secretsmanager", "get-secret-value"])
        }
        assert made == reads, calls

    def stored(aws) -> tuple[dict, dict, str]:
        ssm, secretsmanager = aws.client("ssm"), aws.client("secretsmanager")
        found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [parameter]}])["Parameters"][0]
        value = ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
        return found, secretsmanager.describe_secret(SecretId=secret_arn), value

    described, described_secret, value = node_lab.account.call(stored)
    assert (described["Type"], value) == ("SecureString", node_lab.secrets.secret_key_base)
    assert described_secret["ARN"] == secret_arn
    current = [v for v, stages in described_secret["VersionIdsToStages"].items() if "AWSCURRENT" in stages]
    nodes = f"read by {len(node_lab.nodes)} of {len(node_lab.nodes)} nodes at the release's start"
    node_lab.report.secret(
        "from", f"RELEASE_COOKIE: SSM SecureString {release.cookie_parameter} (the stack's own); {nodes}"
    )
    node_lab.report.secret(
        "from", f"SECRET_KEY_BASE: SSM SecureString {parameter}, version {described['Version']}; {nodes}"
    )
    node_lab.report.secret(
        "from", f"DATABASE_URL: Secrets Manager {secret_arn}, JSON key url of AWSCURRENT ({current[0]}); {nodes}"
    )


READS_OF_A_VALUE = {
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
}
"""Every call that returns a parameter's or a secret's value (Service Authorization Reference)."""


def test_the_node_role_reads_the_values_of_exactly_the_cookie_and_the_secrets_the_stack_file_names(node_lab):
    """The role's final permissions, as IAM holds them: inline only, and a value read on nothing else."""
    release, role = node_lab.settings.release, node_lab.facts["role"]

    def read(aws) -> tuple[list, list]:
        iam = aws.client("iam")
        attached = iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
        names = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
        return attached, [iam.get_role_policy(RoleName=role["RoleName"], PolicyName=n)["PolicyDocument"] for n in names]

    attached, documents = node_lab.account.call(read)
    assert attached == [], "no managed policy"
    statements = [s for document in documents for s in _policy(document)["Statement"]]
    assert all(s["Effect"] == "Allow" for s in statements)
    reads: dict[str, set[str]] = {}
    for statement in statements:
        for action in _listed(statement["Action"]):
            assert "*" not in action, statement
            if action in READS_OF_A_VALUE:
                reads.setdefault(action, set()).update(_listed(statement["Resource"]))
    account = role["Arn"].split(":")[4]
    parameters = [release.cookie_parameter, release.secrets["SECRET_KEY_BASE"]]
    assert reads == {
        "ssm:GetParameter": {f"arn:aws:ssm:{node_lab.settings.region}:{account}:parameter{p}" for p in parameters},
        "secretsmanager:GetSecretValue": {release.secrets["DATABASE_URL"].removesuffix(":url::")},
    }
    for statement in statements:
        conditioned = " when " + json.dumps(statement["Condition"]) if "Condition" in statement else ""
        node_lab.report.secret(
            "role",
            f"{statement.get('Sid', '-')}: {', '.join(_listed(statement['Action']))} "
            f"on {', '.join(_listed(statement['Resource']))}{conditioned}",
        )


def _policy(document: str | dict) -> dict:
    """A policy document as IAM returns it: JSON, URL-encoded by the API (boto3 decodes it)."""
    return json.loads(unquote(document)) if isinstance(document, str) else document


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_the_release_holds_the_cookie_and_the_secrets_exactly_and_no_other_process_does(node_lab):
    values = {"RELEASE_COOKIE": node_lab.facts["cookie"], **node_lab.secrets.by_variable()}
    scanned = {"release": 0, "other": 0}
    for node in node_lab.nodes:
        pids = node.instance.all_processes()
        main = main_pid(node.instance, node_lab.layout.release_unit)
        environ = _environ(main)
        assert [name for name in values if environ.get(name) != values[name]] == [], "each exactly, newline and all"
        release = descendants(main, pids)
        others = [pid for pid in pids if pid not in release]
        assert "epmd" in {comm(pid) for pid in others}, [comm(pid) for pid in others]
        found = in_processes(telltales(node_lab), others, parts=("environ",))
        assert not found, found
        scanned["release"] += len(release)
        scanned["other"] += len(others)
    node_lab.report.secret(
        "leak check",
        f"environments on {len(node_lab.nodes)} nodes: the release's {scanned['release']} processes hold the cookie "
        f"and both secrets, exactly; none of the {scanned['other']} others (epmd among them) holds any",
    )


def _environ(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(entry.split("=", 1) for entry in entries if entry)


def test_no_secret_is_in_the_user_data(node_lab):
    user_data = node_lab.facts["user_data"]
    texts = [user_data, *(decoded_content(item) for item in yaml.safe_load(user_data)["write_files"])]
    assert "secrets.sh" in "".join(texts), "the scan reads the scripts, not only their gzip"
    found = [name for name, value in telltales(node_lab).items() if any(value in text for text in texts)]
    assert not found, found
    node_lab.report.secret("leak check", f"user data ({len(user_data)} bytes, {len(texts) - 1} files decoded): clean")


def test_no_secret_is_on_a_command_line_in_a_log_or_in_the_labs_files(node_lab):
    values = telltales(node_lab)
    pids = host_pids()
    found = in_processes(values, pids, parts=("cmdline",))
    assert not found, found
    logs = [path for node in node_lab.nodes for path in instance_logs(node.instance)]
    lab_files = files_under(node_lab.workdir)  # moto's, the stages' and the unit runner's logs among them
    assert node_lab.account.workdir / "moto.log" in lab_files, "the scan reads what the lab's AWS logged"
    journals = {path.name for path in logs}
    assert f"{node_lab.layout.release_unit}.log" in journals and "aws.log" in journals, journals
    found = in_files(values, logs + lab_files)
    assert not found, found
    node_lab.report.secret("leak check", f"command lines of the machine's {len(pids)} processes: clean")
    node_lab.report.secret(
        "leak check",
        f"cloud-init's logs, the units' journals and the aws calls on {len(node_lab.nodes)} nodes ({len(logs)} files), "
        f"the lab's own {len(lab_files)} files (moto's log among them): clean",
    )


# --- the database --------------------------------------------------------------------------------


def test_the_database_admits_the_nodes_through_its_security_group_and_nobody_else(node_lab):
    assert node_lab.database_group in node_lab.facts["node_groups"], "the launch template carries the group"
    target = f"{node_lab.database.address}:{DATABASE_PORT}"
    seen = {}
    for source in [*(n.instance.namespace for n in node_lab.nodes), node_lab.balancer_namespace, node_lab.client]:
        argv = source.python("tools.conformance.probe", "--timeout", "1", target)
        seen[source.name.rsplit("-", 1)[1]] = json.loads(source.run(argv).stdout)[target]
    node_lab.report.database_probes = seen
    assert seen == {**{n.server: "open" for n in node_lab.nodes}, "lb": "blocked", "client": "blocked"}


def test_every_node_places_orders_in_postgresql_through_haproxy(node_lab):
    orders = orders_through_haproxy(node_lab, ORDERS)
    assert [r["status"] for r in orders] == [201] * ORDERS, [r["body"] for r in orders if r["status"] != 201][:3]
    placed = [r["order"] for r in orders]
    served = Counter(o["served_by"] for o in placed)
    assert set(served) == {n.name for n in node_lab.nodes}, served
    # Each release signed with the SECRET_KEY_BASE it was given, and links on the PHX_HOST it was given.
    assert all(o["receipt"] == receipt(node_lab, o["id"]) for o in placed), placed[:2]
    assert {urlsplit(o["url"]).hostname for o in placed} == {node_lab.settings.release.environment["PHX_HOST"]}
    ids = ", ".join(str(o["id"]) for o in placed)
    rows = node_lab.database.sql(f"SELECT id, served_by FROM orders WHERE id IN ({ids}) ORDER BY id;", "shop")
    assert rows.splitlines() == [f"{o['id']}|{o['served_by']}" for o in sorted(placed, key=lambda o: o["id"])]
    for node in node_lab.nodes:
        node_lab.report.row(node.name).orders = served[node.name]


def test_a_node_that_cannot_reach_the_database_leaves_haproxy_while_the_others_keep_serving(node_lab):
    check = node_lab.facts["target_group"].health_check
    out_within = check.interval * (check.unhealthy_threshold + 1) + HEALTH_CHECK_SLACK_SECONDS
    back_within = check.interval * (check.healthy_threshold + 1) + HEALTH_CHECK_SLACK_SECONDS
    cut, others = node_lab.nodes[0], node_lab.nodes[1:]
    with node_lab.database_unreachable_from(cut):
        out = wait_until(lambda: node_lab.server_status(cut).startswith("DOWN"), out_within, pause=0.5)
        assert out is not None, node_lab.server_status(cut)
        health = node_lab.get(cut, check.path)
        direct = node_lab.get(cut, "/orders", method="POST")
        orders = orders_through_haproxy(node_lab, ORDERS)
    assert health == (503, "database unavailable") and direct[0] == 503
    assert [r["status"] for r in orders] == [201] * ORDERS
    assert {r["order"]["served_by"] for r in orders} == {n.name for n in others}
    back = wait_until(lambda: node_lab.server_status(cut) == "UP", back_within, pause=0.5)
    assert back is not None, node_lab.server_status(cut)
    assert node_lab.get(cut, "/orders", method="POST")[0] == 201
    journal = _journal(cut, node_lab.layout.release_unit)
    assert "database connection lost" in journal and "database connected again" in journal, journal
    leaked = in_files(node_lab.secrets.telltales(), instance_logs(cut.instance))
    assert not leaked, leaked
    node_lab.report.database_outage = (
        f"{cut.name} cut off: out of HAProxy in {out:.1f} s (bound {out_within} s), {ORDERS} orders through "
        f"HAProxy meanwhile all placed by the others; back in {back:.1f} s (bound {back_within} s)"
    )


# --- scale-in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleIn:
    node: Node
    stayed: list[Node]
    requests: list[dict]
    seconds: float


@pytest.fixture(scope="module")
def scale_in(node_lab) -> ScaleIn:
    """As Auto Scaling does: deregister the node (HAProxy drains it), then target state Terminated."""
    assert wait_until(lambda: full_mesh(node_lab, node_lab.nodes), MESH_TIMEOUT_SECONDS, pause=1) is not None
    leaving, stayed = node_lab.nodes[-1], node_lab.nodes[:-1]
    release, delay = node_lab.settings.release, node_lab.facts["target_group"].deregistration_delay
    bound = 5 + delay + release.drain_seconds + DRAIN_AGENT_SLACK_SECONDS
    log = node_lab.workdir / "scale-in-traffic.jsonl"
    argv = node_lab.client.python(
        "tools.conformance.traffic", f"{node_lab.url}/orders", "--method", "POST", "--seconds", str(bound + 30)
    )
    with open(log, "wb") as out:
        loop = subprocess.Popen(node_lab.client.command(argv), stdout=out, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        started = time.monotonic()
        node_lab.balancer.set_state(leaving.server, "drain")
        leaving.instance.set_lifecycle_state("Terminated")
        stopped = wait_until(lambda: _completed(node_lab, leaving), bound, pause=0.5)
        assert stopped is not None, _journal(leaving, node_lab.layout.drain_unit)
        time.sleep(AFTER_STOP_SECONDS)
    finally:
        stop_traffic(loop)
    requests = [json.loads(line) for line in log.read_text().splitlines()]
    failed = [r for r in requests if r["status"] != 201]
    node_lab.report.requests_ok, node_lab.report.requests_failed = len(requests) - len(failed), len(failed)
    node_lab.report.row(
        leaving.name
    ).drain = f"stopped and completed CONTINUE {time.monotonic() - started:.1f} s after Terminated"
    return ScaleIn(leaving, stayed, requests, time.monotonic() - started)


def _completed(lab: NodeLab, node: Node) -> bool:
    return any(c["instance"] == node.instance_id for c in lab.account.completed_lifecycle_actions())


def test_scale_in_fails_no_order(scale_in):
    failed = [r for r in scale_in.requests if r["status"] != 201]
    assert len(scale_in.requests) > 10 and not failed, failed[:3]


def test_the_drain_agent_completes_the_lifecycle_action_for_that_instance_hook_and_group(node_lab, scale_in):
    completions = [
        c for c in node_lab.account.completed_lifecycle_actions() if c["instance"] == scale_in.node.instance_id
    ]
    assert completions == [
        {
            "group": node_lab.facts["group"],
            "hook": node_lab.hook_name(),
            "instance": scale_in.node.instance_id,
            "result": "CONTINUE",
        }
    ]


def test_the_release_stopped_gracefully_and_the_others_saw_it_go(node_lab, scale_in):
    journal = _journal(scale_in.node, node_lab.layout.release_unit)
    assert "stopping the endpoint" in journal and "stopped (exit 0)" in journal, journal
    assert wait_until(lambda: full_mesh(node_lab, scale_in.stayed), 15, pause=1) is not None
    assert all(node_lab.get(n, "/health") == (200, "ok") for n in scale_in.stayed)


def test_no_secret_is_left_on_the_drained_node(node_lab, scale_in):
    assert not scale_in.node.instance.path(node_lab.layout.secrets_env_file).exists()
    assert not scale_in.node.instance.path(node_lab.layout.runtime_dir).exists()
    written = scale_in.node.instance.written_files()  # /etc, /var, /opt, /tmp, /root, /home... and /run
    assert any(inside == node_lab.layout.env_file for inside, _ in written), "the scan sees what the node wrote"
    left = in_files(telltales(node_lab), [path for _inside, path in written])
    assert not left, left
    node_lab.report.secret(
        "leak check",
        f"files {scale_in.node.name} left once its release stopped ({len(written)}; "
        f"{node_lab.layout.secrets_env_file} gone with its tmpfs directory): clean",
    )


def test_with_dns_discovery_the_node_leaves_cloud_map_first(node_lab, scale_in):
    if node_lab.settings.release.discovery != "dns":
        pytest.skip("the stack discovers by EC2 tags: it registers nothing in Cloud Map")

    def registered(aws) -> set[str]:
        client = aws.client("servicediscovery")
        return {
            i["Id"]
            for s in client.list_services()["Services"]
            for i in client.list_instances(ServiceId=s["Id"])["Instances"]
        }

    ids = node_lab.account.call(registered)
    assert scale_in.node.instance_id not in ids
    assert {n.instance_id for n in scale_in.stayed} <= ids


# --- helpers ---------------------------------------------------------------------------------------


def _journal(node: Node, unit: str) -> str:
    return boot.journal(node.instance, unit)[-4000:] or "(no journal)"


# --- least privilege --------------------------------------------------------------------------------


def test_moto_judges_the_node_roles_calls_against_its_policies(node_lab):
    """What the role may do succeeds and what it may not is denied, for the calls a node makes."""
    granted = node_lab.nodes[0].instance.metadata["credentials"]
    node = {
        "AWS_ACCESS_KEY_ID": granted["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": granted["SecretAccessKey"],
        "AWS_SESSION_TOKEN": granted["Token"],
    }
    bucket, key = node_lab.settings.release.artifact.removeprefix("s3://").split("/", 1)
    group = node_lab.facts["group"]

    def outcome(call) -> str:
        try:
            call()
            return "allowed"
        except Exception as problem:  # noqa: BLE001 - botocore's ClientError, by code
            code = getattr(problem, "response", {}).get("Error", {}).get("Code", type(problem).__name__)
            return "denied" if "AccessDenied" in code or code == "403" else code

    release = node_lab.settings.release
    secret_arn = release.secrets["DATABASE_URL"].removesuffix(":url::")
    another_arn: list[str] = []

    def probe(aws) -> dict[str, str]:
        admin_s3 = aws.client("s3")
        admin_s3.put_object(Bucket=bucket, Key="not-the-artifact.tar.gz", Body=b"x")
        aws.client("ssm").put_parameter(Name="/node-lab/not-the-cookie", Value="x", Type="SecureString")
        another = aws.client("secretsmanager").create_secret(Name="node-lab/not-a-release-secret", SecretString="x")
        another_arn.append(another["ARN"])
        s3, ssm, secretsmanager = aws.client("s3", node), aws.client("ssm", node), aws.client("secretsmanager", node)
        autoscaling, iam, ec2 = aws.client("autoscaling", node), aws.client("iam", node), aws.client("ec2", node)
        hook = {"LifecycleHookName": node_lab.hook_name(), "LifecycleActionResult": "CONTINUE"}
        return {
            "s3:GetObject the artifact": outcome(lambda: s3.get_object(Bucket=bucket, Key=key)),
            "s3:GetObject another key": outcome(lambda: s3.get_object(Bucket=bucket, Key="not-the-artifact.tar.gz")),
            "ssm:GetParameter the cookie": outcome(
                lambda: ssm.get_parameter(Name=node_lab.settings.release.cookie_parameter, WithDecryption=True)
            ),
            "ssm:GetParameter another parameter": outcome(
                lambda: ssm.get_parameter(Name="/node-lab/not-the-cookie", WithDecryption=True)
            ),
            "ssm:GetParameter SECRET_KEY_BASE's": outcome(
                lambda: ssm.get_parameter(Name=release.secrets["SECRET_KEY_BASE"], WithDecryption=True)
            ),
            "secretsmanager:GetSecretValue DATABASE_URL's": outcome(
                lambda: secretsmanager.get_secret_value(SecretId=secret_arn)
            ),
            "secretsmanager:GetSecretValue another secret": outcome(
                lambda: secretsmanager.get_secret_value(SecretId=another["ARN"])
            ),
            "ec2:DescribeInstances": outcome(ec2.describe_instances),
            "autoscaling:CompleteLifecycleAction on its group": outcome(
                lambda: autoscaling.complete_lifecycle_action(
                    AutoScalingGroupName=group, InstanceId="i-0000000000000000", **hook
                )
            ),
            "autoscaling:CompleteLifecycleAction on another group": outcome(
                lambda: autoscaling.complete_lifecycle_action(
                    AutoScalingGroupName="another-group", InstanceId="i-0000000000000000", **hook
                )
            ),
            "iam:ListUsers": outcome(iam.list_users),
        }

    seen = node_lab.account.call(probe)
    node_lab.report.iam = "; ".join(f"{call}: {result}" for call, result in seen.items())
    for call, what in (
        ("ssm:GetParameter another parameter", "ssm:GetParameter /node-lab/not-the-cookie"),
        ("secretsmanager:GetSecretValue another secret", f"secretsmanager:GetSecretValue {another_arn[0]}"),
    ):
        node_lab.report.secret("probe", f"{what} (not in the stack file), with the node role: {seen[call]}")
    assert seen["s3:GetObject the artifact"] == "allowed"
    assert seen["s3:GetObject another key"] == "denied"
    assert seen["ssm:GetParameter the cookie"] == "allowed"
    assert seen["ssm:GetParameter another parameter"] == "denied"
    assert seen["ssm:GetParameter SECRET_KEY_BASE's"] == "allowed"
    assert seen["secretsmanager:GetSecretValue DATABASE_URL's"] == "allowed"
    assert seen["secretsmanager:GetSecretValue another secret"] == "denied"
    assert seen["ec2:DescribeInstances"] == "allowed"
    assert seen["autoscaling:CompleteLifecycleAction on its group"] == "allowed"
    assert seen["autoscaling:CompleteLifecycleAction on another group"] == "denied"
    assert seen["iam:ListUsers"] == "denied"
