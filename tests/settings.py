"""Settings for the test run: a throwaway GONGXIN_HOME with its own key file.

Made here, not in conftest, because pytest-django imports the settings before any conftest.
DATABASE_URL still chooses the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ["GONGXIN_HOME"] = tempfile.mkdtemp(prefix="gongxin-test-home-")
os.environ.pop("GONGXIN_KEY_FILE", None)

from gongxin.core.crypto import KeyRing
from gongxin.settings import *  # noqa: F403

DATA_DIR.mkdir(mode=0o700)  # noqa: F405 - for the benchmarks' SQLite file database
KEY_FILE.parent.mkdir(mode=0o700)  # noqa: F405 - the default, $GONGXIN_HOME/keys/
KeyRing.create(KEY_FILE, "gm")  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
# Background tasks run at once, in the request that enqueues them; tests/test_tasks.py also
# runs the real database worker in a subprocess.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# No collected static files in tests: WhiteNoise serves the apps' own, the names unhashed.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True
# Each test starts with an empty cache (conftest), without needing the database for it.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
