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


class PostgresInstance:
    """A throwaway server that a test may pause (SIGSTOP: a silent link), resume, kill and start again."""

    def __init__(self, run_as: list[str], pg_ctl: str, data: str, tmp: str, port: int):
        self.run_as, self.pg_ctl, self.data, self.tmp, self.port = run_as, pg_ctl, data, tmp, port
        self.url = f"postgresql://optout@127.0.0.1:{port}/postgres"

    def pids(self) -> list[int]:
        """The postmaster and all its children (the backends serving our connections)."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                main = int(f.readline())
        except (OSError, ValueError):
            return []
        kids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == main:
                            kids.append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
        return [main, *kids]

    def signal(self, sig) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def pause(self) -> None:
        import signal

        self.signal(signal.SIGSTOP)

    def resume(self) -> None:
        import signal

        self.signal(signal.SIGCONT)

    def kill(self) -> None:
        import signal

        self.resume()
        self.signal(signal.SIGKILL)
        import time

        time.sleep(0.3)
        # the dead postmaster may linger as a zombie (a container's init need not reap it): its lock file would
        # make the next start refuse, so remove it as a crashed server's supervisor would
        for lock in (os.path.join(self.data, "postmaster.pid"), os.path.join(self.tmp, f".s.PGSQL.{self.port}.lock"),
                     os.path.join(self.tmp, f".s.PGSQL.{self.port}")):
            try:
                os.unlink(lock)
            except FileNotFoundError:
                pass

    def start(self) -> None:
        out = subprocess.run([*self.run_as, self.pg_ctl, "-D", self.data, "-w", "-l", os.path.join(self.tmp, "log"),
                              "-o", f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off",
                              "start"], capture_output=True, timeout=120, text=True)
        if out.returncode:
            with open(os.path.join(self.tmp, "log")) as f:
                raise RuntimeError(f"pg_ctl start failed: {out.stderr.strip()} {f.read()[-1500:]}")


@contextmanager
def postgres_instance():
    """Yields a PostgresInstance of our own (never TEST_POSTGRES_URL: it gets paused and killed), or None."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not (initdb and pg_ctl):
        yield None
        return
    run_as: list[str] = []
    tmp = tempfile.mkdtemp(prefix="optout-pg-")
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            yield None
            return
        os.chown(tmp, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(tmp, "data")
    pg = PostgresInstance(run_as, pg_ctl, data, tmp, _free_port())
    try:
        subprocess.run([*run_as, initdb, "-D", data, "-A", "trust", "-U", "optout", "--no-sync"], check=True,
                       capture_output=True, timeout=120)
        pg.start()
    except (subprocess.SubprocessError, OSError, RuntimeError):
        shutil.rmtree(tmp, ignore_errors=True)
        yield None
        return
    try:
        yield pg
    finally:
        pg.resume()
        subprocess.run([*run_as, pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)
