"""Large-request benchmark: the request page and the background tasks of 5,000 candidates.

    make bench     (runs this after the sign-off benchmark)

Issue 9: a request of 5,000 candidates shows matches first, 100 rows a page, and opens only
the rows shown; 查询, 提交 and 签发 run as background tasks (gongxin.inquiry.tasks). This prints,
for a baseline of 50 candidates and for 5,000, in the same run: the request page (the handler's
first page and a later one after screening; the signer's first page after signing, when the
signed result is checked against its digest), the page action that enqueues (rule checked, job
recorded, task stored on the database backend) and the task as the worker runs it, and the
ratio 5,000 / 50. Pages are the median of five loads through Django's test client (no network).
Runs on a throwaway SQLite home (the test settings), migrated here.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOADS = 5


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The real backend: the page action stores the task; the worker's run is timed apart.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django.core.signals import setting_changed

    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)
    settings.GONGXIN_BACKGROUND_FROM = 50  # both sizes go through the background path
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # Django's test client
    from django.test import Client

    from gongxin.core import clock
    from gongxin.core.synthetic import Generator
    from gongxin.inquiry import services, tasks
    from gongxin.inquiry.models import RequestJob
    from gongxin.registry.screening import CandidateInput
    from tests.factories import ZHANG, World, matched_candidates, signed_in

    world = World(Path(tempfile.mkdtemp(prefix="gongxin-bench-")))
    today = clock.today()

    def page(client, url) -> float:
        times = []
        for _ in range(LOADS):
            t0 = time.perf_counter()
            answer = client.get(url)
            times.append(time.perf_counter() - t0)
            assert answer.status_code == 200, answer.status_code
        return statistics.median(times)

    def background(client, req, action) -> tuple[float, float]:
        t0 = time.perf_counter()
        answer = client.post(f"/requests/{req.pk}/{action}/", {"confirm": "yes"})
        enqueued = time.perf_counter() - t0
        assert answer["Location"].endswith("/progress/"), answer["Location"]
        job = RequestJob.objects.filter(request=req, action=action).latest("pk")
        t0 = time.perf_counter()
        tasks.run_job.call(job.pk)  # what `gongxin db-worker` does with it
        ran = time.perf_counter() - t0
        job.refresh_from_db()
        assert job.state == "done", job.message
        return enqueued, ran

    # Warm up: the first letter rendered in a process loads fonts and certificates (seconds).
    gen = Generator(seed=1)
    warm = services.register(world.handler, services.Registration(
        world.agency, "京组函〔2026〕1号", today, "recruitment",
        [CandidateInput(1, gen.name(), gen.id_number(), "科员")]), today=today)  # fmt: skip
    services.screen_request(world.handler, warm.pk, today=today)
    services.submit(world.handler, warm.pk)
    services.sign_off(warm.participants.get(role="signer").staff, warm.pk, confirmed=True)

    figures = {}
    for n in (50, 5000):
        gen = Generator(seed=n)
        people = [CandidateInput(i + 1, gen.name(), gen.id_number(), "科员") for i in range(n - 1)]
        people.append(CandidateInput(n, *ZHANG, "科员"))  # one match, in the last row
        reg = services.Registration(world.agency, f"京组函〔2026〕{n}号", today, "recruitment",
                                    people)  # fmt: skip
        req = services.register(world.handler, reg, today=today)
        handler = signed_in(Client(), world.handler.user)
        url = f"/requests/{req.pk}/"
        row = {"before screening": page(handler, url)}
        row["screen: enqueue"], row["screen: task"] = background(handler, req, "screen")
        row["page 1 (screened)"] = page(handler, url)
        row["last page"] = page(handler, f"{url}?page={-(-n // 100)}")
        row["submit: task"] = background(handler, req, "submit")[1]
        for candidate in matched_candidates(req):
            for reviewer in (world.reviewer_a, world.reviewer_b):
                services.review(reviewer, candidate.pk, "confirm", "一致", today=today)
        signer = signed_in(Client(), req.participants.get(role="signer").staff.user)
        row["sign-off: enqueue"], row["sign-off: task"] = background(signer, req, "sign_off")
        row["page 1 (signed)"] = page(signer, url)
        figures[n] = row

    print(f"\nGongxin large-request benchmark — {os.cpu_count()} cores, SQLite, "
          f"pages: median of {LOADS}\n")  # fmt: skip
    print(f"  {'':<20}  {'50':>10}  {'5,000':>10}  {'ratio':>7}")
    for name in figures[50]:
        small, big = figures[50][name], figures[5000][name]
        print(f"  {name:<20}  {small * 1000:>8.0f}ms  {big * 1000:>8.0f}ms  {big / small:>6.1f}x")
    slow = [k for k, v in figures[5000].items() if k.startswith(("page", "last", "before"))
            and v >= 1]  # fmt: skip
    print(
        f"\n  5,000-candidate pages under 1 s: {'yes' if not slow else 'NO: ' + ', '.join(slow)}\n"
    )


if __name__ == "__main__":
    main()
