"""A throwaway PostgreSQL server on 127.0.0.1 for the store tests (initdb + pg_ctl from the machine's PostgreSQL).

TEST_POSTGRES_URL, when set, is used instead. Without PostgreSQL binaries the PostgreSQL tests are skipped.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager


def _bin(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server():
    """Yields a postgresql:// URL, or None when no server can be had here."""
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not (initdb and pg_ctl):
        yield None
        return
    run_as: list[str] = []
    tmp = tempfile.mkdtemp(prefix="optout-pg-")
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use the postgres account
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            yield None
            return
        os.chown(tmp, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(tmp, "data"), _free_port()
    try:
        subprocess.run([*run_as, initdb, "-D", data, "-A", "trust", "-U", "optout", "--no-sync"], check=True,
                       capture_output=True, timeout=120)
        subprocess.run([*run_as, pg_ctl, "-D", data, "-w", "-l", os.path.join(tmp, "log"), "-o",
                        f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError):
        shutil.rmtree(tmp, ignore_errors=True)
        yield None
        return
    try:
        yield f"postgresql://optout@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)
