"""pulumi-random: values the real provider generates locally, with no cloud behind them.

Covers: random RandomPassword (the release cookie) and RandomId. `result` is secret, as
the real provider marks it. Values come from `secrets`, so no two runs share a cookie.
Every input of both forces a replacement (a new value); deleting one deletes nothing anywhere.
"""

from __future__ import annotations

import secrets
import string

from ..core.registry import Created, Existing, Request, deletes, no_update, resource
from ..core.session import AwsSession

SPECIAL_DEFAULT = "!@#$%&*()-_=+[]{}<>:?"


@resource("random:index/randomPassword:RandomPassword")
def random_password(aws: AwsSession, req: Request) -> Created:
    length = int(req.get("length"))
    alphabet = ""
    if req.get("upper", True):
        alphabet += string.ascii_uppercase
    if req.get("lower", True):
        alphabet += string.ascii_lowercase
    if req.get("numeric", True):
        alphabet += string.digits
    if req.get("special", True):
        alphabet += req.get("overrideSpecial", SPECIAL_DEFAULT)
    result = "".join(secrets.choice(alphabet) for _ in range(length))
    state = {**req.inputs, "result": result, "bcryptHash": "$2a$10$" + secrets.token_hex(26)}
    return Created("none", state, secret_outputs=("result", "bcryptHash"))


@resource("random:index/randomId:RandomId")
def random_id(aws: AwsSession, req: Request) -> Created:
    raw = secrets.token_bytes(int(req.get("byteLength")))
    state = {**req.inputs, "hex": raw.hex(), "dec": str(int.from_bytes(raw, "big")), "b64Url": raw.hex()}
    return Created(raw.hex(), state)


# --- changes to an applied stack ------------------------------------------------------------

no_update("random:index/randomPassword:RandomPassword", "every input makes a new password")
no_update("random:index/randomId:RandomId", "every input makes a new id")


@deletes("random:index/randomPassword:RandomPassword")
def delete_random_password(aws: AwsSession, old: Existing) -> None:
    """A generated value lives in the stack's state alone."""


@deletes("random:index/randomId:RandomId")
def delete_random_id(aws: AwsSession, old: Existing) -> None:
    """A generated value lives in the stack's state alone."""
