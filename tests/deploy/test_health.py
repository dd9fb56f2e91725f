"""Issue 16: ``/zdrowie`` (``/health``) says the process answers; ``/gotowosc`` (``/ready``) says
the database answers at the newest migration and the shared cache answers when one is set. JSON,
never cached, with nothing private in it."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tests.app.conftest import make_app
from tests.deploy.conftest import free_port


def test_liveness_answers_in_both_languages(app: Flask) -> None:
    client = app.test_client()
    for url in ("/zdrowie", "/health"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.json == {"status": "ok"}
        assert answer.headers["Cache-Control"] == "no-store"


def test_readiness_of_a_migrated_database(app: Flask) -> None:
    client = app.test_client()
    for url in ("/gotowosc", "/ready"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.json == {"status": "ready", "checks": {"database": "ok"}}
        assert answer.headers["Cache-Control"] == "no-store"


def test_a_database_not_at_the_newest_migration_is_not_ready(empty_app: Flask) -> None:
    client = empty_app.test_client()
    assert client.get("/zdrowie").status_code == 200  # alive all the same
    answer = client.get("/gotowosc")
    assert answer.status_code == 503
    assert answer.json == {"status": "not ready", "checks": {"database": "behind"}}


def test_a_database_that_does_not_answer_is_not_ready(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://palmap:hunter2secret@127.0.0.1:{free_port()}/palmap"
    app = make_app(tmp_path, DATABASE_URL=url)
    answer = app.test_client().get("/ready")
    assert answer.status_code == 503
    assert answer.json == {"status": "not ready", "checks": {"database": "down"}}
    assert b"hunter2" not in answer.get_data() and b"127.0.0.1" not in answer.get_data()


def test_readiness_checks_the_shared_cache(tmp_path: Path, redis_url: str) -> None:
    app = make_app(tmp_path, CACHE_URL=redis_url)
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    answer = app.test_client().get("/gotowosc")
    assert answer.status_code == 200
    assert answer.json["checks"] == {"database": "ok", "cache": "ok"}
    down = make_app(tmp_path, CACHE_URL=f"redis://127.0.0.1:{free_port()}/0")
    answer = down.test_client().get("/gotowosc")
    assert answer.status_code == 503
    assert answer.json == {"status": "not ready", "checks": {"database": "ok", "cache": "down"}}


EXEMPT_CHECK = """
import json, sys
from app import create_app
app = create_app({"TESTING": True, "INSTANCE_PATH": sys.argv[1], "SECRET_KEY": "t",
                  "TILES": "none", "RATELIMIT_DEFAULT": "2 per hour"})
client = app.test_client()
statuses = {url: [client.get(url).status_code for _ in range(4)]
            for url in ("/zdrowie", "/health", "/gotowosc", "/ready", "/logowanie")}
print(json.dumps(statuses))
"""


def test_health_checks_are_exempt_from_the_limits(tmp_path: Path) -> None:
    """With a limit on every route (Flask-Limiter's ``RATELIMIT_DEFAULT``; in a process of its
    own, as the limiter is one per process), the checks still answer every time."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", EXEMPT_CHECK, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    statuses = json.loads(done.stdout.strip().splitlines()[-1])
    assert statuses.pop("/logowanie") == [200, 200, 429, 429]  # the limit holds elsewhere
    assert statuses == {
        "/zdrowie": [200] * 4,
        "/health": [200] * 4,
        "/gotowosc": [503] * 4,  # a database never migrated: not ready, but never limited
        "/ready": [503] * 4,
    }
