"""A stack applied into the lab's moto server, and applied again over its last state, as `pulumi up`
keeps a stack's state between two runs.

    python -m tools.conformance.node_lab.stack_state --config FILE --endpoint URL --state STATE
    python -m tools.conformance.node_lab.stack_state --config NEW --endpoint URL --state STATE --change

The first applies FILE (`tools.emulated_stack.emulated`, what `tools.preview --endpoint` runs) and
keeps what it registered in STATE; the second applies NEW over STATE through the update path
(`tools.emulated_stack.change`), prints the refreshes it started as JSON and keeps the new state.
Pulumi keeps a stack's state in its backend, its secrets encrypted; the lab keeps it in a file
beside the lab's moto, encrypted whole (Fernet) with the key in STATE_KEY_VARIABLE, which only the
lab's process and this one hold: the state has the cookie in clear, and no lab file may.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from tools import emulated_stack
from tools.emulator.core.program import Emulator
from tools.stack_files import load_stack

from .aws import STATE_KEY_VARIABLE


def apply(config: Path, endpoint: str, state: Path) -> None:
    with emulated_stack.emulated(config, endpoint, repeatable=True) as (_emulator, deployment, _settings):
        _keep(state, deployment)


def change(config: Path, endpoint: str, state: Path) -> dict:
    new = load_stack(config)
    applied = _kept(state)
    with Emulator(region=new.settings.region, endpoint=endpoint, stack=new.config.stack) as emulator:
        done = emulated_stack.change(emulator, applied, new)
    if done.failure is not None:
        raise SystemExit(f"applying {config.name} over its last state failed: {done.failure}")
    _keep(state, done.deployment)
    return {"refreshes": [{"refresh": r.refresh, "group": r.group} for r in done.refreshes]}


def _keep(state: Path, deployment: Any) -> None:
    state.write_bytes(Fernet(os.environ[STATE_KEY_VARIABLE]).encrypt(pickle.dumps(deployment)))


def _kept(state: Path) -> Any:
    # the lab's own file, written by `_keep` under the same key
    return pickle.loads(Fernet(os.environ[STATE_KEY_VARIABLE]).decrypt(state.read_bytes()))  # noqa: S301


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--change", action="store_true", help="apply over STATE through the update path")
    args = parser.parse_args(argv)
    if args.change:
        print(json.dumps(change(args.config, args.endpoint, args.state), default=str))
    else:
        apply(args.config, args.endpoint, args.state)
        print("{}")


if __name__ == "__main__":
    main(sys.argv[1:])
