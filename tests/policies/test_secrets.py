"""policies/rules/secrets.py: no secrets in user data, read as EC2 and cloud-init read it; secrets in SecureStrings."""

from __future__ import annotations

import base64
import gzip
import textwrap
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from pulumi_policy import Secret

from policies.rules.secrets import user_data_findings
from policies.rules.user_data import decoded, pieces
from tests.support.synthetic import SAFE_USER_DATA, add, change, cluster, encoded, findings, resource
from tools.emulator import Emulator, StackConfig
from tools.policy_check import check

COOKIE = "x7PqN2mW9vK4sT8a"  # what a careless change would paste
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documented example, 40 characters
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
RULE = "no-secrets-in-user-data"


def flagged(user_data: str) -> list[str]:
    """The messages no-secrets-in-user-data gives for the cluster's launch template with this user data."""
    document = change(cluster(), "template", userData=user_data)
    messages = [v.message for v in findings(document, RULE)]
    assert not any(COOKIE in m or SECRET_KEY in m or ACCESS_KEY in m for m in messages)  # CI logs stay clean
    return messages


def cloud_config(body: str) -> str:
    return encoded("#cloud-config\n" + textwrap.dedent(body))


@pytest.mark.parametrize("rule", [RULE, "secret-parameters-are-secure-strings"])
def test_the_stack_shape_passes(rule):
    assert findings(cluster(), rule) == []


# --- each shape cloud-init reads, with a secret in it -------------------------------------------


def mime(*parts: tuple[str, str], transfer: str | None = None) -> bytes:
    message = MIMEMultipart()
    for subtype, text in parts:
        part = MIMEText(text, subtype, "utf-8")
        if transfer == "7bit":
            del part["Content-Transfer-Encoding"]
            part.set_payload(text)
        message.attach(part)
    return message.as_bytes()


SHAPES = {
    "shell script": (
        encoded(f"#!/bin/bash\nset -eu\necho 'RELEASE_COOKIE={COOKIE}' >> /etc/shop/release.env\n"),
        "user data line 3 holds a release cookie literal",
    ),
    "ERLANG_COOKIE": (
        encoded(f"#!/bin/sh\nexport ERLANG_COOKIE={COOKIE}\n"),
        "user data line 2 holds an Erlang cookie literal",
    ),
    "-setcookie as runcmd arguments": (
        cloud_config(f"runcmd:\n- [/opt/shop/bin/shop, eval, -setcookie, {COOKIE}]\n"),
        "user data runcmd[0] holds an Erlang cookie on a command line",
    ),
    "bootcmd line": (
        cloud_config(f"bootcmd:\n- echo RELEASE_COOKIE={COOKIE} > /run/shop.env\n"),
        "user data bootcmd[0] holds a release cookie literal",
    ),
    "write_files .erlang.cookie": (
        cloud_config(
            f"write_files:\n- path: /var/lib/shop/.erlang.cookie\n  permissions: '0400'\n  content: {COOKIE}\n"
        ),
        "user data write_files[0] (/var/lib/shop/.erlang.cookie) content holds the Erlang cookie, written to "
        "/var/lib/shop/.erlang.cookie from its inline content",
    ),
    "write_files b64": (
        cloud_config(
            f"""\
            write_files:
            - path: /etc/shop/vm.args
              encoding: b64
              content: {encoded(f"-name shop@10.0.0.1{chr(10)}-setcookie {COOKIE}{chr(10)}")}
            """
        ),
        "user data write_files[0] (/etc/shop/vm.args) content line 2 holds an Erlang cookie on a command line",
    ),
    "write_files gz+b64": (
        cloud_config(
            f"""\
            write_files:
            - path: /etc/shop/release.env
              encoding: gz+b64
              content: {base64.b64encode(gzip.compress(f"RELEASE_COOKIE={COOKIE}".encode())).decode()}
            """
        ),
        "user data write_files[0] (/etc/shop/release.env) content holds a release cookie literal",
    ),
    "write_files gzip (!!binary)": (
        cloud_config(
            f"""\
            write_files:
            - path: /root/.aws/credentials
              encoding: gzip
              content: !!binary |
                {base64.b64encode(gzip.compress(f"aws_secret_access_key = {SECRET_KEY}".encode())).decode()}
            """
        ),
        "user data write_files[0] (/root/.aws/credentials) content holds an AWS secret key or session token",
    ),
    "gzip-compressed user data": (
        base64.b64encode(gzip.compress(f"#!/bin/bash\nRELEASE_COOKIE={COOKIE} bin/shop start\n".encode())).decode(),
        "user data line 2 holds a release cookie literal",
    ),
    "MIME multi-part": (
        base64.b64encode(
            mime(
                ("cloud-config", "#cloud-config\npackages: [jq]\n"),
                ("x-shellscript", f"#!/bin/sh\nerl -setcookie {COOKIE}\n"),
            )
        ).decode(),
        "user data part 2 (text/x-shellscript) line 2 holds an Erlang cookie on a command line",
    ),
    "gzipped MIME with a cloud-config part": (
        base64.b64encode(
            gzip.compress(mime(("cloud-config", f"#cloud-config\nruncmd:\n- export ERLANG_COOKIE={COOKIE}\n")))
        ).decode(),
        "user data part 1 (text/cloud-config) runcmd[0] holds an Erlang cookie literal",
    ),
    "jinja template": (
        encoded(f"## template: jinja\n#cloud-config\nruncmd:\n- echo {COOKIE} > /var/lib/shop/.erlang.cookie\n"),
        "user data runcmd[0] holds an Erlang cookie file written from user data",
    ),
    "AWS key pair": (
        encoded(
            f"#!/bin/sh\naws configure set aws_access_key_id {ACCESS_KEY}\n"
            f"aws configure set aws_secret_access_key {SECRET_KEY}\n"
        ),
        "user data line 3 holds an AWS secret key or session token",
    ),
    "AWS key pair on one line": (
        encoded(f"#!/bin/sh\necho {ACCESS_KEY}:{SECRET_KEY} > /root/creds\n"),
        "user data line 2 holds an AWS secret access key beside its key id",
    ),
    "private key": (
        cloud_config(
            """\
            write_files:
            - path: /etc/shop/tls/key.pem
              content: |
                -----BEGIN EC PRIVATE KEY-----
                MHcCAQEEIB5ib3JpbmctZXhhbXBsZS1vbmx5LW5vdC1hLXJlYWwta2V5
                -----END EC PRIVATE KEY-----
            """
        ),
        "user data write_files[0] (/etc/shop/tls/key.pem) content line 1 holds a private key",
    ),
}


@pytest.mark.parametrize(("user_data", "expected"), SHAPES.values(), ids=SHAPES.keys())
def test_a_secret_in_any_shape_cloud_init_reads_is_found_where_it_is(user_data, expected):
    messages = flagged(user_data)
    assert any(m.startswith(f"template: {expected}") for m in messages), messages


@pytest.mark.parametrize(("length", "flagged_as_secret"), [(39, False), (40, True), (41, False)])
def test_a_secret_access_key_beside_its_key_id_is_exactly_forty_characters(length, flagged_as_secret):
    candidate = (SECRET_KEY * 2)[:length]
    messages = flagged(encoded(f"#!/bin/sh\naws configure set {ACCESS_KEY} {candidate}\n"))
    assert any("an AWS secret access key beside its key id" in m for m in messages) is flagged_as_secret
    assert any("an AWS access key id" in m for m in messages)


def test_an_access_key_id_is_flagged_alone_too():
    messages = flagged(encoded(f"#!/bin/sh\nexport AWS_ACCESS_KEY_ID={ACCESS_KEY}\n"))
    assert messages == [m for m in messages if "line 2 holds an AWS access key id" in m] and len(messages) == 1


@pytest.mark.parametrize(
    "line",
    [
        'RELEASE_COOKIE="$(cat /run/shop/cookie)"',
        "RELEASE_COOKIE=${COOKIE}",
        'printf "RELEASE_COOKIE=%s\\n" "$cookie"',
        'ERL_AFLAGS="-setcookie $RELEASE_COOKIE"',
        "ERLANG_COOKIE=$(aws ssm get-parameter --name /shop/prod/release-cookie --with-decryption)",
        "EnvironmentFile=-/run/shop/cookie.env  # holds RELEASE_COOKIE",
        'echo "$cookie" > /home/shop/.erlang.cookie',
        "AWS_SECRET_ACCESS_KEY=$(aws configure get aws_secret_access_key)",
        "git checkout 0123456789abcdef0123456789abcdef01234567",  # 40 characters, no key id beside it
    ],
)
def test_reading_the_cookie_at_boot_passes(line):
    assert flagged(encoded(f"#!/bin/bash\n{line}\n")) == []
    assert flagged(cloud_config(f"runcmd:\n- {line!r}\n")) == []


def test_a_cookie_file_written_from_a_source_is_no_literal():
    user_data = cloud_config("write_files:\n- path: /var/lib/shop/.erlang.cookie\n  source: {uri: 's3://shop/c'}\n")
    assert flagged(user_data) == []


def test_user_data_that_is_no_cloud_config_or_script_is_read_as_text():
    broken = SAFE_USER_DATA + f"RELEASE_COOKIE={COOKIE}\n"  # a scalar after a mapping: not YAML
    [message] = flagged(encoded(broken))
    assert message.startswith("template: user data line 7 holds a release cookie literal")


# --- secret-marked user data ---------------------------------------------------------------------


def test_user_data_a_preview_prints_as_secret_is_flagged():
    [message] = flagged("[secret]")
    assert message.startswith("template: userData is a Pulumi secret")


@pytest.mark.parametrize(
    ("value", "secret_outputs"),
    [(Secret(encoded("#!/bin/sh\necho hello\n")), []), (encoded("#!/bin/sh\necho hello\n"), ["userData"])],
    ids=["pulumi_policy.Secret", "additionalSecretOutputs"],
)
def test_user_data_the_engine_marks_secret_is_flagged(value, secret_outputs):
    found = user_data_findings(LAUNCH_TEMPLATE, {"userData": value}, secret_outputs, [])
    assert found == ["userData is a Pulumi secret: something secret was built into it"]


def test_the_cookie_built_into_user_data_is_flagged_from_what_the_emulator_records(tmp_path):
    # the careless change as a program makes it: user data from the cookie's RandomPassword is secret
    (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        textwrap.dedent(
            """\
            import base64
            import pulumi_aws as aws
            import pulumi_random as random

            cookie = random.RandomPassword("cookie", length=32, special=False)
            script = cookie.result.apply(lambda c: f"#!/bin/sh\\necho {c} > /var/lib/shop/.erlang.cookie\\n")
            aws.ec2.LaunchTemplate("lt", user_data=script.apply(lambda s: base64.b64encode(s.encode()).decode()))
            """
        )
    )
    with Emulator(region="eu-west-1", stack="test") as emulator:
        deployment = emulator.run(
            tmp_path, StackConfig(project="probe", stack="test", config={"aws:region": "eu-west-1"})
        )
        document = deployment.to_json()
        [record] = deployment.of_type(LAUNCH_TEMPLATE)
    [violation] = [v for v in check(document) if v.policy == RULE]
    assert violation.resource == "lt" and "userData is a Pulumi secret" in violation.message
    # where the Pulumi CLI hands the pack the plaintext instead, its content gives it away
    [finding] = user_data_findings(LAUNCH_TEMPLATE, record.unmasked_inputs, [], [])
    assert finding == "user data line 2 holds an Erlang cookie file written from user data (.erlang.cookie)"


# --- the stack's own user data -------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_the_shipped_user_data_is_read_whole_and_passes(stack, shipped):
    [template] = [r for r in shipped(stack).deployment.to_json()["resources"] if r["type"] == LAUNCH_TEMPLATE]
    read = list(pieces(decoded(template["inputs"]["userData"], base64_encoded=True)))
    # the reader reached the scripts inside the cloud-config (gzipped and base64), the secrets' fetch
    # among them, and where the secrets are read from
    assert any(p.path and p.path.endswith("/fetch-secrets") and "retry aws" in p.text for p in read)
    assert any(p.path and p.path.endswith("/secrets.sh") and "get-parameter" in p.text for p in read)
    assert user_data_findings(LAUNCH_TEMPLATE, template["inputs"], [], []) == []


def test_instance_user_data_is_read_and_extra_patterns_apply():
    box = resource("aws:ec2/instance:Instance", "box", {"userData": "#!/bin/sh\nexport VENDOR_TOKEN=vt_abc123\n"})
    document = add(cluster(), box)
    assert findings(document, RULE) == []
    config = {RULE: {"extraPatterns": [r"\bvt_[a-z0-9]+"]}}
    [violation] = findings(document, RULE, config)
    assert violation.resource == "box" and "vt_abc123" not in violation.message


def test_instance_user_data_base64_is_decoded():
    box = resource(
        "aws:ec2/instance:Instance", "box", {"userDataBase64": encoded(f"#!/bin/sh\nERLANG_COOKIE={COOKIE}\n")}
    )
    [violation] = findings(add(cluster(), box), RULE)
    assert violation.resource == "box" and "line 2 holds an Erlang cookie literal" in violation.message


# --- SecureStrings --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["String", None])
def test_a_cookie_parameter_must_be_a_secure_string(kind):
    document = change(cluster(), "cookie", type=kind)
    [violation] = findings(document, "secret-parameters-are-secure-strings")
    assert "/shop/prod/release-cookie" in violation.message and "SecureString" in violation.message


def test_parameters_that_hold_no_secret_may_be_strings():
    document = add(
        cluster(),
        resource("aws:ssm/parameter:Parameter", "release", {"name": "/shop/prod/release-version", "type": "String"}),
    )
    assert findings(document, "secret-parameters-are-secure-strings") == []
    config = {"secret-parameters-are-secure-strings": {"secretNamePattern": "release"}}
    assert len(findings(document, "secret-parameters-are-secure-strings", config)) == 1


# --- no secrets in the release's plain environment ---------------------------------------------

ENVIRONMENT_RULE = "no-secrets-in-release-environment"


def release_env(*lines: str, path: str = "/etc/shop/release.env", encoding: str | None = None) -> str:
    """User data writing release.env with these lines (as plans/release_environment.py quotes them)."""
    content = "".join(f"{line}\n" for line in lines)
    entry = {"path": path, "content": content}
    if encoding == "gz+b64":
        entry = {**entry, "encoding": encoding, "content": base64.b64encode(gzip.compress(content.encode())).decode()}
    body = "write_files:\n- " + "\n  ".join(
        f"{key}: |\n    " + "\n    ".join(value.splitlines()) if key == "content" else f"{key}: {value}"
        for key, value in entry.items()
    )
    return cloud_config(body + "\n")


def environment_findings_of(user_data: str, config: dict | None = None) -> list[str]:
    document = change(cluster(), "template", userData=user_data)
    messages = [v.message for v in findings(document, ENVIRONMENT_RULE, config)]
    assert not any("hunter2" in m or "sk_live" in m for m in messages)  # never the value
    return messages


def test_the_stack_shape_has_no_secret_in_its_environment():
    assert findings(cluster(), ENVIRONMENT_RULE) == []


@pytest.mark.parametrize(
    ("line", "finding"),
    [
        ('PHX_HOST="shop.example.com"', None),
        ('POOL_SIZE="10"', None),
        (
            'STRIPE_SECRET_KEY="sk_live_51H8"',
            "/etc/shop/release.env line 2 sets STRIPE_SECRET_KEY, a secret by its name",
        ),
        ('SMTP_PASSWORD="hunter2"', "line 2 sets SMTP_PASSWORD, a secret by its name"),
        ('GITHUB_TOKEN="ghp_hunter2"', "line 2 sets GITHUB_TOKEN, a secret by its name"),
        ('session_secret="hunter2"', "line 2 sets session_secret, a secret by its name"),
        ('API_TOKEN=""', None),  # declared empty: nothing to give away
        ('TOKEN_TTL="3600"', None),  # the pattern is the name's end
        (
            'DATABASE_URL="ecto://shop:hunter2@db.internal/shop"',
            "/etc/shop/release.env line 2 holds a URL with a password (DATABASE_URL)",
        ),
        ('DATABASE_URL="ecto://shop@db.internal/shop"', None),  # a user, no password
        ('UPSTREAM="https://api.example.com:8443/v1"', None),  # a port is no password
    ],
)
def test_a_secret_looking_variable_is_found_at_both_sides(line, finding):
    messages = environment_findings_of(release_env('PHX_HOST="shop.example.com"', line))
    assert messages == [] if finding is None else (len(messages) == 1 and finding in messages[0])
    assert finding is None or "elixir-cluster:release.secrets" in messages[0]


def test_only_the_release_environment_files_are_read_and_their_encoding_is_undone():
    hidden = 'MAILER_API_KEY="hunter2"'
    assert environment_findings_of(release_env(hidden, path="/usr/local/libexec/shop/stack.env")) == []
    [message] = environment_findings_of(release_env(hidden, encoding="gz+b64"))
    assert "line 1 sets MAILER_API_KEY" in message
    config = {ENVIRONMENT_RULE: {"environmentFiles": ["stack.env"]}}
    assert len(environment_findings_of(release_env(hidden, path="/usr/local/libexec/shop/stack.env"), config)) == 1


def test_a_name_the_team_allows_passes_and_the_pattern_is_configurable():
    public = 'STRIPE_PUBLISHABLE_KEY="pk_live_51H8"'
    assert len(environment_findings_of(release_env(public))) == 1
    allowed = {ENVIRONMENT_RULE: {"allowedNames": ["STRIPE_PUBLISHABLE_KEY"]}}
    assert environment_findings_of(release_env(public), allowed) == []
    stricter = {ENVIRONMENT_RULE: {"secretNamePattern": "(?i)(_KEY|_SALT)$"}}
    assert len(environment_findings_of(release_env('SIGNING_SALT="hunter2"'), stricter)) == 1
