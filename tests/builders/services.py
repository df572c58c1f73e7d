"""Real services for the deployment tests: PostgreSQL, a local S3-compatible server.

Each is taken from the environment when CI (``.ci/run``) started one, else started here for
the test and stopped after it, bound to 127.0.0.1:

- PostgreSQL: ``DAGSTER_PG_HOST``/``_PORT``/``_USER``/``_PASSWORD`` of a server whose user may
  create databases (every test gets a fresh one), else a throwaway cluster made with the
  server binaries of Debian's ``postgresql`` package (``initdb`` runs as ``postgres`` under root).
- S3: ``REGIONAL_ECON_TEST_S3_ENDPOINT``, else moto's server (a dev dependency) in a thread, on a port the OS picks.

Without PostgreSQL binaries the test is skipped, unless ``REGIONAL_ECON_REQUIRE_SERVICES=1``
(set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REQUIRE_ENV = "REGIONAL_ECON_REQUIRE_SERVICES"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def require(what: str) -> None:
    """A service the test needs is missing: skip, or fail under ``.ci/run``."""
    _missing(what)


def _missing(what: str) -> None:
    message = f"{what}; `.ci/run` installs and starts it"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(message)
    pytest.skip(message)


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)), None)
    return Path(found).parent if found else None


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres() -> Iterator[dict[str, str]]:
    """The ``DAGSTER_PG_*`` variables of a fresh, empty database."""
    import psycopg2

    if os.environ.get("DAGSTER_PG_HOST"):
        server = {k: os.environ[k] for k in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD")}
        with _cluster_database(server, psycopg2) as env:
            yield env
        return
    bin_dir = _pg_bin()
    if bin_dir is None:
        _missing("no PostgreSQL server binaries (Debian: apt install postgresql) and no DAGSTER_PG_HOST")
    # Not under pytest's tmp_path: its parents are private to this user, and the server runs as postgres.
    data = Path(tempfile.mkdtemp(prefix="regional-econ-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster", "-A", "trust", "-E", "UTF8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-h 127.0.0.1 -p {port} -k {data} -c fsync=off"
    subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(data / "server.log"), "-w", "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        server = {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port), "DAGSTER_PG_USER": "dagster",
                  "DAGSTER_PG_PASSWORD": "unused-with-trust"}  # fmt: skip
        with _cluster_database(server, psycopg2) as env:
            yield env
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def _cluster_database(server: dict[str, str], psycopg2) -> Iterator[dict[str, str]]:
    name = f"regional_econ_test_{uuid.uuid4().hex[:12]}"
    connect = dict(host=server["DAGSTER_PG_HOST"], port=int(server["DAGSTER_PG_PORT"]), user=server["DAGSTER_PG_USER"],
                   password=server["DAGSTER_PG_PASSWORD"], dbname="postgres")  # fmt: skip
    admin = psycopg2.connect(**connect)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server | {"DAGSTER_PG_DB": name}
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def s3_server() -> Iterator[dict[str, str]]:
    """The endpoint and credentials of an S3-compatible server with a bucket ``regional-econ``."""
    import boto3

    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    endpoint = os.environ.get("REGIONAL_ECON_TEST_S3_ENDPOINT")
    server = None
    if not endpoint:
        from moto.server import ThreadedMotoServer

        # Port 0: the OS picks a free port at bind time. A port chosen first and bound later by a
        # child process could be taken meanwhile by another worker's server, which then answered.
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        endpoint = f"http://127.0.0.1:{server._server.server_port}"
    bucket = f"regional-econ-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=endpoint, **_boto(credentials))
    client.create_bucket(Bucket=bucket)
    try:
        yield credentials | {"AWS_ENDPOINT_URL": endpoint, "REGIONAL_ECON_TEST_BUCKET": bucket}
    finally:
        if server is not None:
            server.stop()


def _boto(credentials: dict[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": credentials["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": credentials["AWS_SECRET_ACCESS_KEY"],
        "region_name": credentials["AWS_DEFAULT_REGION"],
    }
