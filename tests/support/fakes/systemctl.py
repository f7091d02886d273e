"""`systemctl` on a node, for the scripts' calls: the verbs and options they use, on units that exist.

systemd refuses a verb it does not know ("Unknown command verb"), an option it does not know
("unrecognized option"), and a unit with no unit file: `start`/`stop` of one exit 5 ("Unit
<name> not found."), `enable` exits 1 ("Unit file <name> does not exist."), and enabling a
unit without an [Install] section does nothing. (systemctl(1); its exit status 5 is
"program is not installed", which systemctl uses for a unit that does not exist.)
https://www.freedesktop.org/software/systemd/man/latest/systemctl.html

Unit files are read from $FAKE_ROOT/etc/systemd/system, where the sandbox installed the
user data's files. Which units are enabled and active is kept in $FAKE_ROOT/run/fake-systemd.json.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

VERBS = {"daemon-reload": set(), "enable": {"--now"}, "start": {"--no-block"}, "stop": {"--no-block"},
         "restart": {"--no-block"}, "is-active": {"--quiet"}, "is-enabled": {"--quiet"}}  # fmt: skip
"""The verbs the node's scripts use and the options each takes; the rest is refused as unknown here."""
GLOBAL = {"--quiet", "-q", "--no-pager"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(os.environ["FAKE_CALLS"], "a") as calls:
        calls.write(" ".join(["systemctl", *argv]) + "\n")
    words = [arg for arg in argv if not arg.startswith("-")]
    options = [arg for arg in argv if arg.startswith("-")]
    if not words:
        return _fail(1, "systemctl: the fake needs a verb")
    verb, units = words[0], words[1:]
    if verb not in VERBS:
        return _fail(1, f"Unknown command verb {verb}.")
    for option in options:
        if option not in VERBS[verb] | GLOBAL:
            return _fail(1, f"systemctl: unrecognized option '{option}'")
    if verb == "daemon-reload":
        return _fail(1, "Too many arguments.") if units else 0
    if not units:
        return _fail(1, "Too few arguments.")
    root = Path(os.environ["FAKE_ROOT"])
    state_file = root / "run" / "fake-systemd.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {"enabled": [], "active": []}
    for unit in units:
        text = _unit_file(root, unit)
        if text is None:
            if verb == "enable":
                return _fail(1, f"Failed to enable unit: Unit file {unit} does not exist.")
            if verb in ("start", "stop", "restart"):
                return _fail(5, f"Failed to {verb} {unit}: Unit {unit} not found.")
        if verb == "enable" and "[Install]" not in (text or ""):
            return _fail(1, f"The unit files have no installation config (WantedBy=, ...): {unit}")
        code = _apply(verb, unit, state, "--now" in options)
        if code:
            return code
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state))
    return 0


def _unit_file(root: Path, unit: str) -> str | None:
    name = unit if "." in unit else f"{unit}.service"
    path = root / "etc/systemd/system" / name
    return path.read_text() if path.is_file() else None


def _apply(verb: str, unit: str, state: dict[str, list[str]], now: bool) -> int:
    if verb == "enable":
        state["enabled"] = sorted({*state["enabled"], unit})
        verb = "start" if now else verb
    if verb in ("start", "restart"):
        state["active"] = sorted({*state["active"], unit})
    elif verb == "stop":
        state["active"] = [name for name in state["active"] if name != unit]
    elif verb == "is-active":
        print("active" if unit in state["active"] else "inactive")
        return 0 if unit in state["active"] else 3
    elif verb == "is-enabled":
        print("enabled" if unit in state["enabled"] else "disabled")
        return 0 if unit in state["enabled"] else 1
    return 0


def _fail(code: int, message: str) -> int:
    print(message, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
