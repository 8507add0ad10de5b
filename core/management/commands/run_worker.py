"""The background worker: runs queued jobs (print maps, ...) and the apps' periodic tasks (core.jobs)
until stopped (SIGTERM or Ctrl-C)."""

from __future__ import annotations

import contextlib
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connection

from core import jobs


class Command(BaseCommand):
    help = "Run background jobs from the PostgreSQL queue (core.jobs) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is queued now, then exit.")
        parser.add_argument(
            "--no-periodic", action="store_true", help="Do not queue the periodic tasks (another worker does)."
        )

    def handle(self, *args, once: bool = False, no_periodic: bool = False, **options):
        if once:
            jobs.fail_stale()
            self.stdout.write(f"{jobs.run_pending()} job(s) run")
            return
        # Named in pg_stat_activity, so that an operator (and a test) can tell the worker's session apart.
        connection.close()
        connection.settings_dict.setdefault("OPTIONS", {})["application_name"] = jobs.WORKER_APPLICATION_NAME
        stop = threading.Event()

        def on_signal(*_):
            stop.set()
            raise jobs.WorkerStopped  # a job being run is put back in the queue

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)
        periodic = "" if no_periodic else f"; periodic: {', '.join(sorted(jobs.periodic_tasks())) or 'none'}"
        self.stdout.write(f"worker {jobs.worker_name()} waiting for jobs{periodic}")
        self.stdout.flush()
        with contextlib.suppress(jobs.WorkerStopped):
            jobs.work(stop, periodic=not no_periodic)
        self.stdout.write("worker stopped")
