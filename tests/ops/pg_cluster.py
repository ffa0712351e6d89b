"""A throw-away PostgreSQL cluster on a free loopback port, in a temporary folder.

Run as the postgres user when the tests run as root (initdb refuses root), as .ci/run
does. ``None`` from :func:`binaries` means the server is not installed: callers skip.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path


def binaries() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted((p for p in root.glob("*/bin") if (p / "initdb").exists()),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0) if root.exists() else []
    return versions[-1] if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bin: Path
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/isoc"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = " ".join(shlex.quote(a) for a in args)
        if os.geteuid() == 0:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", command]
        else:
            argv = ["sh", "-c", command]
        return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=check)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self.folder.chmod(0o700)
        self._run(str(self.bin / "initdb"), "-D", str(self.folder), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder), "-o", options, "-l", str(self.folder / "log"),
                  "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder), "-m", mode, "-w", "stop", check=False)

    def psql(self, sql: str, database: str = "isoc") -> str:
        done = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                               "-d", database, "-Atc", sql], capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.strip()


def make() -> Cluster:
    """A started cluster with an empty database ``isoc``; the caller stops it and removes
    ``cluster.folder.parent``. Not under pytest's tmp_path: the postgres user cannot reach it."""
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="isoc-ops-pg-"))
    tmp.chmod(0o755)
    folder = tmp / "pgdata"
    cluster = Cluster(bin=binaries(), folder=folder, port=_free_port())
    cluster.init()
    cluster.start()
    cluster.psql("CREATE DATABASE isoc", database="postgres")
    return cluster
