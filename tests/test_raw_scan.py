"""Personal data stays inside the encrypted fields: read the database file (and its -wal)
and every other file of the home byte by byte, as someone who copied them would, and find
no name and no ID number of anyone checked or listed.

The scenario (tests/sqlite_scenarios.py, `raw_scan`) runs `demo load`, imports a list,
takes a request of 30 synthetic candidates from registration to issued (matches, reviews,
the signed letter stored in the database) and has a candidate table refused for its bad
cells. It runs on SQLite in a process of its own: the test database of pytest-django is in
memory and has no file to read.
"""

import pytest
from django.db import connection

from tests.sqlite_scenarios import run_scenario

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads the SQLite file; the same on either pass"
)


def test_no_name_or_id_number_is_found_in_any_byte_of_the_home(tmp_path):
    seen = run_scenario("raw_scan", tmp_path)
    assert {"data/gongxin.sqlite3", "data/gongxin.sqlite3-wal"} <= set(seen["files"])
    assert seen["ids"] > 100 and seen["names"] > 90  # the demo's people and the test's
    assert seen["letter_files"] >= 6 and seen["letter_files_sealed"]  # DOCX and PDF per letter
    assert seen["found"] == []
    # Nothing but the database, keys, certificates and the secret key is left in the home:
    # demo files, uploads and temporary copies are gone.
    assert {path.split("/")[0] for path in seen["files"]} == {
        "data", "keys", "certs", "secret_key",
    }  # fmt: skip
