"""What README.md tells a user, checked against the code: its claims, and its walkthroughs
run as pasted (or in-process with the same arguments)."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from components.plans import names
from components.plans.discovery import discovery_namespace_name
from components.plans.flow_logs import log_group_name
from components.settings import StackSettings
from tests.support.changes import NEW_ARTIFACT
from tests.support.commands import TIMEOUT_SECONDS
from tests.support.moto_server import server_account
from tests.support.stacks import write_variant
from tests.support.verify import run_verify
from tools import node_profile, policy_check, preview, simulate, tune
from tools.stack_files import PROJECT_DIR, load_stack_settings, stack_file

README = (PROJECT_DIR / "README.md").read_text()
FENCED = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def fenced(language: str, containing: str) -> str:
    """The one block of README in `language` that contains `containing`."""
    [block] = [body for lang, body in FENCED.findall(README) if lang == language and containing in body]
    return block


def example(command: str, containing: str = "") -> tuple[list[str], list[str]]:
    """A `text` block's `$ .venv/bin/python -m tools.<command> ...` line (in the block that also
    contains `containing`), as argv, and the lines it prints in README (up to the next `$` line)."""
    block = fenced("text", f"-m tools.{command} {containing}")
    lines = block.splitlines()
    [at] = [i for i, line in enumerate(lines) if line.startswith(f"$ .venv/bin/python -m tools.{command} ")]
    shown = lines[at + 1 :]
    shown = shown[: next((i for i, line in enumerate(shown) if line.startswith("$ ")), len(shown))]
    return shlex.split(lines[at])[4:], shown


SECURITY_GROUP_ID = re.compile(r"sg-[0-9a-f]+")


def test_the_drift_example_prints_what_readme_shows(deploy):
    """README's verify example, on prod: someone opened EPMD to the world and the run-queue alarm has
    no data yet (AWS starts an alarm in INSUFFICIENT_DATA; moto in OK, so it is set here)."""
    argv, shown = example("verify", "--stack prod\n")
    env = deploy("prod")
    ec2, cloudwatch = env.client("ec2"), env.client("cloudwatch")
    [nodes] = [g for g in ec2.describe_security_groups()["SecurityGroups"] if "-security-nodes-" in g["GroupName"]]
    world = {"IpProtocol": "tcp", "FromPort": 4369, "ToPort": 4369, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_ingress(GroupId=nodes["GroupId"], IpPermissions=[world])
    cloudwatch.set_alarm_state(
        AlarmName="shop-prod-step-run-queue", StateValue="INSUFFICIENT_DATA", StateReason="no datapoints yet"
    )
    code, printed, _ = run_verify(env, *argv)
    assert code == 4  # a failed check
    printed_lines = SECURITY_GROUP_ID.sub("sg-X", printed).splitlines()
    for line in shown:
        if line.strip() and line != "...":
            assert SECURITY_GROUP_ID.sub("sg-X", line) in printed_lines, line


SEARCH_TIME = re.compile(r" in [0-9.]+ s on ")


@pytest.mark.walkthrough
def test_the_tuner_walkthrough_prints_what_readme_shows(tmp_path: Path, monkeypatch, capsys):
    """README's tune example (its plot written here, not over docs/images): every line README shows,
    but the search's time, is printed as shown; "..." stands for lines left out."""
    block = fenced("text", "-m tools.tune --stack prod").replace("\\\n", " ")  # the command's continuation
    command, *shown = block.splitlines()
    argv = shlex.split(command)[4:]
    assert argv[:3] == ["--stack", "prod", "--trace"] and "traces/*.csv" in argv
    traces = sorted(str(path) for path in (PROJECT_DIR / "traces").glob("*.csv"))
    plot = argv.index("--plot")
    monkeypatch.chdir(PROJECT_DIR)
    assert tune.main([*argv[:2], "--trace", *traces, "--plot", str(tmp_path / "tuned.png")]) == 0
    printed = [SEARCH_TIME.sub(" in _ s on ", line) for line in capsys.readouterr().out.splitlines()]
    assert argv[plot + 1] == "docs/images/tuned-prod.png"
    for line in shown:
        if line.strip() and not line.lstrip().startswith("..."):
            assert SEARCH_TIME.sub(" in _ s on ", line) in printed, line


def _names_aws_holds_once(settings: StackSettings) -> set[str]:
    """Every name prod sets itself that AWS allows once per account and region (the dashboard's:
    per account)."""
    return {
        *names.health_alarm_names(settings),
        *names.step_alarm_names(settings),
        names.alarm_topic_name(settings),
        names.dashboard_name(settings),
        names.web_acl_name(settings),
        names.waf_log_group_name(settings),
        log_group_name(settings),
        discovery_namespace_name(settings),
        settings.release.cookie_parameter,
        "=".join(settings.discovery_tag),  # not a name, but nodes under one value join each other
    }


def test_copying_a_stack_file_collides_unless_the_keys_readme_lists_change(tmp_path: Path):
    """README, "Copy a stack file": the file's name names nothing in AWS; the cluster's name and
    environment, and prod's explicit cookie parameter, do."""
    prod = load_stack_settings(write_variant(tmp_path, "prod", "prod", {}))
    renamed_only = load_stack_settings(write_variant(tmp_path, "prod", "prod-copy", {}))
    assert _names_aws_holds_once(renamed_only) == _names_aws_holds_once(prod), "a copy under another stack name"
    moved = load_stack_settings(
        write_variant(
            tmp_path,
            "prod",
            "payments",
            {"elixir-cluster:cluster": {"name": "payments"}, "elixir-cluster:release": {"cookieParameter": None}},
        )
    )
    assert _names_aws_holds_once(moved).isdisjoint(_names_aws_holds_once(prod))
    assert moved.release.cookie_parameter == "/payments/prod/release-cookie"
    kept_cookie = load_stack_settings(
        write_variant(tmp_path, "prod", "payments-kept", {"elixir-cluster:cluster": {"name": "payments"}})
    )
    assert kept_cookie.release.cookie_parameter == prod.release.cookie_parameter, "an explicit one stays: change it"


# --- the walkthroughs, as pasted -----------------------------------------------------------------


def test_a_broken_stack_file_prints_what_readme_shows(tmp_path: Path, capsys):
    """ "Mistakes are caught before anything is created, all at once": the two lines, exit 2."""
    argv, shown = example("preview", "--config Pulumi.broken.yaml")
    assert argv == ["--config", "Pulumi.broken.yaml"]
    broken = write_variant(
        tmp_path,
        "prod",
        "broken",
        {
            "elixir-cluster:release": {"distribution": {"portRange": {"from": 4300, "to": 4400}}},
            "elixir-cluster:nodes": {"maxSize": 2},
        },
    )
    assert preview.main(["--config", str(broken)]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err.splitlines()) == ("", shown)


@pytest.mark.usefixtures("previews_read_the_session")
def test_the_change_report_walkthrough_prints_what_readme_shows(tmp_path: Path, capsys):
    """git show HEAD:stacks/Pulumi.prod.yaml > /tmp/Pulumi.prod.yaml, the artifact edited, then the
    preview with --changes-from: README's table line for line (the old file's path is this test's)."""
    block = fenced("text", "--changes-from")
    [command] = [line for line in block.splitlines() if "--changes-from" in line]
    assert shlex.split(command)[4:] == ["--stack", "prod", "--changes-from", "/tmp/Pulumi.prod.yaml"]
    assert "release.artifact shop-1.4.2 -> shop-1.5.0" in block and NEW_ARTIFACT == {
        "elixir-cluster:release": {"artifact": "s3://shop-releases/shop-1.5.0.tar.gz"}
    }
    old = tmp_path / "old" / "Pulumi.prod.yaml"
    old.parent.mkdir()
    old.write_text(stack_file("prod").read_text())  # the shipped file is HEAD's
    edited = write_variant(tmp_path, "prod", "prod", NEW_ARTIFACT)
    assert preview.main(["--config", str(edited), "--changes-from", str(old)]) == 0
    printed = capsys.readouterr().out.replace(str(old), "/tmp/Pulumi.prod.yaml")
    shown = block.split(command + "\n", 1)[1]
    assert printed.splitlines() == shown.splitlines()


def test_the_what_if_walkthrough_prints_what_readme_shows(monkeypatch, capsys):
    argv, shown = example("simulate")
    monkeypatch.chdir(PROJECT_DIR)  # README's paths are the project's
    assert simulate.main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[: len(shown)] == shown


@pytest.mark.usefixtures("previews_read_the_session")
def test_the_offline_policy_walkthrough_runs_as_pasted(tmp_path: Path, monkeypatch, capsys):
    """preview --format json > prod.json, then policy_check with README's policy-config.json: exit 0
    or 3 as README says, each violation as `level: rule: resource: message`; --policy agrees."""
    block = fenced("sh", "tools.policy_check")
    commands = [shlex.split(line.split("#")[0]) for line in block.splitlines()]
    assert commands[0][2:] == ["tools.preview", "--stack", "prod", "--format", "json", ">", "prod.json"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy-config.json").write_text(fenced("json", '"all": "mandatory"'))
    assert preview.main(commands[0][3:-2]) == 0
    Path("prod.json").write_text(capsys.readouterr().out)
    verdict = policy_check.main(commands[1][3:])
    report = capsys.readouterr().out
    assert verdict in (0, 3)
    violations = [line for line in report.splitlines() if line.startswith(("mandatory: ", "advisory: "))]
    assert all(len(line.split(": ", 3)) == 4 for line in violations)
    assert (verdict == 3) == any(line.startswith("mandatory: ") for line in violations)


# --- measuring a node profile: README's get-metric-data queries, tools.node_profile, simulate ---------

PROFILE_MINUTES = {2.4: (19, 11), 2.6: (21, 13), 6.4: (44, 34), 6.6: (46, 36)}
"""Minutes of history put into CloudWatch: requests/s per node -> (CPU, scheduler utilisation), five
minutes of each. With README's --bucket-rps 2: 2.4 and 2.6 fall in [2, 4), one point of their means
(2.5, 20, 12); 6.4 and 6.6 in [6, 8), (6.5, 45, 35); each bucket has 10 minutes, more than the
default --min-minutes 5. CPU rises 25 points over 4 rps: 100 at 6.5 + 55 / 6.25 = 15.3 rps."""
HAND_POINTS = [
    {"requestsPerSecond": 2.5, "cpuUtilization": 20, "schedulerUtilization": 12},
    {"requestsPerSecond": 6.5, "cpuUtilization": 45, "schedulerUtilization": 35},
]


def profile_commands() -> list[list[str]]:
    """README's measuring block as argv lists: get-metric-data (its output redirect dropped),
    tools.node_profile, tools.simulate."""
    block = fenced("sh", "tools.node_profile --from-metric-data")
    tokens = shlex.split(block.replace("\\\n", " "))
    starts = [i for i, token in enumerate(tokens) if token in ("aws", ".venv/bin/python")]
    commands = [tokens[a:b] for a, b in zip(starts, [*starts[1:], len(tokens)], strict=True)]
    assert commands[0][-2:] == [">", "metrics.json"]
    return [commands[0][:-2], *commands[1:]]


def option(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def put_profile_minutes(cloudwatch, queries: list[dict]) -> None:
    """Each query's series, minute by minute from README's --start-time, as the nodes would publish it."""
    by_id = {query["Id"]: query["MetricStat"]["Metric"] for query in queries}
    start = datetime.fromisoformat("2026-12-01T00:00:00+00:00")
    minutes = [(rate, *values) for rate, values in PROFILE_MINUTES.items() for _ in range(5)]
    for query_id, column in (("requests", 0), ("cpu", 1), ("scheduler", 2)):
        metric = by_id[query_id]
        data = [
            {
                "MetricName": metric["MetricName"],
                "Dimensions": metric["Dimensions"],
                "Timestamp": start + timedelta(minutes=index),
                # RequestCountPerTarget: the requests one target received in the minute
                "Value": row[column] * 60 if query_id == "requests" else row[column],
            }
            for index, row in enumerate(minutes)
        ]
        cloudwatch.put_metric_data(Namespace=metric["Namespace"], MetricData=data)


def test_measuring_a_node_profile_runs_as_readme_shows(tmp_path: Path, monkeypatch, capsys):
    """README's get-metric-data queries against moto holding a group's minutes, the result written as
    the aws CLI prints it, then README's tools.node_profile and tools.simulate commands as pasted
    (the simulated trace one of the project's: README's is the user's own export)."""
    query, measure, replay = profile_commands()
    queries = json.loads(option(query, "--metric-data-queries"))
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
        put_profile_minutes(cloudwatch, queries)
        fetched = cloudwatch.get_metric_data(
            MetricDataQueries=queries,
            StartTime=datetime.fromisoformat(option(query, "--start-time")),
            EndTime=datetime.fromisoformat(option(query, "--end-time")),
            ScanBy=option(query, "--scan-by"),
        )
    results = [{**result, "Timestamps": [stamp.isoformat() for stamp in result["Timestamps"]]}
               for result in fetched["MetricDataResults"]]  # fmt: skip
    (tmp_path / "metrics.json").write_text(json.dumps({"MetricDataResults": results, "Messages": []}))
    monkeypatch.chdir(tmp_path)
    assert node_profile.main(measure[3:]) == 0
    written = json.loads((tmp_path / "node-profile.json").read_text())
    assert written["points"] == HAND_POINTS
    assert (written["launchToInServiceSeconds"], written["launchToServingSeconds"]) == (95, 110)
    trace = replay.index("--trace") + 1
    replay[trace] = str(PROJECT_DIR / "traces" / "flash-spike.csv")
    capsys.readouterr()
    assert simulate.main(replay[3:]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "a measured node (15.3 rps at 100% CPU), 2 min from launch to InService, 2 to serving" in first


# --- the walkthroughs that need real processes (pytest -m walkthrough; .ci/run) -------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.walkthrough
def test_the_serve_walkthrough_runs_as_pasted_in_bash(tmp_path: Path):
    """README's --serve block, pasted into bash in a folder of its own (on a free port instead of
    5000): the server comes up, verify passes through it, the aws CLI lists the load balancer, kill
    stops the server."""
    port = _free_port()
    block = fenced("sh", "--serve > prod.txt").replace("5000", str(port)).replace("--serve ", f"--serve {port} ")
    script = f"set -e\ncd {shlex.quote(str(PROJECT_DIR))}\n" + block.replace("prod.txt", f"{tmp_path}/prod.txt")
    script = script.replace("serve.log", f"{tmp_path}/serve.log")
    script += 'wait $! && echo "server exit 0"\n'  # kill is SIGTERM: a clean stop, exit 0
    ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=4 * TIMEOUT_SECONDS)
    assert ran.returncode == 0, ran.stderr  # set -e: verify's exit 0 too
    # the aws CLI's JSON starts on a line of its own ("{"): verify's lines above may hold braces
    cli_output = ran.stdout[ran.stdout.index("\n{\n") : ran.stdout.rindex("\n}") + 2]
    balancers = json.loads(cli_output)["LoadBalancers"]
    assert [balancer["Type"] for balancer in balancers] == ["application"]
    assert ran.stdout.rstrip().endswith("server exit 0")
    assert (tmp_path / "serve.log").read_text().startswith("ready: stack prod applied into the moto server at ")
    assert (tmp_path / "prod.txt").read_text().startswith("Stack prod")


@pytest.mark.walkthrough
def test_make_preview_as_json_writes_json_alone(tmp_path: Path):
    """make preview FORMAT=json > f.json: make echoes nothing onto stdout (the virtualenv is not
    remade here: -o)."""
    ran = subprocess.run(
        ["make", "-o", ".venv/.installed", "preview", "FORMAT=json"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=2 * TIMEOUT_SECONDS,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["stack"] == "dev"


@pytest.mark.walkthrough
def test_measuring_a_node_profile_runs_as_pasted_in_bash(tmp_path: Path, moto_server: str):
    """README's measuring block pasted into bash, the real aws CLI sent to a moto server holding a
    group's minutes (--endpoint-url added to it; README's trace replaced by one of the project's)."""
    account = server_account(moto_server)
    query, _, _ = profile_commands()
    put_profile_minutes(account.client("cloudwatch", "eu-west-1"), json.loads(option(query, "--metric-data-queries")))
    block = fenced("sh", "tools.node_profile --from-metric-data")
    script = block.replace("aws cloudwatch ", f"aws --endpoint-url {moto_server} cloudwatch ", 1)
    script = script.replace(".venv/bin/python", str(PROJECT_DIR / ".venv" / "bin" / "python"))
    script = script.replace("traces/prod-week.csv", str(PROJECT_DIR / "traces" / "flash-spike.csv"))
    # in a folder of its own (the files it writes), the project's modules on the path as from its root
    environment = {
        **os.environ,
        **account.credentials,
        "AWS_DEFAULT_REGION": "eu-west-1",
        "PYTHONPATH": str(PROJECT_DIR),
    }
    ran = subprocess.run(
        ["bash", "-c", "set -e\n" + script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=2 * TIMEOUT_SECONDS,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads((tmp_path / "node-profile.json").read_text())["points"] == HAND_POINTS
    assert "a measured node (15.3 rps at 100% CPU)" in ran.stdout.splitlines()[0]
