"""The release's secrets: the cookie and release.secrets, read by the node at each start of the
release, and nowhere held by the stack.

Each is a variable and where it is read from (settings/secret_references.py). From here:

- the node's call for each, as the aws CLI takes it (`aws_call`): GetParameter with decryption
  (a version or label pinned in its Name), or GetSecretValue (a version stage or id pinned);
- secrets.sh, which the user data writes beside the scripts: one `secret VARIABLE REFERENCE
  JSON_KEY CALL...` line per variable, which scripts/fetch-secrets.sh reads them with at each
  start into secrets.env under the release unit's RuntimeDirectory (tmpfs, 0600, the release
  user's): references only, never a value;
- the ARN each is authorized against (`resource_arn`), which the node role is granted and
  nothing else (plans/iam.py).

A pin is part of the user data, so changing one makes a new launch template version, which
rolls the nodes; without one, each start of the release reads the current value.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from ..settings import ReleaseSettings
from ..settings.secret_references import ParameterSource, SecretsManagerSource, SecretSource, secret_source

COOKIE_VARIABLE = "RELEASE_COOKIE"
"""Where the release script looks for the distribution cookie."""

PARAMETER_VALUE = "Parameter.Value"
SECRET_STRING = "SecretString"
"""What the node's calls print (`--query`): the parameter's value, the secret's text."""


@dataclass(frozen=True)
class ReleaseSecret:
    """One variable the release reads at start, and where from."""

    variable: str
    reference: str
    """Where from, as the stack file says it."""
    source: SecretSource

    @property
    def in_parameter_store(self) -> bool:
        return isinstance(self.source, ParameterSource)

    @property
    def json_key(self) -> str | None:
        return self.source.json_key if isinstance(self.source, SecretsManagerSource) else None

    def aws_call(self) -> list[str]:
        """The node's aws CLI call that prints the value (as JSON), without --region and --output."""
        source = self.source
        if isinstance(source, ParameterSource):
            name = source.identifier
            return ["ssm", "get-parameter", "--name", name, "--with-decryption", "--query", PARAMETER_VALUE]
        call = ["secretsmanager", "get-secret-value", "--secret-id", source.arn]
        if source.version_stage:
            call += ["--version-stage", source.version_stage]
        if source.version_id:
            call += ["--version-id", source.version_id]
        return [*call, "--query", SECRET_STRING]

    def resource_arn(self, partition: str, region: str, account: str) -> str:
        """The ARN IAM authorizes the node's call against (a parameter's name, in the stack's account)."""
        source = self.source
        if isinstance(source, ParameterSource):
            return source.parameter_arn(partition, region, account)
        return source.arn


def release_secrets(release: ReleaseSettings) -> list[ReleaseSecret]:
    """release.secrets, in the stack file's order."""
    return [ReleaseSecret(name, reference, secret_source(reference)) for name, reference in release.secrets.items()]


def cookie_secret(release: ReleaseSettings) -> ReleaseSecret:
    """The distribution cookie, read like the others from the parameter the stack creates."""
    return ReleaseSecret(COOKIE_VARIABLE, release.cookie_parameter, ParameterSource(release.cookie_parameter))


def secrets_script(release: ReleaseSettings) -> str:
    """secrets.sh: the cookie, then release.secrets, as the calls fetch-secrets.sh makes."""
    header = (
        "# Where the release's secrets are read from at each start (fetch-secrets): references, never values.\n"
        "# secret VARIABLE REFERENCE JSON_KEY AWS_CALL... Rendered by elixir-cluster: change the stack.\n"
    )
    lines = [
        shlex.join(["secret", secret.variable, secret.reference, secret.json_key or "", *secret.aws_call()])
        for secret in [cookie_secret(release), *release_secrets(release)]
    ]
    return header + "".join(f"{line}\n" for line in lines)
