"""`gongxin serve` for real: gunicorn subprocesses, and two of them on one PostgreSQL database
behaving as one system (issue 11; docs/decisions/0016-production-server-and-nodes.md).

The two nodes are real `gongxin serve` processes on free ports, each with a home of its own and
one shared directory (key file, certificates, uploads, secret key), both on the database this
test run made. Requests are real HTTP from threads. The server's own behaviour (static files,
the access log, a graceful stop) needs no database and runs on the SQLite pass too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest
import requests
from django.db import connection

from gongxin.core.crypto import KeyRing
from gongxin.core.idnumber import check_char
from tests.factories import PASSWORD, ZHANG, World, code_for, make_staff, workstation_for

ROOT = Path(__file__).resolve().parents[1]
ON_PG = connection.vendor == "postgresql"
NEEDS_PG = pytest.mark.skipif(
    not ON_PG,
    reason="several nodes share one PostgreSQL database; the SQLite test database is in "
    "memory, where no other process can reach it",
)
LIVE = pytest.mark.django_db(transaction=True)  # the nodes see what this process commits
TODAY = dt.date(2026, 3, 2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One `gongxin serve` process (gunicorn's master, its workers, maybe a task worker), in a
    session of its own so that the whole node can be killed at once."""

    def __init__(self, name: str, env: dict, *args: str):
        self.name, self.env, self.args = name, env, args
        self.port = free_port()
        self.log_path = Path(env["GONGXIN_HOME"]) / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Node:
        Path(self.env["GONGXIN_HOME"]).mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gongxin.cli", "serve", *self.args,
                 f"127.0.0.1:{self.port}"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 120) -> Node:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} stopped:\n{self.log()}")
            try:
                requests.get(self.url("/login/"), timeout=5)
                return self
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError(f"{self.name} did not answer in {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to every process of the node at once (the master, its workers, its child)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> int:
        """SIGTERM to the master, as systemd does; what it exits with."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        finally:
            self.kill()  # anything left behind


def node_env(home: Path, shared: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GONGXIN_", "DJANGO_", "DATABASE_URL"))}  # fmt: skip
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "gongxin.settings",
        "GONGXIN_HOME": str(home), "GONGXIN_SHARED_DIR": str(shared),
        "GONGXIN_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GONGXIN_WORKERS": "1", "GONGXIN_THREADS": "4",
    })  # fmt: skip
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The static files collected once (hashing and compressing take seconds), for every node
    of this module: the node finds them current and serves them as they are."""
    home = tmp_path_factory.mktemp("static-home")
    env = node_env(home, home, None)
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from gongxin.platform.server import collect_static; collect_static()"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    return home / "static"


def with_static(home: Path, static_root: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / "static").symlink_to(static_root, target_is_directory=True)
    return home


# --- The server itself (any database) ------------------------------------------------------


def test_static_files_have_hashed_names_far_future_caching_and_compression(tmp_path, static_root):
    home = with_static(tmp_path / "node", static_root)
    node = Node("node", node_env(home, home, None)).start()
    try:
        node.wait_ready()
        manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        name = manifest["drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"]
        assert re.fullmatch(r".*/swagger-ui\.[0-9a-f]{12}\.css", name)
        answer = requests.get(
            node.url(f"/static/{name}"), headers={"Accept-Encoding": "br"}, timeout=30
        )
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert answer.headers["Content-Encoding"] == "br"
        assert ".swagger-ui" in answer.text
        # The page's policy is unchanged, and only hashed names are served.
        assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
        unhashed = requests.get(
            node.url("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"), timeout=30
        )
        assert unhashed.status_code == 404
    finally:
        node.stop()


def test_the_access_log_keeps_no_query_and_sigterm_stops_the_server_gracefully(
    tmp_path, static_root
):
    home = with_static(tmp_path / "node", static_root)
    node = Node("node", node_env(home, home, None), "--with-worker").start()
    try:
        node.wait_ready()
        requests.get(node.url("/static/nothing.css?q=11010519491231002X"), timeout=30)
        requests.get(node.url("/login/?next=/search/%3Fid%3D11010519491231002X"), timeout=30)
    finally:
        code = node.stop()
    log = node.log()
    assert '"GET /static/nothing.css HTTP/1.1" 404' in log
    assert "11010519491231002X" not in log and "?" not in log.split("Listening at")[1]
    assert code == 0
    assert "Shutting down: Master" in log
    # The task worker started beside it was stopped with it (and waited for).
    worker = int(re.search(r"后台任务程序已启动（进程 (\d+)）", log)[1])
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)


def test_a_certificate_renewed_in_the_shared_directory_signs_without_a_restart(tmp_path, settings):
    """Another node (or the operator) replaces a unit's key and certificate: this process's
    next signature uses them, though it had the old ones loaded."""
    from types import SimpleNamespace

    from gongxin.documents import signing

    settings.CERT_DIR = tmp_path / "certs"
    unit = SimpleNamespace(code="bj", name="北京市公共信用信息中心")
    signing.ensure_demo_certificates([unit])
    before = signing._signer("bj").signing_cert.serial_number
    assert signing._signer("bj").signing_cert.serial_number == before  # loaded once, kept
    for path in settings.CERT_DIR.glob("bj.*.pem"):
        path.unlink()
    signing.ensure_demo_certificates([unit])  # the renewal, as files written in place
    assert signing._signer("bj").signing_cert.serial_number != before


# --- Two nodes on one PostgreSQL ------------------------------------------------------------


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, static_root, django_db_setup, django_db_blocker):
    """Nodes A (with a task worker beside it) and B, both started at once on the test database,
    sharing one directory: they make its secret key between them."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    base = tmp_path_factory.mktemp("nodes")
    shared = base / "shared"
    (shared / "keys").mkdir(parents=True, mode=0o700)
    shutil.copy(settings.KEY_FILE, shared / "keys" / "keys.json")
    url = database_url()
    with django_db_blocker.unblock():
        with override_settings(CACHES={"default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "gongxin_cache"}}):  # fmt: skip
            call_command("createcachetable", verbosity=0)  # what `gongxin init` makes
    a = Node("a", node_env(with_static(base / "a", static_root), shared, url), "--with-worker")
    b = Node("b", node_env(with_static(base / "b", static_root), shared, url))
    try:
        a.start(), b.start()
        a.wait_ready(), b.wait_ready()
        yield shared, a, b
    finally:
        a.stop(), b.stop()


@pytest.fixture
def nodes(cluster, settings):
    """The cluster, with this process reading the same key file and certificates."""
    from gongxin.platform import keys

    shared, a, b = cluster
    settings.KEY_FILE = shared / "keys" / "keys.json"
    settings.CERT_DIR = shared / "certs"
    keys.reload()
    yield a, b
    keys.reload()


def api(node: Node, key: str):
    """A caller of ``node``'s API with ``key`` (an API token)."""

    def call(method: str, path: str, body=None):
        answer = requests.request(method, node.url(f"/api/v1{path}"), json=body, timeout=120,
                                  headers={"Authorization": f"Token {key}"})  # fmt: skip
        return answer.status_code, answer.json() if answer.content else None

    return call


def token(staff) -> str:
    from gongxin.accounts.models import ApiToken

    return ApiToken.issue(staff.user)[1]


def chain_verifies() -> bool:
    from gongxin.audit.integrity import verify

    return verify().ok


def registration(world, letter: str, people) -> dict:
    return {"agency": world.agency.pk, "letter_number": letter, "kind": "recruitment",
            "received_on": TODAY.isoformat(),
            "candidates": [{"name": n, "id_number": i} for n, i in people]}  # fmt: skip


@NEEDS_PG
@LIVE
def test_a_sign_in_on_one_node_is_a_session_on_the_other(nodes, tmp_path, settings):
    from gongxin.accounts.workstations import COOKIE

    a, b = nodes
    world = World(tmp_path)
    # The nodes check passwords with the product's hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    world.handler.user.set_password(PASSWORD)
    world.handler.user.save()
    _, credential = workstation_for(world.bj)
    browser = requests.Session()
    browser.cookies.set(COOKIE, credential)
    form = browser.get(a.url("/login/"))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    signed_in = browser.post(a.url("/login/"), allow_redirects=False, data={
        "csrfmiddlewaretoken": csrf, "username": "handler", "password": PASSWORD,
        "otp": code_for(world.handler.user)})  # fmt: skip
    assert signed_in.status_code == 302, signed_in.text
    # Node B was never asked to sign anyone in: the cookie alone brings the session there.
    elsewhere = requests.Session()
    elsewhere.cookies.update({"sessionid": browser.cookies["sessionid"], COOKIE: credential})
    other = elsewhere.get(b.url("/"))
    assert other.status_code == 200
    assert "handler" in other.text and "/login/" not in other.url
    # Signing out on B ends the session on A.
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', other.text)[1]
    out = elsewhere.post(b.url("/logout/"), data={"csrfmiddlewaretoken": csrf},
                         allow_redirects=False)  # fmt: skip
    assert out.status_code == 302
    again = browser.get(a.url("/"), allow_redirects=False)
    assert again.status_code == 302 and "/login/" in again.headers["Location"]


@NEEDS_PG
@LIVE
def test_the_token_endpoint_counts_tries_on_every_node_together(nodes):
    """Ten tries a minute from one address, however many nodes the proxy spreads them over
    (the count is in the database's cache table, not in each process)."""
    a, b = nodes
    with connection.cursor() as cur:
        cur.execute("DELETE FROM gongxin_cache")
    statuses = [
        requests.post((a, b)[n % 2].url("/api/v1/auth/token/"), timeout=30,
                      json={"username": f"nobody{n}", "password": "x", "otp": "123456"}).status_code
        for n in range(11)
    ]  # fmt: skip
    assert statuses == [401] * 10 + [429]


def together(calls):
    """Run the calls at once, one thread each; their answers in order."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def signed_all(pks, timeout=180) -> None:
    """Wait until every request is signed (at once, or by node A's task worker)."""
    from gongxin.inquiry.models import InquiryRequest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not InquiryRequest.objects.filter(pk__in=pks).exclude(state="signed").exists():
            return
        time.sleep(0.2)
    raise AssertionError("not every request was signed")


@NEEDS_PG
@LIVE
def test_draws_and_sign_offs_on_both_nodes_at_once_number_every_letter_once(nodes, tmp_path):
    from gongxin.documents.models import Letter
    from gongxin.inquiry import services
    from gongxin.inquiry.models import Candidate, Participant

    a, b = nodes
    world = World(tmp_path)
    for name in ("reviewer_c", "reviewer_d"):  # draws with a choice to make
        make_staff(world.bj, name, "reviewer")
    make_staff(world.bj, "signer_b", "signer")
    pks = []
    for _ in range(4):  # two a node
        req = world.register(people=[ZHANG])
        services.screen_request(world.handler, req.pk, today=TODAY)
        pks.append(req.pk)
    keys: dict[int, str] = {}

    def as_(staff, i):
        keys.setdefault(staff.pk, token(staff))
        return api((a, b)[i % 2], keys[staff.pk])

    # Submitted at once, half on each node: each submission draws two reviewers.
    answers = together([partial(as_(world.handler, i), "POST", f"/requests/{pk}/submit/")
                        for i, pk in enumerate(pks)])  # fmt: skip
    assert [status for status, _ in answers] == [200] * len(pks), answers
    # Every drawn reviewer confirms at once; a request's second review draws its signer.
    calls = []
    for i, pk in enumerate(pks):
        candidate = Candidate.objects.get(request_id=pk)
        for j, p in enumerate(Participant.objects.filter(request_id=pk, role="reviewer")):
            review = {"decision": "confirm", "reason": "一致"}
            calls.append(partial(as_(p.staff, i + j), "POST", f"/candidates/{candidate.pk}/review/",
                                 review))  # fmt: skip
    assert [status for status, _ in together(calls)] == [200] * len(calls)

    # Every drawn signer signs at once, half on each node: letter numbers are taken then.
    # Four signers of one unit at once: a signer whose letter lost its number to another again
    # and again is told to try again (409, 请重试), and does.
    def sign_off(call, pk):
        for _ in range(10):
            status, answer = call("POST", f"/requests/{pk}/sign-off/", {"confirm": True})
            if status != 409 or "请重试" not in json.dumps(answer, ensure_ascii=False):
                return status, answer
        return status, answer

    calls = []
    for i, pk in enumerate(pks):
        signer = Participant.objects.get(request_id=pk, role="signer").staff
        calls.append(partial(sign_off, as_(signer, i), pk))
    answers = together(calls)
    assert {status for status, _ in answers} <= {200, 202}, answers
    signed_all(pks)

    letters = Letter.objects.filter(inquiry_round__request_id__in=pks)
    numbers = sorted(letters.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + len(pks)))  # each once, no gap
    assert letters.values("document_number").distinct().count() == len(pks)
    for pk in pks:
        people = list(Participant.objects.filter(request_id=pk).values_list("role", "staff_id"))
        reviewers = [s for role, s in people if role == "reviewer"]
        signers = [s for role, s in people if role == "signer"]
        assert len(reviewers) == len(set(reviewers)) == 2 and len(signers) == 1
        assert not {world.handler.pk, *reviewers} & set(signers)
    assert chain_verifies()


@NEEDS_PG
@LIVE
def test_a_key_rotation_beside_node_a_is_used_by_node_b_without_a_restart(nodes, tmp_path):
    from django.conf import settings

    from gongxin.inquiry.models import Candidate
    from tests.factories import LI

    a, b = nodes
    world = World(tmp_path)
    key = token(world.handler)
    on_a, on_b = api(a, key), api(b, key)
    status, first = on_b("POST", "/requests/", registration(world, "京组函〔2026〕101号", [ZHANG]))
    assert status == 201, first
    (old,) = {KeyRing.key_id_of(bytes(c)) for c in Candidate.objects.values_list(
        "subject_cipher", flat=True)}  # fmt: skip
    rotated = subprocess.run(
        [sys.executable, "-m", "gongxin.cli", "keys", "rotate"],
        cwd=ROOT, env=a.env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    new = KeyRing.load(settings.KEY_FILE).active.id
    assert new != old
    # Node B, not restarted, seals the next registration with the new key ...
    status, second = on_b("POST", "/requests/", registration(world, "京组函〔2026〕102号", [LI]))
    assert status == 201, second
    ciphers = Candidate.objects.values_list("subject_cipher", flat=True)
    assert {KeyRing.key_id_of(bytes(c)) for c in ciphers} == {new}
    # ... and both nodes read what the rotation re-sealed and what B sealed after it.
    for call in (on_a, on_b):
        for created, masked in ((first, "110105********002X"), (second, LI[1][:6])):
            status, detail = call("GET", f"/requests/{created['id']}/")
            assert status == 200
            assert detail["candidates"][0]["id_number_masked"].startswith(masked)
    assert chain_verifies()


def people(count: int) -> list[tuple[str, str]]:
    """``count`` different, valid resident ID numbers and plausible names."""
    surnames, given = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋"
    found = []
    for n in range(count):
        born = dt.date(1970, 1, 1) + dt.timedelta(days=n // 50)
        first17 = f"110105{born:%Y%m%d}{n % 50 * 2 + 1:03d}"
        found.append((surnames[n % 10] + given[n // 10 % 10] + given[n // 100 % 10],
                      first17 + check_char(first17)))  # fmt: skip
    return found


def writing_transactions() -> int:
    """Transactions of other connections to this database that have written something."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return cur.fetchone()[0]


@NEEDS_PG
@LIVE
def test_a_node_killed_in_the_middle_of_a_registration_registered_all_or_nothing(nodes, tmp_path):
    from gongxin.audit.models import AuditEvent
    from gongxin.inquiry.models import Candidate, InquiryRequest

    a, b = nodes
    world = World(tmp_path)
    key = token(world.handler)
    body = registration(world, "京组函〔2026〕300号", people(5000))
    answers: list = []

    def post():
        try:
            answers.append(api(a, key)("POST", "/requests/", body))
        except requests.ConnectionError as exc:
            answers.append(exc)

    sender = threading.Thread(target=post)
    sender.start()
    deadline = time.monotonic() + 120
    while not writing_transactions() and not answers and time.monotonic() < deadline:
        time.sleep(0.01)
    caught_writing = not answers
    a.kill()  # kill -9 of the master, its workers and its task worker, all at once
    sender.join(timeout=60)
    assert caught_writing, f"the registration ended before it was seen writing: {answers}"
    assert isinstance(answers[0], requests.ConnectionError)
    # The transaction died with its connection: nothing of it is left, not a part.
    registered = InquiryRequest.objects.filter(letter_number="京组函〔2026〕300号")
    assert not registered.exists() and not Candidate.objects.exists()
    assert not AuditEvent.objects.filter(action="request.register").exists()
    assert chain_verifies()
    # Restarted, the node registers it whole, and the chain goes on from where it was.
    a.start().wait_ready()
    status, created = api(a, key)("POST", "/requests/", body)
    assert status == 201, created
    assert Candidate.objects.filter(request_id=created["id"]).count() == 5000
    status, again = api(b, key)("POST", "/requests/", body)  # the same letter on the other node
    assert status == 409 and again["existing"]["id"] == created["id"]
    assert chain_verifies()
