"""The node lab's report per stack: per node what it booted from and how it left, and the timings.

node lab prod (ec2Tags): cluster in service 74.8 s after the lab started (setup 26.9 s, boot 24.1 s)
  node               artifact                              cookie from                    dist. port mesh orders drain
  shop@198.18.0.132  s3://shop-releases/shop-1.4.2.tar.gz  ssm:/shop/prod/release-cookie  9100       3    10     -
  ...
  database port from: node1 open, node2 open, node3 open, lb blocked, client blocked
  database outage: shop@198.18.0.132 cut off: out of HAProxy in 21.3 s (bound 35 s), ...
  orders placed through HAProxy during the scale-in: ok 812, failed 0
  secrets report:
    from: SECRET_KEY_BASE: SSM SecureString /shop/prod/secret-key-base, version 1; read by 3 of 3 nodes ...
    role: ReadReleaseParameters: ssm:GetParameter on arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/...
    leak check: command lines of the machine's 412 processes: clean
    probe: ssm:GetParameter /node-lab/not-the-cookie (not in the stack file), with the node role: denied
    missing: ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

SECRET_FINDINGS = ("from", "role", "leak check", "probe", "missing")
"""The secrets report's kinds of line, in its order: where each came from, the node role's permissions,
where none showed, what the node role was denied, how a node without one failed."""


@dataclass
class NodeRow:
    name: str
    artifact: str = ""
    cookie_source: str = ""
    distribution_port: int | None = None
    mesh_size: int | None = None
    orders: int | None = None
    drain: str = "-"


@dataclass
class NodeLabReport:
    stack: str
    discovery: str
    versions: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    mesh_seconds: float | None = None
    rows: dict[str, NodeRow] = field(default_factory=dict)
    requests_ok: int | None = None
    requests_failed: int | None = None
    database_probes: dict[str, str] = field(default_factory=dict)
    database_outage: str = ""
    iam: str = ""
    bad_inputs: list[str] = field(default_factory=list)
    secrets: dict[str, list[str]] = field(default_factory=dict)
    rollout: list[str] = field(default_factory=list)
    """The rollout lab's reports (tests/node_lab/test_rollout.py), one block each."""

    def row(self, name: str) -> NodeRow:
        return self.rows.setdefault(name, NodeRow(name))

    def secret(self, kind: str, line: str) -> None:
        """A line of the secrets report; `kind` one of SECRET_FINDINGS."""
        if kind not in SECRET_FINDINGS:
            raise ValueError(f"a secrets report line is one of {SECRET_FINDINGS}, not {kind!r}")
        self.secrets.setdefault(kind, []).append(line)

    def render(self) -> str:
        t = self.timings
        lines = [f"node lab {self.stack} ({self.discovery}): {self.versions}"]
        if "in service" in t:
            lines.append(
                f"  group clustered and in service {t['in service']:.1f} s after the lab started "
                f"(moto, stack and artifact {t.get('setup', 0):.1f} s; cloud-init boot of all nodes "
                f"{t.get('booted', 0) - t.get('setup', 0):.1f} s; health checks passed "
                f"{t['in service'] - t.get('booted', 0):.1f} s later)"
            )
        if self.mesh_seconds is not None:
            lines.append(
                f"  full mesh through {self.discovery}: every node lists every other "
                f"({self.mesh_seconds:.1f} s after the first check, once the group was in service)"
            )
        header = ("node", "artifact", "cookie from", "dist. port", "mesh", "orders", "drain")
        table = [header] + [
            (
                r.name,
                r.artifact,
                r.cookie_source,
                str(r.distribution_port or "-"),
                str(r.mesh_size or "-"),
                "-" if r.orders is None else str(r.orders),
                r.drain,
            )
            for r in self.rows.values()
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        lines += [
            ("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))).rstrip() for row in table
        ]
        if self.database_probes:
            seen = ", ".join(f"{source} {outcome}" for source, outcome in self.database_probes.items())
            lines.append(f"  database port from: {seen}")
        if self.database_outage:
            lines.append(f"  database outage: {self.database_outage}")
        if self.requests_ok is not None:
            lines.append(
                f"  orders placed through HAProxy during the scale-in: ok {self.requests_ok}, "
                f"failed {self.requests_failed}"
            )
        if self.iam:
            lines.append(f"  IAM: {self.iam}")
        lines += [f"  bad input: {line}" for line in self.bad_inputs]
        if self.secrets:
            lines.append("  secrets report:")
            lines += [f"    {kind}: {line}" for kind in SECRET_FINDINGS for line in self.secrets.get(kind, [])]
        for block in self.rollout:
            lines += ["  rollout:"] + [f"    {line}" for line in block.splitlines()]
        return "\n".join(lines)
