"""User data as an instance reads it: EC2 hands over bytes, cloud-init makes pieces of them.

- EC2: a launch template's `userData` is base64 (the API's form); an instance's `userData` is
  the text itself and its `userDataBase64` base64.
- cloud-init (https://cloudinit.readthedocs.io/en/latest/explanation/format.html) decompresses
  gzip first; splits a MIME multi-part message (`MIME-Version:` in its first 4 KiB) into its
  parts, undoing each part's transfer encoding; reads a `#cloud-config-archive` as a YAML list
  of parts; otherwise the first line says what the data is: `#cloud-config` (YAML), `#!` (a
  script), `#cloud-boothook`, `#include`, or `## template: jinja` over one of these.
- In cloud-config, `write_files` content is encoded as its `encoding` says: b64/base64,
  gz/gzip, gz+b64/gz+base64/gzip+b64/gzip+base64
  (https://cloudinit.readthedocs.io/en/latest/reference/modules.html#write-files); `runcmd`
  and `bootcmd` entries are a shell line or a command's arguments, which cloud-init joins.

`pieces(raw)` gives every text cloud-init would act on, each with where it is, so a rule can
read them all and point at one without repeating it.
"""

from __future__ import annotations

import base64
import binascii
import email
import gzip
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

GZIP_MAGIC = b"\x1f\x8b"
MIME_SNIFF_BYTES = 4096
"""cloud-init looks for `MIME-Version:` this far into the data."""
MAX_DEPTH = 5
"""Parts inside parts (MIME in an archive in MIME...): deeper than this is read as text."""

CLOUD_CONFIG, ARCHIVE, JINJA = "#cloud-config", "#cloud-config-archive", "## template: jinja"
PART_TYPES = {
    "text/cloud-config": CLOUD_CONFIG,
    "text/cloud-config-archive": ARCHIVE,
    "text/jinja2": JINJA,
}
"""MIME content types whose part is not read from its first line alone."""
ENCODINGS = {
    "b64": ("base64",),
    "base64": ("base64",),
    "gz": ("gzip",),
    "gzip": ("gzip",),
    "gz+b64": ("base64", "gzip"),
    "gz+base64": ("base64", "gzip"),
    "gzip+b64": ("base64", "gzip"),
    "gzip+base64": ("base64", "gzip"),
}
"""write_files `encoding` -> the decodings cloud-init applies, in order; anything else is text."""
COMMAND_LISTS = ("runcmd", "bootcmd")


@dataclass(frozen=True)
class Piece:
    """One text cloud-init acts on."""

    where: str
    """e.g. "user data", "user data part 2 (text/x-shellscript)", "user data runcmd[0]"."""
    text: str
    path: str | None = None
    """The file it becomes, for write_files content."""


def decoded(value: str, base64_encoded: bool) -> bytes:
    """The bytes EC2 hands the instance; text that is not valid base64 is read as it stands."""
    if base64_encoded:
        try:
            return base64.b64decode("".join(value.split()), validate=True)  # line breaks are no base64
        except (binascii.Error, ValueError):
            pass
    return value.encode()


def pieces(raw: bytes, where: str = "user data", content_type: str | None = None, depth: int = 0) -> Iterator[Piece]:
    """Every text in `raw`, as cloud-init reads it."""
    raw = _gunzipped(raw)
    text = raw.decode("utf-8", errors="replace")
    if depth >= MAX_DEPTH:
        yield Piece(where, text)
    elif content_type is None and "mime-version:" in text[:MIME_SNIFF_BYTES].lower():
        yield from _mime_parts(raw, where, depth)
    else:
        yield from _typed(text, where, PART_TYPES.get(content_type or ""), depth)


def _gunzipped(raw: bytes) -> bytes:
    if raw.startswith(GZIP_MAGIC):
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            return raw
    return raw


def _mime_parts(raw: bytes, where: str, depth: int) -> Iterator[Piece]:
    message = email.message_from_bytes(raw)
    leaves = [part for part in message.walk() if not part.is_multipart()]
    for number, part in enumerate(leaves, start=1):
        content_type = part.get_content_type()
        payload = part.get_payload(decode=True) or b""
        yield from pieces(payload, f"{where} part {number} ({content_type})", content_type, depth + 1)


def _typed(text: str, where: str, kind: str | None, depth: int) -> Iterator[Piece]:
    first = text.lstrip().split("\n", 1)[0].strip()
    if kind == JINJA or first.startswith(JINJA):
        # the template's own header line goes; what it renders is read by its first line
        body = text.split("\n", 1)[1] if first.startswith(JINJA) and "\n" in text else text
        yield from _typed(body, where, None, depth + 1)
    elif kind == ARCHIVE or first.startswith(ARCHIVE):
        yield from _archive(text, where, depth)
    elif kind == CLOUD_CONFIG or first.startswith(CLOUD_CONFIG):
        yield from _cloud_config(text, where)
    else:
        yield Piece(where, text)  # a script, boothook, include list: text that runs or is fetched as it is


def _archive(text: str, where: str, depth: int) -> Iterator[Piece]:
    entries = _yaml(text)
    if not isinstance(entries, list):
        yield Piece(where, text)
        return
    for index, entry in enumerate(entries):
        content = entry.get("content", "") if isinstance(entry, Mapping) else entry
        content_type = entry.get("type") if isinstance(entry, Mapping) else None
        data = content if isinstance(content, bytes) else str(content).encode()
        yield from pieces(data, f"{where} [{index}]", content_type, depth + 1)


def _cloud_config(text: str, where: str) -> Iterator[Piece]:
    config = _yaml(text)
    if not isinstance(config, Mapping):
        yield Piece(where, text)  # cloud-init refuses it, but anyone can still read it
        return
    for key, value in config.items():
        if key == "write_files" and isinstance(value, list):
            for index, entry in enumerate(value):
                yield from _written_file(entry, f"{where} write_files[{index}]")
        else:
            yield from _values(value, f"{where} {key}", str(key), key in COMMAND_LISTS)


def _written_file(entry: Any, where: str) -> Iterator[Piece]:
    if not isinstance(entry, Mapping):
        yield from _values(entry, where, None, False)
        return
    path = str(entry.get("path") or "")
    content = entry.get("content")
    data = content if isinstance(content, bytes) else str(content if content is not None else "").encode()
    encoding = str(entry.get("encoding") or "").strip().lower()
    for step in ENCODINGS.get(encoding, ()):
        data = _decode_step(data, step)
    yield Piece(f"{where} ({path or 'no path'}) content", data.decode("utf-8", errors="replace"), path)
    for key, value in entry.items():
        if key != "content":
            yield from _values(value, f"{where}.{key}", str(key), False)


def _decode_step(data: bytes, step: str) -> bytes:
    try:
        return base64.b64decode(data) if step == "base64" else gzip.decompress(data)
    except (binascii.Error, ValueError, OSError, EOFError, zlib.error):
        return data  # cloud-init fails on it; read what is there


def _values(value: Any, where: str, key: str | None, commands: bool) -> Iterator[Piece]:
    """Every scalar under `value`: `key: value` for a mapping's scalar, a command's arguments joined."""
    if isinstance(value, Mapping):
        for child_key, child in value.items():
            yield from _values(child, f"{where}.{child_key}", str(child_key), False)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if commands and isinstance(item, list):
                yield Piece(f"{where}[{index}]", " ".join(str(arg) for arg in item))
            else:
                yield from _values(item, f"{where}[{index}]", None, False)
    elif value is not None:
        text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
        yield Piece(where, f"{key}: {text}" if key is not None else text)


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (its wheels are): the same documents, read
several times faster; the pure-Python one otherwise."""


def _yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return None
