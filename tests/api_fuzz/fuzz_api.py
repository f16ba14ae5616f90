"""Schemathesis over the whole API: every operation of docs/openapi.yaml, anonymous and with a token of
each role, in process through Django's WSGI application (no server), on the database the settings name
(SQLite, or PostgreSQL with DATABASE_URL). The one check is `not_a_server_error`: any 5xx fails.

Not part of `make test` (the file name does not match `test_*.py`); run it with `make fuzz`, which
`.ci/run` does on both databases. FUZZ_EXAMPLES bounds the examples per operation and role.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from pytest_django import DjangoDbBlocker
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from cipnet.testing import build_world

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
ROLES = ["anonymous", "resident", "consultant_a", "manager_a", "coordinator_a", "admin", "official"]

schema = schemathesis.openapi.from_path(SCHEMA_FILE)


@schemathesis.serializer("message/rfc822")
def _raw_message(ctx: Any, value: Any) -> bytes:
    """The inbound-mail webhook takes a raw e-mail: whatever was generated, sent as bytes."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def tokens(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[dict[str, str]]:
    """One committed world (two centres, a user per role) and a token per role, for the whole run."""
    with django_db_blocker.unblock():
        world = build_world()
        keys = {role: Token.objects.create(user=user).key for role, user in world.users.items() if user is not None}
    yield keys


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    """Django's WSGI application, kept from closing the test's connection at the end of each request
    (as Django's own test client does): the run's writes stay in the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def headers(request: pytest.FixtureRequest, tokens: dict[str, str]) -> dict[str, str]:
    role = request.param
    return {"Authorization": f"Token {tokens[role]}"} if role in tokens else {}


@pytest.fixture(autouse=True)
def _db_per_operation(db: None) -> None:
    """What an operation writes is rolled back after it; the world stays."""


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run, so a failure in CI is reproducible here
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: schemathesis.Case, app: Any, headers: dict[str, str]) -> None:
    case.call_and_validate(app=app, headers=headers, checks=[not_a_server_error])
