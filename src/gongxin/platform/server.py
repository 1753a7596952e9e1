"""The production web server: gunicorn with threaded workers, configured from the environment.

docs/decisions/0016-production-server-and-nodes.md says why gunicorn (gthread) and how several
nodes share one system; docs/deploy.md lists the settings. Each setting has a default fit for
one small machine:

- GONGXIN_WORKERS: worker processes (default: the machine's cores, at least 2). A worker that
  dies is replaced by the master, the others keep serving.
- GONGXIN_THREADS: threads per worker (default 4). Requests mostly wait on the database, so a
  few threads per process serve more at once than more processes would, in less memory. Each
  thread may hold one database connection: workers × threads × nodes stays under PostgreSQL's
  max_connections.
- GONGXIN_TIMEOUT: seconds a request may take before its worker is restarted (default 120;
  large work goes to the task worker, so only a stuck request reaches it).
- GONGXIN_GRACEFUL_TIMEOUT: on SIGTERM, seconds the requests in progress get to finish
  (default 30); new connections are refused meanwhile.
- GONGXIN_KEEPALIVE: seconds an idle client connection is kept open (default 5, behind the
  proxy, which keeps its own; clients straight on the node, as the load bench's, want 30 or
  more, or a request sent as the connection closes fails).

The access log names the method, the path without its query string (a query may hold what was
searched for), the status, the size and the time taken: never the query, the referrer (the
previous page's query) or a cookie.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders

# %(U)s is the path alone; %(q)s (the query) and %(f)s (the referrer) are left out on purpose.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
STAMP = ".collected"  # in STATIC_ROOT: the fingerprint of the sources last collected


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"环境变量 {name} 应为整数，现为 {raw!r}") from None


def options(bind: str) -> dict:
    """gunicorn's settings for ``bind`` (host:port)."""
    return {
        "bind": [bind],
        "worker_class": "gthread",
        "workers": _int("GONGXIN_WORKERS", max(2, os.cpu_count() or 1)),
        "threads": _int("GONGXIN_THREADS", 4),
        "timeout": _int("GONGXIN_TIMEOUT", 120),
        "graceful_timeout": _int("GONGXIN_GRACEFUL_TIMEOUT", 30),
        "keepalive": _int("GONGXIN_KEEPALIVE", 5),
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "proc_name": "gongxin",
        # No gunicornc control socket: one fixed path per user would be shared by two nodes on
        # one machine, and nothing here uses it (systemd signals the master).
        "control_socket_disable": True,
        # Request line and headers: the proxy's limits are the real ones; these are a backstop.
        "limit_request_line": 8190,
    }


def run(bind: str, *, on_exit=None) -> None:
    """Run gunicorn in this process (its master) until SIGTERM or SIGINT."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    config = options(bind)
    if on_exit is not None:
        config["on_exit"] = lambda server: on_exit()

    class Application(BaseApplication):
        def load_config(self):
            for key, value in config.items():
                self.cfg.set(key, value)

        def load(self):
            from django.core.wsgi import get_wsgi_application

            return get_wsgi_application()

    connections.close_all()  # the checks' connections must not be shared by forked workers
    Application().run()


def sources_fingerprint() -> str:
    """What the installed apps' static files are now: their paths, sizes and modification
    times (a code upgrade changes them)."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            st = os.stat(storage.path(path))
            digest.update(f"{getattr(storage, 'prefix', '') or ''}/{path}\0{st.st_size}\0"
                          f"{st.st_mtime_ns}\n".encode())  # fmt: skip
    return digest.hexdigest()


def static_is_current() -> bool:
    root = Path(settings.STATIC_ROOT)
    stamp = root / STAMP
    return (
        (root / "staticfiles.json").exists()
        and stamp.exists()
        and (stamp.read_text().strip() == sources_fingerprint())
    )


def collect_static(stdout=None) -> bool:
    """Collect (hash and compress) the static files when they changed since the last time;
    True if it did. Run by `gongxin serve` at start: the first start after an install or an
    upgrade takes some seconds, the others none."""
    from django.core.management import call_command

    if static_is_current():
        return False
    if stdout is not None:
        stdout.write("正在收集静态文件（安装或升级后的第一次启动需要一些时间）…")
    call_command("collectstatic", interactive=False, verbosity=0)
    (Path(settings.STATIC_ROOT) / STAMP).write_text(sources_fingerprint() + "\n")
    return True
