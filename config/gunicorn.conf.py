"""Gunicorn's configuration (scripts/serve.sh runs ``gunicorn -c config/gunicorn.conf.py``).

Every value comes from the environment (listed in .env.example); set-but-empty counts as unset, as in
config/settings.py. Besides where and how to serve, it keeps each worker's memory bounded:

- ``max_requests`` (+ jitter): a worker is replaced after so many requests, so whatever it has
  accumulated (fragmented heap, caches) is given back to the system regularly. Not too often: a new
  worker starts with empty caches (kept search answers, prepared statements); at 2,000 a loaded
  server replaced a worker every few seconds and searched at half the rate (make bench, load);
- ``MDJ_WORKER_MAX_RSS_MB``: after each request a worker checks its resident memory; over the cap it
  finishes the requests it has in hand and exits, and the master starts a fresh one (a request that
  needed a lot of memory once no longer keeps it for the worker's whole life);
- ``MDJ_WORKER_MAX_VM_MB``: a hard backstop, the worker's address-space limit (RLIMIT_AS). A request
  that would take more fails with MemoryError (a 500) instead of taking the machine; the RSS check
  then recycles the worker. It is set well above what mapnik, GDAL, WeasyPrint and the threads'
  stacks and malloc arenas reserve (tests/test_server.py checks they all still work under it).
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _var_dir() -> Path:
    """The same var/ folder as scripts/lib.sh and config/settings.py (relative: to the checkout)."""
    return PROJECT_DIR / _env("MDJ_VAR_DIR", str(PROJECT_DIR / "var"))


# ---- where and how (formerly the command line of scripts/serve.sh) ------------------------------------

bind = f"{_env('HOST', '127.0.0.1')}:{_env('PORT', '8000')}"
workers = _env_int("WEB_WORKERS", 3)
threads = _env_int("WEB_THREADS", 2)
# sync with one thread; gunicorn takes gthread by itself for more than one.
worker_class = _env("WEB_WORKER_CLASS", "sync")
timeout = _env_int("WEB_TIMEOUT", 120)
pidfile = str(_var_dir() / "gunicorn.pid")
accesslog = _env("WEB_ACCESS_LOG", "-")
forwarded_allow_ips = "127.0.0.1"
# gunicornc's control socket: one per server, beside its pid file (the default, ~/.gunicorn/gunicorn.ctl,
# would be shared, and taken over, by every server of the machine).
control_socket = str(_var_dir() / "gunicorn.ctl")

# Import the application once in the master and fork the workers from it: a worker starts in
# milliseconds instead of seconds (which is what makes recycling them cheap) and they share its pages.
# Nothing opens a database connection or a thread at import time, so nothing is shared by accident.
preload_app = _env("WEB_PRELOAD", "1") != "0"

# ---- memory: recycle workers, cap them ------------------------------------------------------------------

max_requests = _env_int("MDJ_WORKER_MAX_REQUESTS", 20000)
max_requests_jitter = _env_int("MDJ_WORKER_MAX_REQUESTS_JITTER", 2000)
worker_max_rss_mb = _env_int("MDJ_WORKER_MAX_RSS_MB", 1024)
worker_max_vm_mb = _env_int("MDJ_WORKER_MAX_VM_MB", 4096)

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Resident memory of this process now (not the peak), from /proc/self/statm."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE_SIZE


def limit_address_space(megabytes: int) -> None:
    """RLIMIT_AS of this process (0: leave it alone). The soft limit only, never above the hard one."""
    if megabytes <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = megabytes * MIB
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def post_worker_init(worker) -> None:
    limit_address_space(worker_max_vm_mb)


def post_request(worker, req, environ, resp) -> None:
    """Over the resident-memory cap: finish what is in hand, then exit; the master starts a new worker."""
    if worker_max_rss_mb <= 0 or not worker.alive:
        return
    rss = rss_bytes()
    if rss > worker_max_rss_mb * MIB:
        worker.log.warning(
            "worker %s: resident memory %d MB is over MDJ_WORKER_MAX_RSS_MB=%d after %s %s; "
            "it exits after its current requests",
            worker.pid,
            rss // MIB,
            worker_max_rss_mb,
            getattr(req, "method", "?"),
            getattr(req, "path", "?"),
        )
        worker.alive = False


# A request line up to gunicorn's maximum, so that an over-long query value reaches the application and
# gets its JSON 400 (beyond 8190 bytes gunicorn itself answers 414).
limit_request_line = 8190
