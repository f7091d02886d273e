"""PostgreSQL (Debian's `postgresql`) in a lab namespace: the database the example release uses.

    database = Database(namespace, workdir)
    database.start()                         # initdb, then postgres on <address>:5432 (bounded wait)
    url = database.create_app_database("shop", password)   # a role and its database; the DATABASE_URL
    database.sql("SELECT count(*) FROM orders", "shop")     # as the superuser, over the Unix socket
    database.disconnect(address)             # end the sessions of one client, as a failover does
    database.close()                         # the server stopped, its data directory removed

PostgreSQL will not run as root, so the server and psql run as Debian's `postgres` user
(setpriv: no session, no fork, so the lab owns the server's process itself). Its data
directory is therefore not under the lab's workdir, which only root may enter, but in
/tmp, named after the lab's process like the namespaces (netns.NAME_PREFIX), so that a run
that died without cleaning up is recognised and removed by the next (`remove_leftovers`).

Clients authenticate with a password (`md5`): p1_pgsql, the example release's client,
implements SCRAM only through p1_xmpp's scram module and the stringprep NIF, which Debian
installs under directories `mix release` cannot find. Only the app's role may connect over
TCP, and only to its own database; the superuser connects over the Unix socket alone.
Which addresses reach the port at all is the firewall's business: the lab builds it from
the database's security group (lab.py), as a security group guards an RDS instance.

The server is tuned for a lab that never keeps its data: no fsync, small buffers.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from .. import netns
from ..netns import Namespace
from ..waiting import wait_until

DATABASE_PORT = 5432
"""PostgreSQL's own port: the one the database's security group opens and DATABASE_URL names."""

SERVER_USER = "postgres"
"""The system user Debian's package creates; the server refuses to run as root."""

START_TIMEOUT_SECONDS = 30
"""initdb and the first start take two or three seconds on a busy two-core machine."""

STOP_TIMEOUT_SECONDS = 10

LAB_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "16MB",
    "password_encryption": "md5",
    "log_connections": "on",
    "log_disconnections": "on",
}
"""The lab's data dies with the lab: durability costs it time and buys nothing."""

DATA_DIR_MARK = "postgres"
"""Data directories are /tmp/<NAME_PREFIX><pid>-postgres-*."""


class DatabaseFailed(RuntimeError):
    """The server did not start or a statement failed; the message points at the server's log."""


def missing_database_tools() -> list[str]:
    """What this machine lacks to run the lab's database, one line each (empty when it can)."""
    missing = [] if server_bin_dir() else ["postgres: apt-get install postgresql"]
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        missing.append(f"the {SERVER_USER} user: apt-get install postgresql")
    return missing


def server_bin_dir() -> Path | None:
    """The newest installed server's bin directory (/usr/lib/postgresql/<major>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def remove_leftovers() -> list[Path]:
    """Delete the data directories of lab runs whose process is gone; returns them."""
    removed = []
    for directory in Path(tempfile.gettempdir()).glob(f"{netns.NAME_PREFIX}*-{DATA_DIR_MARK}-*"):
        owner = directory.name[len(netns.NAME_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not netns.process_alive(int(owner)):
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


class Database:
    """See the module docstring."""

    def __init__(self, namespace: Namespace, workdir: Path):
        self.namespace = namespace
        self.workdir = workdir
        self.log = workdir / "database.log"
        self.home: Path | None = None
        self.process: subprocess.Popen | None = None
        self._bin = server_bin_dir()

    @property
    def address(self) -> str:
        return str(self.namespace.address)

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def start(self) -> None:
        if self._bin is None:
            raise DatabaseFailed("no PostgreSQL server installed: apt-get install postgresql")
        remove_leftovers()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.home = Path(tempfile.mkdtemp(prefix=f"{netns.NAME_PREFIX}{os.getpid()}-{DATA_DIR_MARK}-"))
        shutil.chown(self.home, SERVER_USER, SERVER_USER)
        self._as_server_user(["initdb", "-D", str(self.data_dir), "-U", SERVER_USER, "--no-instructions"])
        argv = [str(self._bin / "postgres"), "-D", str(self.data_dir)]
        argv += ["-c", f"listen_addresses={self.address}", "-c", f"port={DATABASE_PORT}"]
        argv += ["-c", f"unix_socket_directories={self.home}", "-c", f"hba_file={self._hba_file()}"]
        for key, value in LAB_SETTINGS.items():
            argv += ["-c", f"{key}={value}"]
        self.process = self.namespace.start(self._setpriv(argv), env=_ENV, log=self.log)
        if wait_until(self._answering, START_TIMEOUT_SECONDS, pause=0.2) is None:
            raise DatabaseFailed(f"PostgreSQL did not accept connections in {START_TIMEOUT_SECONDS} s; see {self.log}")

    def _hba_file(self) -> Path:
        """Who may connect how: the superuser over the socket, apps by password (create_app_database)."""
        hba = self.home / "pg_hba.conf"
        hba.write_text("# node lab: the superuser over the Unix socket only\nlocal all postgres peer\n")
        shutil.chown(hba, SERVER_USER, SERVER_USER)
        return hba

    def _answering(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise DatabaseFailed(f"PostgreSQL exited with {self.process.returncode}; see {self.log}")
        done = self.namespace.run(
            self._setpriv([str(self._bin / "pg_isready"), "-q", "-h", str(self.home), "-p", str(DATABASE_PORT)]),
            check=False,
            env=_ENV,
        )
        return done.returncode == 0

    def create_app_database(self, name: str, password: str) -> str:
        """A login role `name` with `password` owning a database `name`; the DATABASE_URL reaching it.

        The password goes to psql on its standard input, never on a command line.
        """
        self.sql(f"CREATE ROLE {_identifier(name)} LOGIN PASSWORD {_literal(password)};")
        self.sql(f"CREATE DATABASE {_identifier(name)} OWNER {_identifier(name)};")
        hba = self.home / "pg_hba.conf"
        with open(hba, "a") as rules:
            rules.write(f"host {name} {name} {netns.LAB_NETWORK} md5\n")
        self.sql("SELECT pg_reload_conf();")
        return f"ecto://{quote(name, safe='')}:{quote(password, safe='')}@{self.address}:{DATABASE_PORT}/{name}"

    def sql(self, statements: str, database: str = "postgres") -> str:
        """Run `statements` as the superuser; psql's unaligned, tuples-only output."""
        argv = [str(self._bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        argv += ["-h", str(self.home), "-p", str(DATABASE_PORT), "-d", database]
        done = self.namespace.run(self._setpriv(argv), stdin=statements, check=False, env=_ENV)
        if done.returncode != 0:
            raise DatabaseFailed(f"psql failed (exit {done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def disconnect(self, client_address: str) -> int:
        """End every session from `client_address` (as a failover or a restart does); how many."""
        sessions = f"FROM pg_stat_activity WHERE client_addr = {_literal(client_address)}"
        ended = self.sql(f"SELECT count(pg_terminate_backend(pid)) {sessions};")
        return int(ended.strip() or 0)

    def close(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL) and remove its data directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_SECONDS)
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)

    def _as_server_user(self, argv: list[str]) -> None:
        done = netns.run(self._setpriv([str(self._bin / argv[0]), *argv[1:]]), check=False, env=_ENV)
        if done.returncode != 0:
            raise DatabaseFailed(f"{argv[0]} failed (exit {done.returncode}): {done.stderr.strip()}")

    @staticmethod
    def _setpriv(argv: list[str]) -> list[str]:
        return ["setpriv", f"--reuid={SERVER_USER}", f"--regid={SERVER_USER}", "--init-groups", "--", *argv]


_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/var/lib/postgresql"}


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
