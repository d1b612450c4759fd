"""A throwaway PostgreSQL + PostGIS server for the store tests: no mock, a real cluster.

``initdb`` makes a cluster in a temporary directory, ``pg_ctl`` starts it on a
free loopback port (its socket in that directory too), and it is stopped and
removed when the test session ends. PostgreSQL refuses to run as root, so when
the tests run as root (CI does) the cluster belongs to an unprivileged user
(``postgres``, which Debian's package creates) and its commands run through
``runuser``. The binaries come from Debian's ``postgresql`` and
``postgresql-15-postgis-3`` packages, which ``.ci/run`` installs when missing.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
CLUSTER_USER = "postgres"


def binaries() -> Path | None:
    """The directory with initdb and pg_ctl, newest version first (None if missing)."""
    for directory in BIN_DIRS:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def postgis_installed(bin_dir: Path) -> bool:
    """Whether PostGIS's extension files sit next to this PostgreSQL version."""
    version = bin_dir.parent.name
    return any(Path(f"/usr/share/postgresql/{version}/extension").glob("postgis.control"))


def missing_reason() -> str | None:
    """Why a PostGIS server cannot be started here, or None when it can."""
    bin_dir = binaries()
    if bin_dir is None:
        return ("PostgreSQL is not installed (apt-get install postgresql"
                " postgresql-15-postgis-3; .ci/run does it)")
    if not postgis_installed(bin_dir):
        return "PostGIS is not installed (apt-get install postgresql-15-postgis-3; .ci/run does it)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(CLUSTER_USER)
        except KeyError:
            return f"running as root and there is no {CLUSTER_USER!r} user to own a cluster"
    return None


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", CLUSTER_USER, "--", *command]
    return command


@contextmanager
def postgis_cluster(port: int) -> Iterator[str]:
    """Start a cluster on 127.0.0.1:``port``; yield the URL of its ``postgres`` database,
    where the postgis extension and a ``template_postgis`` database exist."""
    bin_dir = binaries()
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="incidents-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(CLUSTER_USER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data = root / "data"
    log = root / "server.log"
    subprocess.run(
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                   "-E", "UTF8", "--locale=C", "--no-sync"]),
        check=True, capture_output=True,
    )
    options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
               " -c synchronous_commit=off -c full_page_writes=off")
    subprocess.run(
        _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
                   "-w", "-t", "60", "start"]),
        check=True, capture_output=True,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE template_postgis")
        with psycopg.connect(url.rsplit("/", 1)[0] + "/template_postgis",
                             autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield url
    finally:
        subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                       "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(server_url: str, name: str) -> str:
    """A new, empty database with PostGIS (from the template); its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template_postgis')
    return server_url.rsplit("/", 1)[0] + f"/{name}"
