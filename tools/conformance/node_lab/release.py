"""The example release (examples/shop) built with Debian's elixir into the tarball a node fetches.

    tarball = build_release(cache_dir)   # <cache>/shop-<digest>.tar.gz, rebuilt when the source changes

The tarball's top level is the release root (bin/, lib/, releases/, erts-*/), as
docs/elixir-application.md asks of `release.artifact`. Building copies the source into the
cache first, so the repository is never written; MIX_HOME and HOME point into the cache
too, since a CI machine's home may not be writable. No Hex: the application has no
dependencies, which is why it serves HTTP with OTP's inets and talks to PostgreSQL through
Debian's erlang-p1-pgsql, which `mix release` copies into the release from the OTP lib dir.

    problems = run_app_tests(work_dir)   # the application's own ExUnit tests (mix test)
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from ..netns import PROJECT_DIR

APP_SOURCE = PROJECT_DIR / "examples" / "shop"
RELEASE_NAME = "shop"
BUILD_TIMEOUT_SECONDS = 300
"""A cold `mix release` takes about 30 s on one core; this only stops a hung build."""

REQUIRED_COMMANDS = {"elixir": "elixir", "mix": "elixir", "erl": "erlang-base"}
"""Each command the build runs and the Debian package that provides it."""

INETS_HEADER = "inets/include/httpd.hrl"
"""The application reads inets httpd's request record from it at compile time."""

OTP_APPLICATIONS = {"p1_pgsql": "erlang-p1-pgsql", "runtime_tools": "erlang-base"}
"""OTP applications the release includes from this machine's OTP lib dir, and their packages."""

SOURCE_PARTS = ("mix.exs", ".formatter.exs", "config", "lib", "rel")
"""What of examples/shop goes into the build (not _build or deps from a local build)."""

TEST_PARTS = (*SOURCE_PARTS, "test")
"""What `mix test` needs besides: the application's ExUnit tests."""


class ReleaseBuildFailed(RuntimeError):
    """The release could not be built; the message says what is missing or shows mix's output."""


def missing_build_tools() -> list[str]:
    """What this machine lacks to build the release, one line each (empty when it can)."""
    missing = [
        f"{command}: apt-get install {package}"
        for command, package in REQUIRED_COMMANDS.items()
        if shutil.which(command) is None
    ]
    if shutil.which("erl") and not _has_inets_header():
        missing.append(f"{INETS_HEADER}: apt-get install erlang-inets")
    if shutil.which("erl"):
        missing += [f"OTP application {app}: apt-get install {package}" for app, package in _missing_otp_apps()]
    return missing


def _has_inets_header() -> bool:
    check = (
        "halt(case code:lib_dir(inets) of {error, _} -> 1; Dir -> "
        'case filelib:is_file(filename:join(Dir, "include/httpd.hrl")) of true -> 0; false -> 1 end end).'
    )
    done = subprocess.run(["erl", "-noinput", "-eval", check], capture_output=True, timeout=30, check=False)
    return done.returncode == 0


def _missing_otp_apps() -> list[tuple[str, str]]:
    check = '[io:format("~s~n", [A]) || A <- [' + ", ".join(OTP_APPLICATIONS) + "], is_tuple(code:lib_dir(A))], halt()."
    done = subprocess.run(["erl", "-noinput", "-eval", check], capture_output=True, text=True, timeout=30, check=False)
    return [(app, OTP_APPLICATIONS[app]) for app in done.stdout.split()]


def build_release(cache_dir: Path, version: str | None = None) -> Path:
    """The release tarball for the current source, built into `cache_dir` unless already there;
    as release version `version` (what `/node` reports) instead of mix.exs's when given."""
    missing = missing_build_tools()
    if missing:
        raise ReleaseBuildFailed("cannot build examples/shop; missing:\n" + "\n".join(f"  - {m}" for m in missing))
    digest = source_digest() + (f"-{version}" if version else "")
    tarball = cache_dir / f"{RELEASE_NAME}-{digest}.tar.gz"
    if tarball.exists():
        return tarball
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / f"build-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the node lab's shards build side by side: one builds, the others wait
        return tarball if tarball.exists() else _build(cache_dir, digest, tarball, version)


def _build(cache_dir: Path, digest: str, tarball: Path, version: str | None) -> Path:
    work = cache_dir / f"build-{digest}"
    shutil.rmtree(work, ignore_errors=True)
    _copy_source(work / "src")
    built = _mix_release(work, version)
    partial = tarball.with_suffix(".partial")
    shutil.copyfile(built, partial)
    partial.rename(tarball)  # whole or absent: a build cut short leaves no tarball behind
    shutil.rmtree(work, ignore_errors=True)
    return tarball


def source_digest() -> str:
    """A digest of the application's source and the Elixir that builds it: the cache key."""
    sha = hashlib.sha256(_elixir_version().encode())
    for path in sorted(_source_files()):
        sha.update(str(path.relative_to(APP_SOURCE)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


def run_app_tests(work: Path) -> subprocess.CompletedProcess[str]:
    """`mix test --no-start` on a copy of examples/shop in `work`: the application's own tests."""
    shutil.rmtree(work, ignore_errors=True)
    _copy_source(work / "src", TEST_PARTS)
    return _mix(work, ["test", "--no-start"], "test")


def _source_files(parts: tuple[str, ...] = SOURCE_PARTS) -> list[Path]:
    files = []
    for part in parts:
        path = APP_SOURCE / part
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return files


def _elixir_version() -> str:
    done = subprocess.run(["elixir", "--version"], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.strip()


def _copy_source(target: Path, parts: tuple[str, ...] = SOURCE_PARTS) -> None:
    for path in _source_files(parts):
        destination = target / path.relative_to(APP_SOURCE)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def _mix_release(work: Path, version: str | None = None) -> Path:
    done = _mix(work, ["release", "--overwrite"], "prod", {"SHOP_VERSION": version} if version else {})
    tarballs = list((work / "src" / "_build" / "prod").glob(f"{RELEASE_NAME}-*.tar.gz"))
    if done.returncode != 0 or len(tarballs) != 1:
        raise ReleaseBuildFailed(f"mix release failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return tarballs[0]


def _mix(
    work: Path, argv: list[str], mix_env: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`mix <argv>` in `work`/src, with HOME and MIX_HOME inside `work`; bounded."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "MIX_HOME": str(work / "mix"),
        "MIX_ENV": mix_env,
        "LANG": "C.UTF-8",
        **(extra or {}),
    }
    try:
        return subprocess.run(
            ["mix", *argv],
            cwd=work / "src",
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as slow:
        raise ReleaseBuildFailed(f"mix {' '.join(argv)} did not finish within {BUILD_TIMEOUT_SECONDS} s") from slow
