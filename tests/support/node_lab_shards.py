"""The node lab's labs side by side: one pytest process per lab of NODE_LAB_STACKS (`make node-lab`).

    python -m tests.support.node_lab_shards BASETEMP [pytest arguments...]

A lab's tests are mostly waiting: for cloud-init, for the scripts' retries, for drains and for an
instance refresh's nodes. In one process the labs' tests run one after another; here each lab
runs in a process of its own (NODE_LAB_SHARD), with its own `--basetemp` under BASETEMP, and the
tests that need no lab run with the last one. Each process's output goes to BASETEMP/<lab>.log
and is printed whole, in NODE_LAB_STACKS's order, once every process has ended. The exit code is
the first non-zero one (pytest's), else 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.node_lab import lab_stacks, sigterm_as_interrupt


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    base, pytest_args = Path(argv[0]), argv[1:]
    base.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    shards = {lab: _start(lab, base, pytest_args) for lab in lab_stacks()}
    try:
        with sigterm_as_interrupt("node lab shards"):
            codes = {lab: process.wait() for lab, (process, _log) in shards.items()}
    except KeyboardInterrupt:
        for process, _log in shards.values():
            process.terminate()  # each lab's session closes its namespaces on SIGTERM (conftest.py)
        for process, _log in shards.values():
            process.wait()
        raise
    for lab, (_process, log) in shards.items():
        print(f"\n===== node lab {lab}: exit {codes[lab]} ({log}) =====", flush=True)
        sys.stdout.write(log.read_text(errors="replace"))
    print(f"\n===== node lab: {len(shards)} labs side by side in {time.monotonic() - started:.0f} s =====")
    return next((code for code in codes.values() if code != 0), 0)


def _start(lab: str, base: Path, pytest_args: list[str]) -> tuple[subprocess.Popen, Path]:
    name = lab.replace(":", "-")
    log = base / f"{name}.log"
    argv = [sys.executable, "-m", "pytest", *pytest_args, f"--basetemp={base / name}"]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv, env={**os.environ, "NODE_LAB_SHARD": lab}, stdout=out, stderr=subprocess.STDOUT
        )
    return process, log


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
