"""Shared fixtures. The test home and key file are made by tests/settings.py."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from gongxin.core import clock

# GONGXIN_TEST_NOW (ISO 8601 with zone) pins the product's clock for every test: `make test`
# runs the PostgreSQL pass at 2026-12-31T23:30+08:00, the evening a UTC date.today() is wrong.
PINNED = os.environ.get("GONGXIN_TEST_NOW")


@pytest.fixture(autouse=True)
def _pinned_clock():
    if PINNED:
        with clock.pinned(dt.datetime.fromisoformat(PINNED)):
            yield
    else:
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles count in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _trail_flushable(request):
    """The database refuses to delete audit events unless audit_purge_permit holds a row
    (migration audit.0003). A test on a real transaction ends with its tables emptied (a
    flush): the permit is given for that, and taken back before the next test."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_purge_permit")
    yield
    if transactional:
        with connection.cursor() as cur:
            cur.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")


def pytest_unconfigure(config):
    shutil.rmtree(django_settings.HOME, ignore_errors=True)


@pytest.fixture
def world(tmp_path):
    """One provincial unit's people, an agency and a list (tests.factories.World)."""
    from tests.factories import World

    return World(tmp_path)


@pytest.fixture
def key_file(tmp_path, settings):
    """A key file of this test's own, for tests that rotate or change suites."""
    from gongxin.core.crypto import KeyRing
    from gongxin.platform import keys

    def make(suite: str = "gm") -> Path:
        path = tmp_path / f"keys-{suite}.json"
        KeyRing.create(path, suite)
        settings.KEY_FILE = path
        keys.reload()
        return path

    yield make
    keys.reload()


def pytest_report_header(config):
    engine = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"gongxin database: {engine}; clock: {PINNED or 'the wall clock'}"


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, as a server runs it, minus the signal that closes the
    database connection after each request (Django's test client does the same: otherwise the
    first request would close the connection that holds the test's transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    from gongxin.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
