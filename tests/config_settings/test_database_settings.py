"""The database settings: PostgreSQL gets a bounded connection pool per process (sizes from the
environment), SQLite none; on PostgreSQL persistent connections stay off (the pool replaces them),
on SQLite each page thread keeps one."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections

from cipnet.core.admission import AdmissionGate
from config.settings.base import admission_from_env, database_from_env

PG_URL = "postgres://cipnet:secret@db.example.org:5432/cipnet"
POOL_VARIABLES = (
    "DATABASE_CONN_MAX_AGE",
    "DATABASE_POOL",
    "DATABASE_POOL_MIN_SIZE",
    "DATABASE_POOL_MAX_SIZE",
    "DATABASE_POOL_TIMEOUT",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*POOL_VARIABLES, "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_postgresql_gets_a_bounded_pool_by_default(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("DATABASE_URL", PG_URL)
    config = database_from_env(tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 3.0}


def test_the_pool_sizes_come_from_the_environment(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("DATABASE_URL", PG_URL)
    env.setenv("DATABASE_POOL_MIN_SIZE", "4")
    env.setenv("DATABASE_POOL_MAX_SIZE", "16")
    env.setenv("DATABASE_POOL_TIMEOUT", "1.5")
    config = database_from_env(tmp_path / "db.sqlite3")
    assert config["OPTIONS"]["pool"] == {"min_size": 4, "max_size": 16, "timeout": 1.5}


def test_the_pool_can_be_turned_off_for_an_external_pooler(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("DATABASE_URL", PG_URL)
    env.setenv("DATABASE_POOL", "0")  # e.g. behind PgBouncer in transaction mode
    config = database_from_env(tmp_path / "db.sqlite3")
    assert "pool" not in config.get("OPTIONS", {})
    assert config["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_POOL_MAX_SIZE", "ten", "DATABASE_POOL_MAX_SIZE must be a whole number"),
        ("DATABASE_POOL_MAX_SIZE", "0", "DATABASE_POOL_MAX_SIZE must be at least 1"),
        ("DATABASE_POOL_MIN_SIZE", "-1", "DATABASE_POOL_MIN_SIZE must be at least 0"),
        ("DATABASE_POOL_MIN_SIZE", "11", "DATABASE_POOL_MIN_SIZE (11) must not exceed DATABASE_POOL_MAX_SIZE (10)"),
        ("DATABASE_POOL_TIMEOUT", "soon", "DATABASE_POOL_TIMEOUT must be a number of seconds"),
        ("DATABASE_POOL_TIMEOUT", "0", "DATABASE_POOL_TIMEOUT must be more than 0"),
    ],
)
def test_a_bad_pool_setting_is_named(
    env: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    env.setenv("DATABASE_URL", PG_URL)
    env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        database_from_env(tmp_path / "db.sqlite3")


def test_sqlite_has_no_pool(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert "pool" not in database_from_env(tmp_path / "db.sqlite3")["OPTIONS"]
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")
    env.setenv("DATABASE_POOL_MAX_SIZE", "5")
    assert "pool" not in database_from_env(tmp_path / "db.sqlite3")["OPTIONS"]


@pytest.mark.django_db
def test_the_pool_serves_queries_on_postgresql(env: pytest.MonkeyPatch) -> None:
    """The production settings' pool on the database the suite runs on (PostgreSQL with DATABASE_URL):
    Django's backend opens it, serves queries through it, and never holds more than max_size.
    (The suite itself runs without the pool: see config/settings/test.py.)"""
    if connection.vendor != "postgresql":
        assert "pool" not in settings.DATABASES["default"].get("OPTIONS", {})
        pytest.skip("the pool is for PostgreSQL only")
    env.setenv("DATABASE_URL", "postgres://unused")  # only to reach the pool's branch
    env.setenv("DATABASE_POOL_MAX_SIZE", "2")
    env.setenv("DATABASE_POOL_MIN_SIZE", "1")
    env.setenv("DATABASE_POOL_TIMEOUT", "0.5")
    pool_options = database_from_env(Path("unused"))["OPTIONS"]["pool"]
    settings_dict = {
        **connection.settings_dict,
        "OPTIONS": {**connection.settings_dict["OPTIONS"], "pool": pool_options},
    }
    wrapper = type(connections["default"])(settings_dict, alias="pool-check")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert wrapper.pool is not None
        assert wrapper.pool.get_stats()["pool_max"] == 2
        wrapper.close()  # given back to the pool, not closed
        assert wrapper.pool.get_stats()["pool_available"] >= 1
    finally:
        wrapper.close_pool()


# --- The admission gate in front of the ASGI application (cipnet.core.admission) ---------------


def test_the_gate_lets_in_as_many_requests_as_the_pool_has_connections(env: pytest.MonkeyPatch) -> None:
    env.delenv("WEB_MAX_REQUESTS_IN_FLIGHT", raising=False)
    env.delenv("WEB_ADMISSION_WAIT", raising=False)
    pool = {"min_size": 2, "max_size": 16, "timeout": 1.5}
    assert admission_from_env({"OPTIONS": {"pool": pool}}) == (16, 1.5)
    assert admission_from_env({"OPTIONS": {}}) == (10, 3.0)  # SQLite, or an external pooler
    env.setenv("WEB_MAX_REQUESTS_IN_FLIGHT", "8")
    env.setenv("WEB_ADMISSION_WAIT", "0.5")
    assert admission_from_env({"OPTIONS": {"pool": pool}}) == (8, 0.5)
    env.setenv("WEB_MAX_REQUESTS_IN_FLIGHT", "many")
    with pytest.raises(ImproperlyConfigured, match="WEB_MAX_REQUESTS_IN_FLIGHT must be a whole number"):
        admission_from_env({"OPTIONS": {}})


def test_the_asgi_application_is_behind_the_gate() -> None:
    from config.asgi import application

    assert isinstance(application, AdmissionGate)
    assert (application.limit, application.wait) == (settings.WEB_MAX_REQUESTS_IN_FLIGHT, settings.WEB_ADMISSION_WAIT)


def test_sqlite_keeps_its_connections_with_health_checks(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for config in (
        database_from_env(tmp_path / "db.sqlite3"),
        (env.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3"), database_from_env(tmp_path / "x"))[1],
    ):
        assert config["CONN_MAX_AGE"] == 300
        assert config["CONN_HEALTH_CHECKS"] is True
    env.setenv("DATABASE_CONN_MAX_AGE", "0")
    assert database_from_env(tmp_path / "db.sqlite3")["CONN_MAX_AGE"] == 0
    env.setenv("DATABASE_CONN_MAX_AGE", "soon")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_CONN_MAX_AGE must be a whole number"):
        database_from_env(tmp_path / "db.sqlite3")


@pytest.mark.django_db
def test_a_request_on_the_stream_path_closes_its_connections_when_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Django's ASGI handler runs each request's sync code in a thread that ends with the request: a
    connection kept there would outlive its thread (cipnet.core.routing)."""
    from django.core.signals import request_finished

    from cipnet.core import routing

    closed: list[bool] = []
    monkeypatch.setattr(routing.connections, "close_all", lambda: closed.append(True))
    request_finished.send(sender=None)  # a page request: CONN_MAX_AGE decides
    assert closed == []
    token = routing.ON_STREAM_PATH.set(True)
    try:
        request_finished.send(sender=None)
    finally:
        routing.ON_STREAM_PATH.reset(token)
    assert closed == [True]
