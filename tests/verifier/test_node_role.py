"""tools/verifier/checks/node_role.py: the node role holds exactly the statements plans/iam.py
declares, scoped to the stack's resources, and no managed policy; each tamper, as an operator
makes it in the console, fails the node role check and no other. (With dns discovery the Cloud Map
grants are found and compared too: tests/tools/test_verify.py verifies DEV_VARIANT clean.)"""

from __future__ import annotations

import json
from urllib.parse import unquote

from tests.support.aws_state import template_data
from tests.support.stacks import Applied, Deploy
from tests.support.verify import Tamper, walk


def _role(env: Applied) -> str:
    profile = template_data(env)["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1]
    return env.client("iam").get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"][0][
        "RoleName"
    ]


def _policy(env: Applied, kind: str) -> tuple[str, dict]:
    iam, role = env.client("iam"), _role(env)
    name = next(n for n in iam.list_role_policies(RoleName=role)["PolicyNames"] if f"-{kind}-" in n)
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    return name, json.loads(unquote(document)) if isinstance(document, str) else document


def _edit_statement(env: Applied, kind: str, sid: str, **change) -> None:
    name, document = _policy(env, kind)
    for statement in document["Statement"]:
        if statement["Sid"] == sid:
            statement.update(change)
    env.client("iam").put_role_policy(RoleName=_role(env), PolicyName=name, PolicyDocument=json.dumps(document))


def attach_session_managers_managed_policy(env: Applied) -> None:
    policy = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    env.client("iam").attach_role_policy(RoleName=_role(env), PolicyArn=policy)


def let_the_nodes_read_every_parameter_of_the_cluster(env: Applied) -> None:
    resource = f"arn:aws:ssm:eu-west-1:{env.account_id}:parameter/shop/prod/*"
    _edit_statement(env, "boot", "ReadReleaseParameters", Resource=resource)


def add_a_debugging_grant(env: Applied) -> None:
    debug = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Debug", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    env.client("iam").put_role_policy(RoleName=_role(env), PolicyName="debug", PolicyDocument=json.dumps(debug))


def delete_the_drain_policy(env: Applied) -> None:
    name, _ = _policy(env, "drain")
    env.client("iam").delete_role_policy(RoleName=_role(env), PolicyName=name)


def test_each_node_role_tamper_fails_its_check_and_no_other(deploy: Deploy) -> None:
    env = deploy("prod")
    walk(
        env,
        [
            Tamper(
                attach_session_managers_managed_policy,
                "node_role.policies",
                "managed policy arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore attached",
            ),
            Tamper(
                let_the_nodes_read_every_parameter_of_the_cluster,
                "node_role.policies",
                f"ReadReleaseParameters: Allow ssm:GetParameter on arn:aws:ssm:eu-west-1:{env.account_id}:parameter/"
                "shop/prod/*, declared Allow ssm:GetParameter on "
                f"arn:aws:ssm:eu-west-1:{env.account_id}:parameter/shop/prod/secret-key-base",
            ),
            Tamper(add_a_debugging_grant, "node_role.policies", "Debug not declared: Allow s3:* on *"),
            Tamper(
                delete_the_drain_policy,
                "node_role.policies",
                "CompleteLifecycleActions missing: Allow autoscaling:CompleteLifecycleAction on arn:aws:autoscaling:",
            ),
        ],
    )
