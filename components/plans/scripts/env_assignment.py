#!/usr/bin/python3 -I
"""A secret as one line of a systemd EnvironmentFile: the aws CLI's JSON string on stdin, NAME="value" on stdout.

    aws ... --output json | env-assignment NAME REFERENCE [JSON_KEY]

The value is never on a command line or in a log; an error names NAME and REFERENCE only.
JSON_KEY: the secret is a JSON object and NAME gets that key's value (ECS valueFrom's json-key).
"""

from __future__ import annotations  # the node's python3 may be 3.9 (Amazon Linux 2023)

import json
import sys


def assignment(name: str, value: str) -> str:
    """NAME="value" as systemd.exec(5) EnvironmentFile= (and sh) read back `value` exactly: in double
    quotes a backslash keeps \\ " ` $, a newline stays a newline."""
    for character in '\\"`$':  # the backslash first
        value = value.replace(character, "\\" + character)
    return f'{name}="{value}"\n'


def unpassable(value: str) -> bool:
    """NUL, unicode noncharacters, lone surrogates: systemd drops a variable holding one."""
    points = map(ord, value)
    return any(p == 0 or 0xFDD0 <= p <= 0xFDEF or p & 0xFFFE == 0xFFFE or 0xD800 <= p <= 0xDFFF for p in points)


def secret_value(response: bytes, json_key: str | None) -> str:
    """The value in the aws CLI's JSON, or its `json_key`'s; ValueError(why, never the value)."""
    try:
        value = json.loads(response.decode("utf-8"))
    except ValueError:
        raise ValueError("did not come back as the aws CLI's JSON") from None
    if not isinstance(value, str):
        raise ValueError("holds no text (a binary secret cannot be an environment variable)")
    if json_key is None:
        return value
    try:
        document = json.loads(value)
    except ValueError:
        document = None
    if not isinstance(document, dict) or json_key not in document:
        raise ValueError(f"has no JSON key {json_key!r}")
    found = document[json_key]
    return found if isinstance(found, str) else json.dumps(found)


def main(name: str, reference: str, json_key: str | None = None) -> int:
    try:
        value = secret_value(sys.stdin.buffer.read(), json_key)
        if unpassable(value):
            raise ValueError("holds NUL or a unicode noncharacter, which systemd cannot pass on")
    except ValueError as problem:
        print(f"{name}: {reference} {problem}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(assignment(name, value).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
