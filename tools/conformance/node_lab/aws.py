"""The emulated AWS account of the node lab: a moto server in a lab namespace.

    account = EmulatedAccount(namespace, workdir)   # namespace: the lab member the server runs in
    account.start()                                   # moto server on <address>:5000
    account.call(lambda aws: aws.client("s3").list_buckets())   # boto3 from inside that namespace
    account.call(lambda aws: create(aws))             # in it, `with aws.pinned(generator, arn):` creates under an ARN
    account.apply(stack_file)                         # python -m tools.preview --endpoint (the contract)
    account.enforce_iam()                             # from now on every call needs IAM's permission

The server listens on its namespace's lab address only, so the instances reach it over
the lab's bridge and nothing outside the lab can. The lab's own boto3 calls run on one
thread that has entered the server's network namespace (setns affects only the calling
thread), so the host process talks to the server without any address on the host.

IAM: moto checks a signed request's credentials and the caller's IAM policies once
INITIAL_NO_AUTH_ACTION_COUNT requests have been served. The lab applies the stack with
that off, creates itself an administrator (LAB_ADMIN), then turns checking on through
moto's `/moto-api/reset-auth`: from there every call, the nodes' included, is judged.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from cryptography.fernet import Fernet

from tools.emulator.core.registry import Request
from tools.emulator.core.session import AwsSession

from ..netns import PROJECT_DIR, Namespace
from ..waiting import wait_until

T = TypeVar("T")

SERVER_PORT = 5000
START_TIMEOUT_SECONDS = 30
APPLY_TIMEOUT_SECONDS = 600
"""Applying a stack into the server takes about a minute on a busy two-core machine."""
CALL_TIMEOUT_SECONDS = 120
LAB_ADMIN = "node-lab-admin"
STATE_KEY_VARIABLE = "NODE_LAB_STATE_KEY"
"""The key the stack's state is encrypted with (stack_state.py), in that process's environment."""
SETUP_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
"""What moto accepts before IAM checking is on (the emulator uses the same)."""

CLONE_NEWNET = 0x40000000


class AccountFailed(RuntimeError):
    """The server did not start, the stack did not apply, or a call failed; the message says which."""


def _enter_network_namespace(name: str) -> None:
    """Move the calling thread into the named network namespace (only this thread)."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open(f"/run/netns/{name}") as namespace:
        if libc.setns(namespace.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {name}")


class EmulatedAccount:
    """See the module docstring."""

    def __init__(self, namespace: Namespace, workdir: Path, region: str):
        self.namespace = namespace
        self.workdir = workdir
        self.region = region
        self.url = f"http://{namespace.address}:{SERVER_PORT}"
        self.process: subprocess.Popen | None = None
        self.credentials = dict(SETUP_CREDENTIALS)
        self.lifecycle_log = workdir / "lifecycle-actions.jsonl"
        self._state_key = Fernet.generate_key().decode()  # the stack state's (stack_state.py)
        self._thread = ThreadPoolExecutor(1, initializer=_enter_network_namespace, initargs=(namespace.name,))

    def start(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(PROJECT_DIR),
            # AWS's managed policies exist in every account; moto loads them only when asked.
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
        }
        server = "tools.conformance.node_lab.moto_server"
        argv = [sys.executable, "-m", server, "--lifecycle-log", str(self.lifecycle_log)]
        argv += ["-H", str(self.namespace.address), "-p", str(SERVER_PORT)]
        self.process = self.namespace.start(argv, env=env, log=self.workdir / "moto.log")
        if wait_until(self._listening, START_TIMEOUT_SECONDS, pause=0.2) is None:
            raise AccountFailed(f"moto server did not listen on {self.url}; see {self.workdir / 'moto.log'}")

    def _listening(self) -> bool:
        def connect() -> bool:
            try:
                socket.create_connection((str(self.namespace.address), SERVER_PORT), timeout=1).close()
                return True
            except OSError:
                return False

        return self._thread.submit(connect).result(CALL_TIMEOUT_SECONDS)

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(START_TIMEOUT_SECONDS)
        self._thread.shutdown(wait=False, cancel_futures=True)

    # --- calls ------------------------------------------------------------------------------

    def session(self) -> boto3.session.Session:
        return boto3.session.Session(
            aws_access_key_id=self.credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.credentials["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=self.credentials.get("AWS_SESSION_TOKEN"),
            region_name=self.region,
        )

    def call(self, action: Callable[[Any], T], timeout: float = CALL_TIMEOUT_SECONDS) -> T:
        """`action(clients)` on the thread inside the server's namespace; `clients.client("s3")`..."""
        return self._thread.submit(lambda: action(_Clients(self))).result(timeout)

    def apply(self, stack_file: Path) -> dict[str, Any]:
        """Apply a stack file into the server, keeping its state for `apply_change` (stack_state.py:
        what `python -m tools.preview --endpoint` runs, plus the state `pulumi up` keeps)."""
        return self._stack_state(stack_file, [])

    def apply_change(self, stack_file: Path) -> dict[str, Any]:
        """Apply an edited stack file over the last one through the update path; the refreshes it started."""
        return self._stack_state(stack_file, ["--change"])

    def _stack_state(self, stack_file: Path, extra: list[str]) -> dict[str, Any]:
        module = "tools.conformance.node_lab.stack_state"
        argv = [sys.executable, "-m", module, "--config", str(stack_file), "--endpoint", self.url]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(PROJECT_DIR),
            "HOME": str(self.workdir),
            **self.credentials,  # the lab's administrator once IAM is enforced
            STATE_KEY_VARIABLE: self._state_key,
        }
        try:
            done = subprocess.run(
                self.namespace.command([*argv, "--state", str(self.workdir / "stack-state.pickle"), *extra]),
                env=env,
                cwd=PROJECT_DIR,
                capture_output=True,
                text=True,
                timeout=APPLY_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as slow:
            raise AccountFailed(f"applying {stack_file.name} took longer than {APPLY_TIMEOUT_SECONDS} s") from slow
        if done.returncode != 0:
            raise AccountFailed(f"applying {stack_file.name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def completed_lifecycle_actions(self) -> list[dict[str, str]]:
        """Every CompleteLifecycleAction the server accepted: group, hook, instance, result."""
        if not self.lifecycle_log.exists():
            return []
        return [json.loads(line) for line in self.lifecycle_log.read_text().splitlines()]

    def enforce_iam(self) -> None:
        """Create the lab's administrator, switch to its keys, and turn moto's IAM checks on."""

        def create_admin(aws: _Clients) -> dict[str, str]:
            iam = aws.client("iam")
            iam.create_user(UserName=LAB_ADMIN)
            iam.attach_user_policy(UserName=LAB_ADMIN, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
            key = iam.create_access_key(UserName=LAB_ADMIN)["AccessKey"]
            return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}

        self.credentials = self.call(create_admin)
        self._iam_checks(True)

    def _iam_checks(self, on: bool) -> None:
        self.call(lambda _aws: self._post("/moto-api/reset-auth", b"0" if on else b"inf"))

    @contextlib.contextmanager
    def iam_checks_off(self) -> Iterator[None]:
        """For what AWS itself does, not a caller (EC2 assuming an instance's role)."""
        self._iam_checks(False)
        try:
            yield
        finally:
            self._iam_checks(True)

    def _post(self, path: str, body: bytes) -> str:
        # Not form-encoded: Flask would consume a form body and moto would read nothing.
        request = urllib.request.Request(
            self.url + path, data=body, method="POST", headers={"Content-Type": "application/octet-stream"}
        )
        with urllib.request.urlopen(request, timeout=CALL_TIMEOUT_SECONDS) as answer:
            return answer.read().decode()


class _Clients:
    """boto3 clients for the server, made on the namespace's thread (sockets open where made)."""

    def __init__(self, account: EmulatedAccount):
        self._account = account

    def client(self, service: str, credentials: dict[str, str] | None = None) -> Any:
        session = self._account.session() if credentials is None else _session(credentials, self._account.region)
        # botocore gzips a PutMetricData body over 10 KB (the autoscale lab's response times); moto, checking
        # signatures, checks the one it sees after decompressing and answers SignatureDoesNotMatch. AWS
        # takes either: the lab's clients send bodies plain.
        config = Config(retries={"max_attempts": 2, "mode": "standard"}, disable_request_compression=True)
        return session.client(service, endpoint_url=self._account.url, config=config)

    def pinned(self, generator: str, value: str) -> contextlib.AbstractContextManager[None]:
        """Inside the block, moto's id generator `generator` returns `value`: what the stack references
        is created under the id it names (the project server's extension, tools/emulator/server.py)."""
        session = AwsSession(self._account.region, endpoint=self._account.url)
        return session.pinned(Request(type="the node lab's", name=value, inputs={}), generator, value)


def _session(credentials: dict[str, str], region: str) -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials.get("AWS_SESSION_TOKEN"),
        region_name=region,
    )
