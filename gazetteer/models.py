"""Standard place-name records (地名) and the naming procedure that changes them.

A Place is identified for life by its 20-digit place code (6 county + 3 township + 5 category +
6 serial), which survives every rename. Its names are typed rows with validity intervals
[valid_from, valid_to) in the bureau's time zone: the standard name, former standard names, aliases,
short names and names as printed on maps. Every change goes through gazetteer.services and leaves a
PlaceVersion in a changeset.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.core.files.storage import FileSystemStorage
from django.db.models import F, Q

from boundaries.models import AdminUnit
from core.models import Changeset, DataSource
from core.records import DatedValue, RecordVersion, VersionedRecord
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID


class Category(models.Model):
    """Place-name category (data/reference/categories.csv): twelve top classes and sub-classes."""

    code = models.CharField(max_length=5, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=80)
    geometry = models.CharField(max_length=10, default="any", help_text="Expected geometry: point, line, polygon, any.")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Place(VersionedRecord):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "拟用 proposed"
        IN_USE = "in_use", "现用 in use"
        HISTORICAL = "historical", "历史 historical"

    class Standing(models.TextChoices):
        """What the name is in law (gazetteer.services.standing decides it, nothing else writes it)."""

        STANDARD = "standard", "标准地名 standard name"
        CANDIDATE = "candidate", "候选地名 candidate, not yet a standard name"
        SYNTHETIC = "synthetic", "演示数据 synthetic, made for demonstration"

    class Basis(models.TextChoices):
        """Why a standard name is standard."""

        PROCEDURE = "procedure", "命名程序 the naming procedure"
        REGISTERED = "registered", "登记 registered from an earlier decision"
        OFFICIAL_SOURCE = "official_source", "官方名录 an official register of names"

    class SurveyMethod(models.TextChoices):
        MEASURED = "measured", "实测 measured"
        FROM_MAP = "from_map", "图解 from a map"
        DERIVED = "derived", "派生 derived from other data"
        UNKNOWN = "", "unknown"

    code = models.CharField(max_length=20, unique=True, help_text="20-digit place code; never changes.")
    name = models.CharField(max_length=200, help_text="Current standard name (标准名称), kept in step with the names.")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="places")
    unit = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
        help_text="Containing administrative unit (the lowest known).",
    )
    unit_overridden = models.BooleanField(
        default=False, help_text="The containing unit was set by an officer, not derived from the geometry."
    )
    admin_unit = models.OneToOneField(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="place_record",
        help_text="The administrative unit this record names, if it names one.",
    )
    geom = models.GeometryField(
        srid=STORAGE_SRID,
        null=True,
        blank=True,
        spatial_index=False,
        help_text=f"Location, {STORAGE_CRS_LABEL}: point, line or polygon.",
    )
    survey_method = models.CharField(max_length=10, choices=SurveyMethod.choices, blank=True)
    elevation_m = models.FloatField(null=True, blank=True, help_text="Elevation of a mountain (高程).")
    romanization = models.CharField(max_length=300, blank=True, help_text="Without tone marks, as on signs.")
    romanization_tones = models.CharField(max_length=300, blank=True)
    romanization_overridden = models.BooleanField(default=False, help_text="Set by an officer instead of the engine.")
    meaning = models.TextField(blank=True, help_text="地名含义")
    origin = models.TextField(blank=True, help_text="来历")
    history = models.TextField(blank=True, help_text="历史沿革")
    description = models.TextField(blank=True, help_text="地理实体描述")
    sources_text = models.TextField(blank=True, help_text="资料来源及出处")
    heritage_listed_on = models.DateField(
        null=True, blank=True, help_text="地名文化遗产: the day the name was listed as place-name heritage"
    )
    heritage_reason = models.TextField(blank=True, help_text="地名文化遗产: why the name is listed")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_USE)
    named_on = models.DateField(null=True, blank=True, help_text="命名时间")
    valid_from = models.DateField(null=True, blank=True, help_text="设立: first day the place exists")
    valid_to = models.DateField(null=True, blank=True, help_text="废止: first day it no longer exists")
    is_public = models.BooleanField(default=True)
    standing = models.CharField(
        max_length=10,
        choices=Standing.choices,
        default=Standing.CANDIDATE,
        help_text="A name becomes standard only through the procedure, a registered decision or an official source.",
    )
    standard_basis = models.CharField(max_length=16, choices=Basis.choices, blank=True)
    decision_authority = models.CharField(max_length=200, blank=True, help_text="批准机关 of the standard name")
    decision_document = models.CharField(max_length=100, blank=True, help_text="批准文号 of the standard name")
    decision_date = models.DateField(null=True, blank=True, help_text="批准日期 of the standard name")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="登记人"
    )
    registered_for = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="登记单位: the unit the record was registered for.",
    )
    registered_at = models.DateTimeField(auto_now_add=True, help_text="登记时间")
    source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_ref = models.CharField(max_length=100, blank=True, help_text="Identifier in the source, e.g. GeoNames id.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        indexes = [
            GistIndex(fields=["geom"], name="place_geom_gist"),
            models.Index(fields=["name"], name="place_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{20}$"), name="place_code_20_digits"),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="place_geom_valid"),
            models.UniqueConstraint(
                fields=["source", "source_ref"], condition=~Q(source_ref=""), name="place_source_ref_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="place_validity_ordered",
            ),
            # A standard name says why it is standard; a decision is cited in full; an official source is named.
            models.CheckConstraint(
                condition=Q(standing="standard", standard_basis__in=["procedure", "registered", "official_source"])
                | (~Q(standing="standard") & Q(standard_basis="")),
                name="place_standard_has_basis",
            ),
            models.CheckConstraint(
                condition=~Q(standard_basis__in=["procedure", "registered"])
                | (~Q(decision_authority="") & ~Q(decision_document="") & Q(decision_date__isnull=False)),
                name="place_decision_cited",
            ),
            models.CheckConstraint(
                condition=~Q(standard_basis="official_source") | Q(source__isnull=False),
                name="place_official_source_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_synthetic(self) -> bool:
        return self.standing == self.Standing.SYNTHETIC

    @property
    def is_standard(self) -> bool:
        return self.standing == self.Standing.STANDARD

    @property
    def is_heritage(self) -> bool:
        return self.heritage_listed_on is not None

    def validate_constraints(self, exclude=None):
        # Geometry validity is a database check Django cannot evaluate in Python; forms check it themselves.
        super().validate_constraints(exclude={*(exclude or ()), "geom"})


class PlaceName(DatedValue):
    """A name of a place with its validity. A ``former`` row was the standard name until valid_to."""

    record_kind = "place"
    record_key = "code"

    class Kind(models.TextChoices):
        STANDARD = "standard", "标准名称 standard"
        FORMER = "former", "旧名 former"
        ALIAS = "alias", "别名 alias"
        SHORT = "short", "简称 short"
        MAP = "map", "图上名称 map name"

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="names")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    romanization = models.CharField(max_length=300, blank=True)
    romanization_tones = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["place", "kind", "valid_from"]
        indexes = [models.Index(fields=["name"], name="placename_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="placename_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class PlaceVersion(RecordVersion):
    """The state of a place record after each change, made by one changeset."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="place_versions")
    geom = models.GeometryField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["place", "version"]
        constraints = [models.UniqueConstraint(fields=["place", "version"], name="placeversion_unique")]

    def __str__(self) -> str:
        return f"{self.place_id} v{self.version}"


class NamingApplication(VersionedRecord):
    """An application to name, rename or abolish a place, through the steps of the procedure:
    submitted -> checked -> expert review -> public notice -> decision -> effective."""

    record_kind = "application"
    record_key = "number"

    class Kind(models.TextChoices):
        NAME = "name", "命名 new name"
        RENAME = "rename", "更名 rename"
        ABOLISH = "abolish", "销名 abolish"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已受理 submitted"
        CHECKED = "checked", "已审查 checked"
        IN_REVIEW = "in_review", "专家论证 in expert review"
        IN_NOTICE = "in_notice", "公示 in public notice"
        NOTICE_CLOSED = "notice_closed", "公示结束 notice closed"
        APPROVED = "approved", "已批准 approved (takes effect on its date)"
        EFFECTIVE = "effective", "已生效 effective"
        REJECTED = "rejected", "不予批准 rejected"
        WITHDRAWN = "withdrawn", "撤回 withdrawn"

    number = models.CharField(max_length=20, unique=True, help_text="受理编号, e.g. 231084-2026-0007")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="The record renamed or abolished; for a new name, the record created.",
    )
    county = models.ForeignKey(
        AdminUnit,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The county-level unit the application belongs to.",
    )
    proposed_name = models.CharField(max_length=200, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    geom = models.GeometryField(
        srid=STORAGE_SRID,
        null=True,
        blank=True,
        spatial_index=False,
        help_text="The four boundaries or location of a new place.",
    )
    location_description = models.TextField(blank=True, help_text="位置描述 for the notice")
    meaning = models.TextField(blank=True)
    origin = models.TextField(blank=True)
    reason = models.TextField(help_text="申请理由")
    applicant = models.CharField(max_length=200, help_text="申请人或单位")
    applicant_contact = models.CharField(max_length=200, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    checks = models.JSONField(default=list, help_text="Findings of the automatic checks.")
    notice_start = models.DateField(null=True, blank=True)
    notice_end = models.DateField(null=True, blank=True, help_text="Last day of the public notice.")
    authority = models.CharField(max_length=200, blank=True, help_text="批准机关")
    decision_date = models.DateField(null=True, blank=True)
    document_number = models.CharField(max_length=100, blank=True, help_text="批准文号")
    effective_date = models.DateField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    filed_on = models.DateField(null=True, blank=True, help_text="备案: the day the decision was filed upward.")
    filed_with = models.CharField(max_length=100, blank=True, help_text="备案机关, e.g. 黑龙江省民政厅")
    filing_reference = models.CharField(max_length=100, blank=True, help_text="备案文号")
    batch = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="批次: the application leading the batch this name belongs to (one decision, one notice); "
        "empty for a single application and for the batch's head, which carries its first name.",
    )

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(batch=F("id")), name="application_batch_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()} {self.proposed_name or self.place}"


class ApplicationEvent(models.Model):
    """One step of an application: who did what, when, with what note."""

    application = models.ForeignKey(NamingApplication, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.step} at {self.at:%Y-%m-%d %H:%M}"


class ExpertOpinion(models.Model):
    class Verdict(models.TextChoices):
        AGREE = "agree", "同意 agree"
        REVISE = "revise", "修改后同意 agree after revision"
        DISAGREE = "disagree", "不同意 disagree"

    application = models.ForeignKey(NamingApplication, on_delete=models.PROTECT, related_name="opinions")
    expert = models.CharField(max_length=100)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    comments = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.expert}: {self.verdict}"


class NoticeComment(models.Model):
    """A comment received during the public notice period: recorded by an officer (a letter, a call),
    or left by someone on the notice's public page (web.notices), which no officer records."""

    class Channel(models.TextChoices):
        OFFICER = "officer", "工作人员录入 recorded by an officer"
        PUBLIC = "public", "公示页面留言 left on the public notice page"

    application = models.ForeignKey(NamingApplication, on_delete=models.PROTECT, related_name="comments")
    commenter = models.CharField(max_length=100)
    contact = models.CharField(max_length=200, blank=True)
    comment = models.TextField()
    received_on = models.DateField()
    response = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.OFFICER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The officer who recorded it; empty for a comment left on the public page.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="public") | Q(recorded_by__isnull=False),
                name="noticecomment_recorded_by_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commenter} ({self.received_on})"


def attachment_storage() -> FileSystemStorage:
    """Attachments live under MEDIA_ROOT but are never served from it: their URLs lead to the API view
    that checks who may read the application (gazetteer.api.naming.attachment_file)."""
    return FileSystemStorage(base_url="/api/v1/attachments/")


class ApplicationAttachment(models.Model):
    application = models.ForeignKey(NamingApplication, on_delete=models.PROTECT, related_name="attachments")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="applications/%Y/", storage=attachment_storage)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class SearchEntry(models.Model):
    """One searchable name of a place, in every form the public types it (derived; rebuilt from the
    records by gazetteer.search.index, never edited). ``payload`` is the result the API returns."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="search_entries")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=PlaceName.Kind.choices)
    name_valid_from = models.DateField(null=True, blank=True)
    name_valid_to = models.DateField(null=True, blank=True)
    place_valid_from = models.DateField(null=True, blank=True)
    place_valid_to = models.DateField(null=True, blank=True)
    is_public = models.BooleanField()
    is_proposed = models.BooleanField(default=False)
    hanzi = models.CharField(max_length=200, help_text="Simplified characters, no spaces or punctuation.")
    proper = models.CharField(max_length=200, help_text="The proper part (专名) of the name.")
    pinyin = models.CharField(max_length=400, help_text="Toneless pinyin, letters only: mudanjiangshi.")
    proper_pinyin = models.CharField(max_length=400)
    initials = models.CharField(max_length=200, help_text="First letter of each syllable: mdjs.")
    bigrams = ArrayField(models.CharField(max_length=2), default=list)
    tier = models.PositiveSmallIntegerField(help_text="1 city .. 4 village; 5 for other places: ranks ties.")
    category_code = models.CharField(max_length=5)
    category_parent = models.CharField(max_length=5, blank=True)
    ancestors = ArrayField(models.BigIntegerField(), default=list, help_text="Ids of the containing units.")
    point = models.PointField(srid=STORAGE_SRID, null=True, spatial_index=False)
    payload = models.JSONField()

    class Meta:
        indexes = [
            models.Index(fields=["hanzi"], name="search_hanzi_idx", opclasses=["text_pattern_ops"]),
            models.Index(fields=["proper"], name="search_proper_idx"),
            models.Index(fields=["pinyin"], name="search_pinyin_idx", opclasses=["text_pattern_ops"]),
            models.Index(fields=["proper_pinyin"], name="search_proper_pinyin_idx", opclasses=["text_pattern_ops"]),
            models.Index(fields=["initials"], name="search_initials_idx", opclasses=["text_pattern_ops"]),
            GinIndex(fields=["bigrams"], name="search_bigrams_gin"),
            GinIndex(fields=["ancestors"], name="search_ancestors_gin"),
            GinIndex(OpClass("pinyin", name="gin_trgm_ops"), name="search_pinyin_trgm"),
            GistIndex(fields=["point"], name="search_point_gist"),
        ]

    def __str__(self) -> str:
        return f"{self.name} -> {self.place_id}"


class SearchDeletion(models.Model):
    """The name with the character at ``position`` left out. A query with one character wrong at
    position i shares the key at i with the name; a query missing one character is itself a key of
    the name. Both are exact index look-ups (trigram similarity cannot find these: a
    three-character name with one character wrong shares almost no trigram with it)."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="deletions")
    key = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "position"], name="searchdeletion_key_idx")]

    def __str__(self) -> str:
        return self.key


from gazetteer.models_addresses import *  # noqa: E402,F403  (roads and house numbers: their own module)
from gazetteer.models_renumbering import *  # noqa: E402,F403  (renumbering proposals: their own module)
from gazetteer.models_requests import *  # noqa: E402,F403  (numbering requests and their certificates: their own module)
from gazetteer.models_sign_surveys import *  # noqa: E402,F403  (sign surveys from the phone: their own module)
from gazetteer.models_signs import *  # noqa: E402,F403  (signs and their renewal campaigns: their own module)
from gazetteer.models_waters import *  # noqa: E402,F403  (rivers and lakes as drawn by a source: their own module)
