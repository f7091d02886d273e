"""Where things live on a node: paths and unit names, all derived from the release name.

The user data writes its files here, the units and scripts name these paths, and the node
lab looks for them in the same places.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeLayout:
    """Paths and unit names on a node, all derived from the release name."""

    release: str

    @property
    def root(self) -> str:
        return f"/opt/{self.release}"

    @property
    def config_dir(self) -> str:
        return f"/etc/{self.release}"

    @property
    def env_file(self) -> str:
        return f"{self.config_dir}/release.env"

    @property
    def cloudwatch_config(self) -> str:
        return f"{self.config_dir}/cloudwatch-agent.json"

    @property
    def state_dir(self) -> str:
        return f"/var/lib/{self.release}"

    @property
    def runtime_dir(self) -> str:
        return f"/run/{self.release}"

    @property
    def secrets_env_file(self) -> str:
        """The cookie and release.secrets, written at each start of the release (tmpfs, 0600)."""
        return f"{self.runtime_dir}/secrets.env"

    @property
    def libexec(self) -> str:
        return f"/usr/local/libexec/{self.release}"

    @property
    def stack_env(self) -> str:
        return f"{self.libexec}/stack.env"

    @property
    def common_script(self) -> str:
        return f"{self.libexec}/common.sh"

    @property
    def bootstrap_script(self) -> str:
        return f"{self.libexec}/bootstrap"

    @property
    def secrets_script(self) -> str:
        return f"{self.libexec}/fetch-secrets"

    @property
    def env_assignment_script(self) -> str:
        return f"{self.libexec}/env-assignment"

    @property
    def secret_references(self) -> str:
        """secrets.sh: where each secret is read from (plans/secrets.py); never a value."""
        return f"{self.libexec}/secrets.sh"

    @property
    def launch_hook_script(self) -> str:
        return f"{self.libexec}/launch-hook"

    @property
    def drain_script(self) -> str:
        return f"{self.libexec}/drain-agent"

    @property
    def unit_dir(self) -> str:
        return "/etc/systemd/system"

    @property
    def release_unit(self) -> str:
        return f"{self.release}.service"

    @property
    def drain_unit(self) -> str:
        return f"{self.release}-drain.service"

    @property
    def release_unit_file(self) -> str:
        return f"{self.unit_dir}/{self.release_unit}"

    @property
    def drain_unit_file(self) -> str:
        return f"{self.unit_dir}/{self.drain_unit}"
