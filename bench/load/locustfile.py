"""Staff at work, for locust: each user is one staff account of the plan (bench/load/store.py)
on one of the nodes (LOAD_HOSTS, spread in turn), and works as that person would.

It signs in on the sign-in page (password and the TOTP code its authenticator shows, with the
unit's workstation cookie, CSRF token included); one user in five also takes an API token the
same way and calls the API with it, the others call it from their session (CSRF header). Then,
with a pause between steps (LOAD_WAIT, 3–10 s: reading the page), it opens the dashboard
(工作台), the request list and request details as pages, the same through the API, signs in
again now and then, and does its work.
Handlers register a letter of 50 candidates (API), then, as the draw makes them its handler,
screen and submit it, and send the signed letter (反馈); reviewers review the matched candidates
of the requests they were drawn for; signers sign off the requests drawn to them (签发).

Who was drawn is read from the request as the API shows it (its people); a user hands the next
person their work through ``MAILBOX`` (the locust process is one process: it stands in for the
dashboard's 待办, which each person would read). Every request's name (its kind) and time go to
LOAD_OUT as JSON when the run stops, for the driver's table.

Environment: LOAD_PLAN (the plan's JSON), LOAD_HOSTS (comma-separated base URLs), LOAD_OUT.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import random
import struct
import time
from collections import defaultdict, deque
from zoneinfo import ZoneInfo

import gevent
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
HOSTS = [h.rstrip("/") for h in os.environ.get("LOAD_HOSTS", "").split(",") if h]
PEOPLE = itertools.cycle(enumerate(PLAN["people"]))
RUN = os.environ.get("LOAD_RUN") or str(int(time.time()) % 1_000_000)
ZONE = ZoneInfo("Asia/Shanghai")
CANDIDATES = 50
WAIT = tuple(float(s) for s in os.environ.get("LOAD_WAIT", "3,10").split(","))  # think time, s
TOKEN_EVERY = 5
RESIGN_SECONDS = 300  # a user signs in again at most this often

MAILBOX: dict[str, deque] = defaultdict(deque)  # username -> (what, request id)
HANDED: set = set()  # (what, request id, round) already handed on
KNOWN: dict[str, list[int]] = defaultdict(list)  # unit -> request ids seen
TIMES: list = []  # (kind, ms, failed, when)
STARTED: list = []  # when every user had started
LETTERS = itertools.count(1)


@events.request.add_listener
def _timed(request_type, name, response_time, response_length, exception=None, **kw):
    TIMES.append((name, response_time, exception is not None, time.time()))


@events.spawning_complete.add_listener
def _all_started(user_count, **kw):
    STARTED.append(time.time())


@events.quitting.add_listener
def _write(environment, **kw):
    if out := os.environ.get("LOAD_OUT"):
        with open(out, "w", encoding="utf-8") as fh:
            json.dump({"times": TIMES, "all_started": STARTED[0] if STARTED else 0}, fh)


def hotp(key: bytes, counter: int, digits: int = 6) -> str:
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def hand(username: str, what: str, request_id: int, round_: int) -> None:
    if (what, request_id, round_) not in HANDED:
        HANDED.add((what, request_id, round_))
        MAILBOX[username].append((what, request_id))


def hand_on(detail: dict) -> None:
    """Give the next person the request's next step, from its state and its people."""
    req = detail["request"]
    state, round_ = req["state"], req["round"]
    drawn = [p for p in detail["people"] if p["round"] == round_]
    if state == "assigned" and req["handler"]:
        hand(req["handler"]["username"], "screen", req["id"], round_)
    elif state == "in_review":
        for p in drawn:
            if p["role"] == "reviewer":
                hand(p["username"], "review", req["id"], round_)
    elif state == "awaiting_signoff":
        for p in drawn:
            if p["role"] == "signer":
                hand(p["username"], "sign", req["id"], round_)
    elif state == "signed" and req["handler"]:
        hand(req["handler"]["username"], "issue", req["id"], round_)
    elif detail.get("job") and detail["job"]["state"] in ("queued", "running"):
        # 签发 went to the task worker (202): the handler looks again later, as the request
        # appears on their dashboard once it is signed.
        if detail["job"]["action"] == "sign_off" and req["handler"]:
            MAILBOX[req["handler"]["username"]].append(("await_signed", req["id"]))


class Staff(HttpUser):
    wait_time = between(*WAIT)
    host = HOSTS[0] if HOSTS else None

    def on_start(self):
        index, self.person = next(PEOPLE)
        self.username = self.person["username"]
        self.role = self.person["role"]
        self.unit = self.person["unit"]
        self.key = bytes.fromhex(self.person["totp_key"])
        self.last_step = -1
        if HOSTS:
            self.client.base_url = HOSTS[index % len(HOSTS)]
        self.client.cookies.set("gongxin_workstation", self.person["credential"])
        self.sign_in()
        # One user in five works as an API client would, with a token of its own; the others
        # call the API from their signed-in session (with the CSRF header, as the pages' forms).
        self.api = None
        if index % TOKEN_EVERY == 0:
            self.api = {"Authorization": f"Token {self.take_token()}"}
        if not KNOWN[self.unit]:
            self.api_list()

    # --- signing in ----------------------------------------------------------------------------

    def code(self) -> str:
        """The next code the authenticator shows that the server has not seen: this step's, or
        the next one's (accepted one step early); else wait for the next step."""
        while True:
            now = int(time.time() // 30)
            step = max(now, self.last_step + 1)
            if step <= now + 1:
                self.last_step = step
                return hotp(self.key, step)
            gevent.sleep(30 - time.time() % 30 + 0.1)

    def sign_in(self):
        self.client.cookies.pop("sessionid", None)
        self.client.get("/login/", name="sign-in page")
        data = {"username": self.username, "password": PLAN["password"], "otp": self.code(),
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}  # fmt: skip
        with self.client.post("/login/", data, name="sign-in", allow_redirects=False,
                              catch_response=True) as r:  # fmt: skip
            if r.status_code != 302 or "login" in r.headers.get("Location", ""):
                r.failure(f"sign-in refused ({r.status_code})")
        self.signed_in_at = time.time()

    def take_token(self) -> str:
        data = {"username": self.username, "password": PLAN["password"], "otp": self.code()}
        with self.client.post("/api/v1/auth/token/", json=data, name="api token",
                              catch_response=True) as r:  # fmt: skip
            if r.status_code != 200:
                r.failure(f"no token ({r.status_code})")
                return ""
            return r.json()["token"]

    @task(1)
    def sign_in_again(self):
        if time.time() - self.signed_in_at < RESIGN_SECONDS:
            return self.dashboard()
        self.client.post("/logout/", {"csrfmiddlewaretoken": self.client.cookies.get(
            "csrftoken", "")}, name="sign-out", allow_redirects=False)  # fmt: skip
        self.sign_in()

    # --- reading -------------------------------------------------------------------------------

    def page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"{name}: {r.status_code} {r.error or ''}")

    @task(3)
    def dashboard(self):
        self.page("/", "page: dashboard")

    @task(2)
    def request_list(self):
        self.page("/requests/", "page: request list")

    @task(2)
    def request_detail(self):
        if KNOWN[self.unit]:
            self.page(f"/requests/{random.choice(KNOWN[self.unit][-200:])}/",
                      "page: request detail")  # fmt: skip

    def headers(self) -> dict:
        return self.api or {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def api_get(self, url: str, name: str) -> dict | None:
        with self.client.get(url, name=name, headers=self.headers(), catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{name}: {r.status_code} {r.error or ''}")
                return None
            return r.json()

    @task(1)
    def api_list(self):
        found = self.api_get("/api/v1/requests/", "api: request list")
        if found:
            KNOWN[self.unit].extend(r["id"] for r in found["results"])

    @task(1)
    def api_detail(self):
        if KNOWN[self.unit]:
            self.detail(random.choice(KNOWN[self.unit][-200:]))

    def detail(self, request_id: int) -> dict | None:
        return self.api_get(f"/api/v1/requests/{request_id}/", "api: request detail")

    # --- work ----------------------------------------------------------------------------------

    def act(self, url: str, name: str, body=None) -> dict | None:
        with self.client.post(url, json=body, name=name, headers=self.headers(),
                              catch_response=True) as r:  # fmt: skip
            if r.status_code not in (200, 201, 202):  # 202: handed to the task worker
                r.failure(f"{name}: {r.status_code} {r.error or r.text[:200]}")
                return None
            return r.json()

    @task(6)
    def work(self):
        box = MAILBOX[self.username]
        if box:
            what, request_id = box.popleft()
            getattr(self, what)(request_id)
        elif self.role == "handler":
            self.register()
        else:
            self.dashboard()  # nothing waits: look at the dashboard again

    def register(self):
        agency, name = random.choice(self.person["agencies"])
        serial = f"{RUN}{next(LETTERS):05d}"
        people = random.sample(PLAN["candidates"], CANDIDATES)
        today = dt.datetime.now(ZONE).date()
        body = {"agency": agency, "letter_number": f"{name[:2]}组函〔{today.year}〕{serial}号",
                "received_on": today.isoformat(), "kind": "recruitment",
                "candidates": [{"name": n, "id_number": i, "position": p}
                               for n, i, p in people]}  # fmt: skip
        req = self.act("/api/v1/requests/", "api: register (50 candidates)", body)
        if req:
            KNOWN[self.unit].append(req["id"])
            hand_on({"request": req, "people": []})

    def screen(self, request_id: int):
        if self.act(f"/api/v1/requests/{request_id}/screen/", "api: screen"):
            if detail := self.act(f"/api/v1/requests/{request_id}/submit/", "api: submit"):
                hand_on(detail)

    def review(self, request_id: int):
        detail = self.detail(request_id)
        if not detail:
            return
        round_ = detail["request"]["round"]
        for c in detail["candidates"]:
            if not c.get("match") or c["match"] == "none" or c.get("result"):
                continue
            if any(r["reviewer"] == self.username and r["round"] == round_
                   for r in c.get("reviews", [])):  # fmt: skip
                continue
            # Both reviewers judge alike: an exact match is confirmed, the others rejected.
            decision = "confirm" if c["match"] == "exact" else "reject"
            self.act(f"/api/v1/candidates/{c['id']}/review/", "api: review",
                     {"decision": decision, "reason": "与名单记录核对"})  # fmt: skip
        if detail := self.detail(request_id):
            hand_on(detail)

    def sign(self, request_id: int):
        detail = self.act(f"/api/v1/requests/{request_id}/sign-off/", "api: sign-off",
                          {"confirm": True})  # fmt: skip
        if detail:
            hand_on(detail)

    def await_signed(self, request_id: int):
        if detail := self.detail(request_id):
            hand_on(detail)  # signed: 反馈 next; still with the worker: look again later

    def issue(self, request_id: int):
        self.act(f"/api/v1/requests/{request_id}/issue/", "api: issue",
                 {"method": "confidential"})  # fmt: skip
