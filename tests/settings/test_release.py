"""`release`: the mix release the nodes run, its ports, discovery and cookie."""

from __future__ import annotations

import pytest

from components.settings import ReleaseSettings
from tests.support.sections import load, problems, refusals


@pytest.mark.parametrize(
    ("artifact", "rule"),
    [
        ("s3://shop-releases/shop.zip", "must name a release tarball (.tar.gz or .tgz)"),
        ("s3://Shop_Releases/shop.tar.gz", "s3://<bucket>/<key>: a bucket name uses a-z, 0-9"),
        ("s3://shop-releases/", "s3://<bucket>/<key>: the key has 1-1024 bytes"),
        ("ftp://example.com/shop.tar.gz", "must be s3://<bucket>/<key> or https://<host>/<path>"),
        ("https://user:pw@example.com/shop.tar.gz", "must not embed credentials"),
        ("https://b.s3.amazonaws.com/shop.tar.gz?X-Amz-Signature=abc", "a presigned URL expires"),
    ],
)
def test_release_artifact(artifact, rule):
    (line,) = problems(release={"artifact": artifact})
    assert line.startswith(f"elixir-cluster:release.artifact: {rule}")


@pytest.mark.parametrize(
    ("release", "line"),
    [
        (
            {"httpPort": 80},
            "elixir-cluster:release.httpPort: must be >= 1024: the release runs as an unprivileged user, got 80",
        ),
        ({"httpPort": 40000}, "elixir-cluster:release.httpPort: must be <= 32767: Linux gives 32768-60999 to outgoing"),
        (
            {"httpPort": 4369},
            "elixir-cluster:release.httpPort: must differ from distribution.epmdPort (4369), got 4369",
        ),
        (
            {"httpPort": 9120},
            "elixir-cluster:release.distribution.portRange: must not include httpPort (9120), got 9100-9155",
        ),
        (
            {"distribution": {"epmdPort": 9100}},
            "elixir-cluster:release.distribution.portRange: must not include epmdPort (9100)",
        ),
        (
            {"httpPort": 8125},
            "elixir-cluster:release.httpPort: must differ from the StatsD listener's port (127.0.0.1:8125)",
        ),
        (
            {"distribution": {"portRange": {"from": 9200, "to": 9100}}},
            "elixir-cluster:release.distribution.portRange.to: must be >= from (9200), got 9100",
        ),
        (
            {"distribution": {"portRange": {"from": 10000, "to": 12000}}},
            "elixir-cluster:release.distribution.portRange: spans at most 1000 ports",
        ),
    ],
)
def test_ports_are_unprivileged_and_never_collide(release, line):
    (found,) = problems(release=release)
    assert found.startswith(line)


@pytest.mark.parametrize(
    ("release", "refused"),
    [
        # a listening port: 1024..32767
        ({"httpPort": 1024}, None),
        (
            {"httpPort": 1023},
            "elixir-cluster:release.httpPort: must be >= 1024: the release runs as an unprivileged user, got 1023",
        ),
        ({"httpPort": 32767}, None),
        (
            {"httpPort": 32768},
            "elixir-cluster:release.httpPort: must be <= 32767: Linux gives 32768-60999 to outgoing "
            "connections, so the port may be taken at boot, got 32768",
        ),
        # the distribution range: from <= to, at most 1000 ports
        ({"distribution": {"portRange": {"from": 9100, "to": 9100}}}, None),
        (
            {"distribution": {"portRange": {"from": 9101, "to": 9100}}},
            "elixir-cluster:release.distribution.portRange.to: must be >= from (9101), got 9100",
        ),
        ({"distribution": {"portRange": {"from": 10000, "to": 10999}}}, None),
        (
            {"distribution": {"portRange": {"from": 10000, "to": 11000}}},
            "elixir-cluster:release.distribution.portRange: spans at most 1000 ports (each node needs one), "
            "got 10000-11000",
        ),
        # the HTTP port beside the range (9100-9155), on either end
        ({"httpPort": 9099}, None),
        (
            {"httpPort": 9100},
            "elixir-cluster:release.distribution.portRange: must not include httpPort (9100), got 9100-9155",
        ),
        ({"httpPort": 9156}, None),
        (
            {"httpPort": 9155},
            "elixir-cluster:release.distribution.portRange: must not include httpPort (9155), got 9100-9155",
        ),
        # EPMD beside the range, on either end
        ({"distribution": {"epmdPort": 9099}}, None),
        (
            {"distribution": {"epmdPort": 9100}},
            "elixir-cluster:release.distribution.portRange: must not include epmdPort (9100), got 9100-9155",
        ),
        ({"distribution": {"epmdPort": 9156}}, None),
        (
            {"distribution": {"epmdPort": 9155}},
            "elixir-cluster:release.distribution.portRange: must not include epmdPort (9155), got 9100-9155",
        ),
        # the HTTP port and EPMD
        ({"httpPort": 4370}, None),
        (
            {"httpPort": 4369},
            "elixir-cluster:release.httpPort: must differ from distribution.epmdPort (4369), got 4369",
        ),
        # the StatsD listener (8125): the HTTP port, EPMD, the range on either end
        ({"httpPort": 8124}, None),
        (
            {"httpPort": 8125},
            "elixir-cluster:release.httpPort: must differ from the StatsD listener's port (127.0.0.1:8125), got 8125",
        ),
        ({"distribution": {"epmdPort": 8126}}, None),
        (
            {"distribution": {"epmdPort": 8125}},
            "elixir-cluster:release.distribution.epmdPort: must differ from the "
            "StatsD listener's port (127.0.0.1:8125), got 8125",
        ),
        ({"distribution": {"portRange": {"from": 8126, "to": 8200}}}, None),
        (
            {"distribution": {"portRange": {"from": 8125, "to": 8200}}},
            "elixir-cluster:release.distribution.portRange: "
            "must not include the StatsD listener's port (127.0.0.1:8125), got 8125-8200",
        ),
        ({"distribution": {"portRange": {"from": 8000, "to": 8124}}}, None),
        (
            {"distribution": {"portRange": {"from": 8000, "to": 8125}}},
            "elixir-cluster:release.distribution.portRange: "
            "must not include the StatsD listener's port (127.0.0.1:8125), got 8000-8125",
        ),
    ],
)
def test_port_rules_at_their_boundaries(release, refused):
    assert refusals(release=release) == ([] if refused is None else [refused])


@pytest.mark.parametrize(
    ("parameter", "rule"),
    [
        ("shop/cookie", "must be a path such as /shop/prod/release-cookie"),
        ("/aws/shop/cookie", "must not start with 'aws' or 'ssm'"),
        ("/SSM/cookie", "must not start with 'aws' or 'ssm'"),
        ("/shop/co okie", "allows only a-z A-Z 0-9 _ . - /"),
        ("/" + "/".join("l" * 16), "has at most 15 levels"),
    ],
)
def test_cookie_parameter_is_a_creatable_ssm_name(parameter, rule):
    (line,) = problems(release={"cookieParameter": parameter})
    assert line.startswith(f"elixir-cluster:release.cookieParameter: {rule}")


def test_a_cookie_parameter_has_at_most_15_levels():
    fifteen = "/" + "/".join("l" * 15)
    assert load(release={"cookieParameter": fifteen}).release.cookie_parameter == fifteen


def test_the_release_is_named_after_the_cluster_it_is_given():
    artifact = {"artifact": "s3://shop-releases/shop-1.4.2.tar.gz"}
    release = ReleaseSettings.for_environment("staging", artifact, cluster_name="web-shop")
    assert (release.name, release.cookie_parameter) == ("web_shop", "/web-shop/staging/release-cookie")


def test_dns_discovery():
    assert load(release={"discovery": "dns"}).release.discovery == "dns"


# --- environment and secrets ----------------------------------------------------------------------

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"


def test_environment_and_secrets_load_as_the_stack_file_writes_them():
    release = load(
        release={
            "environment": {"PHX_HOST": "shop.example.com", "POOL_SIZE": 10, "FEATURE_X": True},
            "secrets": {"SECRET_KEY_BASE": "/shop/prod/secret-key-base", "DATABASE_URL": f"{SECRET_ARN}:url::"},
        }
    ).release
    # YAML reads 10 and true as a number and a boolean; the release gets the text
    assert release.environment == {"PHX_HOST": "shop.example.com", "POOL_SIZE": "10", "FEATURE_X": "true"}
    assert release.secrets == {"SECRET_KEY_BASE": "/shop/prod/secret-key-base", "DATABASE_URL": f"{SECRET_ARN}:url::"}


@pytest.mark.parametrize(
    ("release", "refused"),
    [
        # names: as systemd passes them on, none the bootstrap sets
        ({"environment": {"_private": "x", "pool_size2": "1"}}, None),
        (
            {"environment": {"2FA": "x"}},
            "elixir-cluster:release.environment.2FA: must be a name systemd passes on: letters, digits and '_', "
            'not starting with a digit, got "2FA"',
        ),
        (
            {"environment": {"PHX-HOST": "x"}},
            "elixir-cluster:release.environment.PHX-HOST: must be a name systemd passes on: letters, digits and '_', "
            'not starting with a digit, got "PHX-HOST"',
        ),
        (
            {"environment": {"PORT": "8080"}},
            "elixir-cluster:release.environment.PORT: the bootstrap sets it (release.httpPort, where the load "
            'balancer sends requests), got "PORT"',
        ),
        (
            {"secrets": {"RELEASE_COOKIE": "/shop/prod/cookie"}},
            "elixir-cluster:release.secrets.RELEASE_COOKIE: the bootstrap sets it (the distribution cookie, read "
            'from release.cookieParameter at each start), got "RELEASE_COOKIE"',
        ),
        (
            {"environment": {"ERL_AFLAGS": "+S 4"}},
            "elixir-cluster:release.environment.ERL_AFLAGS: the bootstrap sets it (pins distribution to "
            'release.distribution.portRange, the ports the node security group opens), got "ERL_AFLAGS"',
        ),
        # values: what systemd passes on
        ({"environment": {"MOTD": 'it\'s "$5" \\ `now`\nGrüße 🚀'}}, None),
        (
            {"environment": {"MOTD": "a\0b"}},
            'elixir-cluster:release.environment.MOTD: must not hold NUL: no process environment can, got "a\\u0000b"',
        ),
        (
            {"environment": {"MOTD": "a\ufffeb"}},
            "elixir-cluster:release.environment.MOTD: must not hold a unicode noncharacter (U+FDD0..U+FDEF, U+xFFFE, "
            'U+xFFFF) or a lone surrogate: systemd drops the variable, got "a\ufffeb"',
        ),
        # one value per variable
        (
            {"environment": {"API_URL": "https://api"}, "secrets": {"API_URL": "/shop/prod/api-url"}},
            "elixir-cluster:release.secrets.API_URL: is in environment too: a variable has one value",
        ),
        # an ARN in the stack's region (eu-west-1)
        ({"secrets": {"DATABASE_URL": f"{SECRET_ARN}:url::"}}, None),
        (
            {"secrets": {"DATABASE_URL": f"{SECRET_ARN.replace('eu-west-1', 'us-east-1')}:url::"}},
            "elixir-cluster:release.secrets.DATABASE_URL: is in us-east-1, but nodes read their secrets in the "
            "stack's region (eu-west-1): Parameter Store and Secrets Manager are regional (replicate it to "
            f'eu-west-1), got "{SECRET_ARN.replace("eu-west-1", "us-east-1")}:url::"',
        ),
        (
            {"secrets": {"KEY": "arn:aws:ssm:eu-central-1:123456789012:parameter/shop/key"}},
            "elixir-cluster:release.secrets.KEY: is in eu-central-1, but nodes read their secrets in the stack's "
            "region (eu-west-1): Parameter Store and Secrets Manager are regional (replicate it to eu-west-1), "
            'got "arn:aws:ssm:eu-central-1:123456789012:parameter/shop/key"',
        ),
    ],
)
def test_variable_rules_at_their_boundaries(release, refused):
    assert refusals(release=release) == ([] if refused is None else [refused])


def test_environment_and_secrets_fit_what_the_user_data_leaves():
    # 4096 bytes as the user data counts them: a variable's name, value and 8 more, escapes included;
    # a secret's name, its reference twice and 96 more
    value = "v" * (4096 - len("BIG") - 8)
    assert load(release={"environment": {"BIG": value}}).release.user_data_bytes == 4096
    assert refusals(release={"environment": {"BIG": value + "v"}}) == [
        "elixir-cluster:release.environment: with secrets, takes at most 4096 bytes of the node's user data "
        "(EC2 takes 16 KB, the node's scripts most of it): move large values into secrets, got 4097 bytes"
    ]
    quoted = load(release={"environment": {"Q": '"$'}, "secrets": {"S": "/a"}}).release
    assert quoted.user_data_bytes == (1 + 8 + 2 + 2) + (1 + 2 * 2 + 96)
