"""A Redis server for the tests of several servers (``redis_url``), started like the PostGIS of
``make test``: on ``PALMAP_TEST_REDIS_PORT`` when it is set, else on a free port, in a temporary
folder, without persistence, and stopped when the tests end.

redis-server is one of ``make test``'s system packages (``TEST_PACKAGES`` in the Makefile): when
it is missing the test fails with what to install; it is never skipped."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

MISSING = (
    "redis-server is not installed: `make test` installs it (TEST_PACKAGES in the Makefile), "
    "or run `apt-get install redis-server`"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a throwaway Redis server (database 0)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(MISSING)
    import redis

    port = int(os.environ.get("PALMAP_TEST_REDIS_PORT") or free_port())
    folder: Path = tmp_path_factory.mktemp("redis")
    log = folder / "redis.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "redis-server did not answer in 20 s"
                time.sleep(0.1)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The Redis server, emptied for this test."""
    import redis

    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    return redis_server


# The demo app of tests/app (a migrated SpatiaLite database with the demo data), and one whose
# database does not exist yet.
from tests.app.conftest import app, empty_app  # noqa: E402, F401
