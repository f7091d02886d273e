"""What the example release needs beyond the stack's release.env, and how the lab hands it over.

    given = ReleaseInputs.generate(database_url, phx_host)   # a fresh SECRET_KEY_BASE
    given.environment()      # {"SECRET_KEY_BASE": ..., "DATABASE_URL": ..., "PHX_HOST": ...}
    hand_over(instance, layout, given)

A Phoenix release refuses to boot without SECRET_KEY_BASE and DATABASE_URL and reads
PHX_HOST. The stack will deliver them itself (release.environment, and release.secrets
fetched by the node at each start into the release's environment file). Until it does,
`hand_over` gives the release unit a systemd drop-in (a real systemd mechanism, which the
lab's unit runner implements) whose EnvironmentFile holds them: on the instance's /run
(tmpfs), 0600 and root's, read by the service manager as the unit starts, exactly as the
stack's own environment file will be. Switching to the stack's delivery is
`NodeLab.give_release_its_inputs` alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from components.plans.node_layout import NodeLayout

from .instance import Instance

SECRET_KEY_BASE_BYTES = 48
"""As `mix phx.gen.secret`: 64 characters once encoded, the least Plug's cookie store accepts."""

DROP_IN_DIR = "/run/systemd/system"
"""Runtime drop-ins: systemd reads them beside /etc's and forgets them at reboot, like /run."""
DROP_IN_NAME = "node-lab-inputs.conf"
INPUTS_FILE = "/run/node-lab/release-inputs.env"


@dataclass(frozen=True)
class ReleaseInputs:
    secret_key_base: str
    database_url: str
    phx_host: str

    @classmethod
    def generate(cls, database_url: str, phx_host: str) -> ReleaseInputs:
        return cls(secrets.token_urlsafe(SECRET_KEY_BASE_BYTES), database_url, phx_host)

    def environment(self) -> dict[str, str]:
        return {**self.secrets(), "PHX_HOST": self.phx_host}

    def secrets(self) -> dict[str, str]:
        """The values no log, command line or leftover file may show, by variable name."""
        return {"SECRET_KEY_BASE": self.secret_key_base, "DATABASE_URL": self.database_url}


def hand_over(instance: Instance, layout: NodeLayout, given: ReleaseInputs) -> None:
    """The release unit's drop-in and its EnvironmentFile, before the instance boots."""
    values = given.environment()
    inputs = instance.path(INPUTS_FILE)
    inputs.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    inputs.touch(mode=0o600)
    inputs.write_text("".join(f"{name}={_quoted(value)}\n" for name, value in values.items()))
    drop_in = instance.path(f"{DROP_IN_DIR}/{layout.release_unit}.d/{DROP_IN_NAME}")
    drop_in.parent.mkdir(parents=True, exist_ok=True)
    drop_in.write_text(
        "# The node lab's stand-in for release.secrets and release.environment (release_inputs.py).\n"
        f"[Service]\nEnvironmentFile={INPUTS_FILE}\n"
    )


def _quoted(value: str) -> str:
    """A value systemd's EnvironmentFile reads back as it is (the lab's values need no escapes)."""
    if any(char in value for char in "\"\\\n$`'"):
        raise ValueError("the lab's release inputs are URL-safe: no quotes, backslashes, $ or newlines")
    return f'"{value}"'
