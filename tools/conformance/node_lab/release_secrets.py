"""The values the node lab gives the stack's release.secrets, stored where the stack file says they are.

    given = LabSecrets.generate(database_url, database_password)
    account.call(lambda aws: store(aws, settings.release, given))   # in the lab's moto, before the stack is applied
    given.by_variable()      # {"SECRET_KEY_BASE": ..., "DATABASE_URL": ...}: what the release must hold
    given.telltales()        # those, and what a partial leak would show: what no log or file may hold

The stack references its secrets and never holds them (components/plans/secrets.py). So the lab,
like a team before its first `pulumi up`, stores them first, under exactly the references of the
stack file: an SSM reference as a SecureString of that name; a Secrets Manager reference as a
secret under its complete ARN (moto cannot choose an ARN: the project server's extension pins
it), a JSON key as that key of a JSON object beside the other fields a database secret holds.
Applying the stack keeps them (the emulator provides only what does not exist), and each node
reads them with the node role at each start of the release. PHX_HOST is plain: the stack file's
release.environment.

SECRET_KEY_BASE ends in every character an environment file treats apart (quotes, `$`, a
backtick, backslashes, a newline): the receipts the release signs with it prove that it reached
the release byte for byte.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from components.plans.secrets import ReleaseSecret, release_secrets
from components.settings import ReleaseSettings
from components.settings.secret_references import ParameterSource
from tools.emulator.services.secretsmanager import SECRET_ARNS

SECRET_KEY_BASE_BYTES = 48
"""As `mix phx.gen.secret`: 64 characters once encoded, the least Plug's cookie store accepts."""
QUOTING_HAZARDS = ' "it\'s" $HOME ${PATH} `id` C:\\new\\ \\\nline two'
"""What systemd's and sh's quoting would mangle if the stack's were wrong."""
SECURE_STRING = "SecureString"


@dataclass(frozen=True)
class LabSecrets:
    secret_key_base: str
    database_url: str
    database_password: str

    @classmethod
    def generate(cls, database_url: str, database_password: str) -> LabSecrets:
        key_base = secrets.token_urlsafe(SECRET_KEY_BASE_BYTES) + QUOTING_HAZARDS
        return cls(key_base, database_url, database_password)

    def by_variable(self) -> dict[str, str]:
        """The release's secret variables and the values the lab gives them."""
        return {"SECRET_KEY_BASE": self.secret_key_base, "DATABASE_URL": self.database_url}

    def telltales(self) -> dict[str, str]:
        """What would show a leak, by name: each value, its random part alone (a log may escape the
        rest), and the database password (DATABASE_URL holds it escaped; the secret's JSON, in clear)."""
        random_part = self.secret_key_base.removesuffix(QUOTING_HAZARDS)
        return {
            **self.by_variable(),
            "SECRET_KEY_BASE's random part": random_part,
            "database password": self.database_password,
        }

    def stored_value(self, secret: ReleaseSecret, username: str) -> str:
        """What the lab stores for `secret`: the value, or a database secret's JSON holding it at its key."""
        value = self.by_variable()[secret.variable]
        if secret.json_key is None:
            return value
        return json.dumps({"username": username, "password": self.database_password, secret.json_key: value})


def store(aws: Any, release: ReleaseSettings, given: LabSecrets) -> None:
    """Each of release.secrets, holding the lab's value, where the stack file says it is (`aws`: the
    lab account's clients, in `EmulatedAccount.call`)."""
    for secret in release_secrets(release):
        _check_storable(secret, given)
        value, source = given.stored_value(secret, release.name), secret.source
        if isinstance(source, ParameterSource):
            aws.client("ssm").put_parameter(Name=source.name, Value=value, Type=SECURE_STRING)
            continue
        with aws.pinned(SECRET_ARNS, source.arn):
            aws.client("secretsmanager").create_secret(Name=source.name, SecretString=value)


def _check_storable(secret: ReleaseSecret, given: LabSecrets) -> None:
    """The lab gives the variables it knows one current version: another variable, or a reference
    pinned to a version, is refused naming its key."""
    source = secret.source
    pinned = source.selector if isinstance(source, ParameterSource) else source.version_stage or source.version_id
    if secret.variable not in given.by_variable():
        raise LookupError(f"release.secrets.{secret.variable}: the node lab has no value for it")
    if pinned:
        raise ValueError(
            f"release.secrets.{secret.variable}: the node lab stores no pinned version: {secret.reference}"
        )
