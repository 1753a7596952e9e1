"""No single user stops the service: while a big list import or a sign-off is held open
mid-way, another person signs in and registers a request without waiting for it.

Each scenario runs in a process of its own on a real SQLite file database in WAL mode (see
tests/sqlite_scenarios.py): the SQLite test database of pytest-django lives in memory, where
the write lock does not behave as on a server. Before imports were staged, the sign-in below
failed with "database is locked" after the busy timeout.
"""

import pytest
from django.db import connection

from tests.sqlite_scenarios import run_scenario

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write lock; the PostgreSQL pass has row locks"
)


def test_while_a_big_import_is_held_mid_way_another_person_signs_in_and_registers(tmp_path):
    seen = run_scenario("import", tmp_path)
    assert seen["while_held"] == {
        "sign_in": 302, "sign_in_to": "/", "register": 302, "registered": True,
    }  # fmt: skip
    assert seen["import_still_held"]
    # The staged rows are not screened until the import is switched on, all at once.
    assert seen["staged"] == ["done", "staging"] and 0 < seen["staged_rows"] < 12_000
    assert seen["match_while_held"] == ["none"]
    assert seen["import_error"] is None
    assert seen["match_after"] == ["exact"]


def test_while_a_sign_off_is_held_mid_way_another_person_signs_in_and_registers(tmp_path):
    seen = run_scenario("sign_off", tmp_path)
    assert seen["while_held"] == {
        "sign_in": 302, "sign_in_to": "/", "register": 302, "registered": True,
    }  # fmt: skip
    assert seen["sign_off_still_held"]
    assert (seen["sign_off_error"], seen["signed"]) == (None, "signed")
