"""Bad inputs fail visibly and safely: a secret of release.secrets without its JSON key, then one
that is missing; a missing artifact, an unreadable cookie parameter and a metadata service that
answers without a token; each on one more instance of a booted group.

In each case the node fails with a message that names the cause, the release never starts,
no cookie or secret is left on the instance, and the group's other nodes keep serving. The
secrets' cases run on every stack of NODE_LAB_STACKS (on the first lab of each), the others
once, on the first lab: each case waits out the scripts' retries (about a minute).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from tests.support.node_lab import first_lab_of_each_stack, lab_param, lab_stacks, telltales
from tools.conformance.node_lab import boot, cloud_init
from tools.conformance.node_lab.lab import Node, NodeLab
from tools.conformance.node_lab.secret_scan import Sighting, comm, in_files, instance_logs
from tools.conformance.waiting import wait_until

pytestmark = pytest.mark.node_lab

FAILURE_TIMEOUT_SECONDS = 180
"""The scripts retry each AWS and metadata call six times, pausing 2+4+8+16+32 s."""


# --- a secret without its JSON key, then a missing one -------------------------------------------


@dataclass(frozen=True)
class SecretsFailure:
    """What one node showed when its release could not read its secrets, seen before anything was restored."""

    node: Node
    journal: str
    """The release unit's log."""
    commands: list[str]
    """What ran on the instance."""
    state: str
    """`systemctl is-active` of the release unit."""
    leaked: list[Sighting]
    """Any secret or cookie in the instance's logs or in any file it wrote."""


@pytest.fixture(scope="module")
def missing_secrets(node_lab: NodeLab) -> SecretsFailure:
    """One more node boots while DATABASE_URL's secret has no JSON key `url`; once its release unit has
    failed on that, SECRET_KEY_BASE's parameter goes, and the unit fails on that. Then both come back."""
    if lab_param(node_lab) not in first_lab_of_each_stack():
        pytest.skip("the secrets' cases run on the first lab of each stack")
    release, layout = node_lab.settings.release, node_lab.layout
    parameter, secret_arn = release.secrets["SECRET_KEY_BASE"], release.secrets["DATABASE_URL"].removesuffix(":url::")
    (node,) = node_lab.add_nodes(1)
    secretsmanager = _as_admin(node_lab, "secretsmanager")
    saved = secretsmanager("get_secret_value", SecretId=secret_arn)["SecretString"]
    without_key = {key: value for key, value in json.loads(saved).items() if key != "url"}
    assert without_key, "the secret holds more than the key: the node reads what it must not log"

    def journal() -> str:
        return boot.journal(node.instance, layout.release_unit)

    try:
        secretsmanager("put_secret_value", SecretId=secret_arn, SecretString=json.dumps(without_key))
        node_lab.boot_node(node)
        assert wait_until(lambda: "has no JSON key" in journal(), FAILURE_TIMEOUT_SECONDS) is not None, journal()
        _as_admin(node_lab, "ssm")("delete_parameter", Name=parameter)
        gave_up = wait_until(lambda: f"SECRET_KEY_BASE: cannot read {parameter}" in journal(), FAILURE_TIMEOUT_SECONDS)
        assert gave_up is not None, journal()[-2000:]
        written = [path for _inside, path in node.instance.written_files()]
        failure = SecretsFailure(
            node,
            journal(),
            [comm(pid) for pid in node.instance.all_processes()],
            boot.systemctl(node.instance, "is-active", layout.release_unit).stdout.strip(),
            in_files(telltales(node_lab), instance_logs(node.instance) + written),
        )
        boot.systemctl(node.instance, "stop", layout.release_unit)  # restored secrets would start it
    finally:
        secretsmanager("put_secret_value", SecretId=secret_arn, SecretString=saved)
        value = node_lab.secrets.secret_key_base
        _as_admin(node_lab, "ssm")("put_parameter", Name=parameter, Value=value, Type="SecureString", Overwrite=True)
    return failure


def _as_admin(lab: NodeLab, service: str) -> Callable[..., dict]:
    """`call(operation, **parameters)` on the lab's account, as its administrator."""
    return lambda operation, **parameters: lab.account.call(
        lambda aws: getattr(aws.client(service), operation)(**parameters)
    )


def test_a_secret_without_its_json_key_fails_the_release_naming_the_variable_and_the_key(node_lab, missing_secrets):
    reference = node_lab.settings.release.secrets["DATABASE_URL"]
    assert f"DATABASE_URL: {reference} has no JSON key 'url'" in missing_secrets.journal, missing_secrets.journal
    _assert_never_started(node_lab, missing_secrets)


def test_a_missing_secret_fails_the_release_naming_the_variable_and_where_it_was_read(node_lab, missing_secrets):
    parameter = node_lab.settings.release.secrets["SECRET_KEY_BASE"]
    journal = missing_secrets.journal
    assert f"SECRET_KEY_BASE: cannot read {parameter}" in journal and "ParameterNotFound" in journal, journal[-2000:]
    _assert_never_started(node_lab, missing_secrets)
    reference = node_lab.settings.release.secrets["DATABASE_URL"]
    node_lab.report.secret(
        "missing",
        f"{missing_secrets.node.name} booted while DATABASE_URL's secret had no key url, then lost SECRET_KEY_BASE's "
        f"parameter: its release unit stopped ({missing_secrets.state}) before the release started, its log naming "
        f'each ("DATABASE_URL: {reference} has no JSON key \'url\'", "SECRET_KEY_BASE: cannot read {parameter}"); '
        "no secret in its logs or files; the others kept serving",
    )


def _assert_never_started(lab: NodeLab, failure: SecretsFailure) -> None:
    """Not a start of the release in the unit's log, no BEAM, no secret anywhere, the others serving."""
    assert f"started {lab.layout.root}/bin/{lab.settings.release.name}" not in failure.journal, failure.journal
    assert "beam.smp" not in failure.commands and failure.state != "active", (failure.commands, failure.state)
    assert not failure.leaked, failure.leaked
    _assert_others_serve(lab)


# --- the artifact, the cookie, the metadata service ----------------------------------------------


@dataclass(frozen=True)
class BadBoots:
    missing_artifact: Node
    unreadable_cookie: Node
    withheld_token: Node


@pytest.fixture(scope="module")
def bad_boots(node_lab: NodeLab) -> BadBoots:
    if lab_param(node_lab) != lab_stacks()[0]:
        pytest.skip(f"bad inputs run once, on {lab_stacks()[0]}")
    artifact, cookie, token = node_lab.add_nodes(3)
    bucket, key = node_lab.settings.release.artifact.removeprefix("s3://").split("/", 1)
    parameter = node_lab.settings.release.cookie_parameter
    saved = node_lab.account.call(lambda aws: aws.client("ssm").get_parameter(Name=parameter, WithDecryption=True))
    key_id = node_lab.account.call(
        lambda aws: (
            aws.client("ssm")
            .describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [parameter]}])["Parameters"][0]
            .get("KeyId")
        )
    )
    token.instance.update_metadata({"tokens": "withheld"})
    node_lab.account.call(lambda aws: aws.client("ssm").delete_parameter(Name=parameter))
    try:
        with ThreadPoolExecutor(3) as pool:
            booting = [pool.submit(node_lab.boot_node, node) for node in (cookie, token)]
            booting[0].result()  # the cookie node has its release; now the artifact goes
            node_lab.account.call(lambda aws: aws.client("s3").delete_object(Bucket=bucket, Key=key))
            booting.append(pool.submit(node_lab.boot_node, artifact))
            for future in booting:
                future.result()
        gave_up = wait_until(
            lambda: "giving up" in boot.journal(cookie.instance, node_lab.layout.release_unit), FAILURE_TIMEOUT_SECONDS
        )
        assert gave_up is not None, boot.journal(cookie.instance, node_lab.layout.release_unit)[-2000:]
    finally:
        node_lab.account.call(lambda aws: aws.client("s3").upload_file(str(node_lab.tarball), bucket, key))
        restore = {"Name": parameter, "Value": saved["Parameter"]["Value"], "Type": "SecureString", "Overwrite": True}
        node_lab.account.call(
            lambda aws: aws.client("ssm").put_parameter(**restore, **({"KeyId": key_id} if key_id else {}))
        )
    return BadBoots(artifact, cookie, token)


def test_a_missing_artifact_fails_the_boot_naming_it(node_lab, bad_boots):
    node = bad_boots.missing_artifact
    assert node.boot_runs[-1].exit_code != 0
    output = cloud_init.output_log(node.instance)
    assert "giving up after 6 tries: fetch_artifact" in output, output[-2000:]
    assert "does not exist" in output or "NoSuchKey" in output or "404" in output, output[-2000:]
    written = node.instance.path(node_lab.layout.env_file).read_text()  # cloud-init wrote the stack's part
    assert "RELEASE_NODE=" not in written, "the bootstrap names no node for a release that is not there"
    _assert_failed_safely(node_lab, node)


def test_an_unreadable_cookie_parameter_keeps_the_release_from_starting(node_lab, bad_boots):
    node = bad_boots.unreadable_cookie
    journal = boot.journal(node.instance, node_lab.layout.release_unit)
    assert "ParameterNotFound" in journal and "giving up" in journal, journal[-2000:]
    assert not node.instance.path(node_lab.layout.secrets_env_file).exists()
    _assert_failed_safely(node_lab, node)


def test_a_metadata_service_without_tokens_fails_the_boot_naming_it(node_lab, bad_boots):
    node = bad_boots.withheld_token
    assert node.boot_runs[-1].exit_code != 0
    output = cloud_init.output_log(node.instance)
    assert "401" in output and "giving up after 6 tries: imds local-ipv4" in output, output[-2000:]
    _assert_failed_safely(node_lab, node)


def _assert_failed_safely(lab: NodeLab, node: Node) -> None:
    commands = [comm(pid) for pid in node.instance.all_processes()]
    assert "beam.smp" not in commands, "the release must not run"
    assert boot.systemctl(node.instance, "is-active", lab.layout.release_unit).stdout.strip() != "active"
    assert not list(node.instance.path("/run").rglob(".erlang.cookie"))
    assert not node.instance.path(lab.layout.secrets_env_file).exists()
    _assert_others_serve(lab)
    lab.report.bad_inputs.append(f"{node.name}: failed safely ({_cause(lab, node)})")


def _assert_others_serve(lab: NodeLab) -> None:
    serving = [n for n in lab.nodes if lab.server_status(n) == "UP"]
    assert len(serving) >= 2 and all(
        lab.get(n, lab.settings.load_balancer.health_check.path)[0] == 200 for n in serving
    )


def _cause(lab: NodeLab, node: Node) -> str:
    text = cloud_init.output_log(node.instance) + boot.journal(node.instance, lab.layout.release_unit)
    for needle in ("ParameterNotFound", "does not exist", "NoSuchKey", "401"):
        if needle in text:
            return needle
    return "see its logs"
