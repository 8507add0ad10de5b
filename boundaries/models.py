"""Administrative units, their codes and names through time, division-change events, and history."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.gis.db.models import functions as gis
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Q

from boundaries.levels import Level, Tier
from core.models import Changeset, DataSource
from core.records import DatedValue, RecordVersion, VersionedRecord
from core.srid import METRIC_SRID, STORAGE_CRS_LABEL, STORAGE_SRID


class AdminUnitQuerySet(models.QuerySet):
    def current(self):
        return self.filter(valid_to__isnull=True)

    def valid_at(self, day):
        """Units whose validity [valid_from, valid_to) contains ``day``."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def by_any_code(self, code: str):
        """Units whose current code, or any former or statistical code, is ``code``."""
        return self.filter(Q(code=code) | Q(codes__code=code)).distinct()


class AdminUnit(VersionedRecord):
    """An administrative unit (city, county, township, village) with its current code and name.

    Other codes and names (former, statistical) are typed rows in UnitCode/UnitName. Validity is
    the half-open interval [valid_from, valid_to); an empty bound is open. Nothing is deleted: a
    unit that ends gets ``valid_to``. Every change goes through boundaries.services.units, which
    bumps ``version`` and writes an AdminUnitVersion row in a changeset.
    """

    record_kind = "unit"
    record_key = "code"

    code = models.CharField(
        max_length=12, help_text="Current code: 6 digits (GB/T 2260), 9 (township) or 12 (village)."
    )
    name = models.CharField(max_length=100, help_text="Current standard name.")
    level = models.CharField(max_length=16, choices=Level.choices)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    valid_from = models.DateField(
        null=True, blank=True, help_text="First day of validity; empty: since before the records."
    )
    valid_to = models.DateField(null=True, blank=True, help_text="First day no longer valid; empty: current.")
    geom = models.MultiPolygonField(
        srid=STORAGE_SRID,
        null=True,
        blank=True,
        spatial_index=False,
        help_text=f"Administrative area, {STORAGE_CRS_LABEL}. Empty where no polygon is known.",
    )
    seat = models.PointField(
        srid=STORAGE_SRID,
        null=True,
        blank=True,
        spatial_index=False,
        help_text=f"Seat of government, {STORAGE_CRS_LABEL}.",
    )
    label_point = models.GeneratedField(
        expression=gis.PointOnSurface("geom"),
        output_field=models.PointField(srid=STORAGE_SRID, spatial_index=False),
        db_persist=True,
    )
    area_km2 = models.GeneratedField(
        expression=gis.Area(gis.Transform("geom", METRIC_SRID)) / 1_000_000,
        output_field=models.FloatField(),
        db_persist=True,
    )
    source = models.ForeignKey(
        DataSource,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where the code, name and level come from.",
    )
    geometry_source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    seat_source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["code"], name="adminunit_code_idx"),
            models.Index(fields=["level", "code"], name="adminunit_level_idx"),
            GistIndex(fields=["geom"], name="adminunit_geom_gist"),
            GistIndex(fields=["seat"], name="adminunit_seat_gist"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="adminunit_current_code_unique"
            ),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="adminunit_geom_valid"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="adminunit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def validate_constraints(self, exclude=None):
        # Geometry validity is a database check Django cannot evaluate in Python; forms check it themselves.
        super().validate_constraints(exclude={*(exclude or ()), "geom"})


class UnitCode(DatedValue):
    """A code the unit had or has in another list: a former code, or the statistics bureau's code
    where it differs from the civil-affairs code. An old code still finds its unit."""

    class Kind(models.TextChoices):
        FORMER = "former", "旧代码 former code"
        STATISTICAL = "statistical", "统计用区划代码 statistical code (NBS)"

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=12)
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        indexes = [models.Index(fields=["code"], name="unitcode_code_idx")]
        constraints = [models.UniqueConstraint(fields=["unit", "code", "kind"], name="unitcode_unique")]

    def __str__(self) -> str:
        return f"{self.code} ({self.kind}) -> {self.unit_id}"


class UnitName(DatedValue):
    """A name the unit had or has besides its current standard name."""

    class Kind(models.TextChoices):
        FORMER = "former", "曾用名 former name"
        STATISTICAL = "statistical", "统计用名称 name in the statistics list"
        ALIAS = "alias", "别名 alias"
        SHORT = "short", "简称 short name"

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="names")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        indexes = [models.Index(fields=["name"], name="unitname_name_idx")]
        constraints = [models.UniqueConstraint(fields=["unit", "name", "kind"], name="unitname_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class AdminUnitVersion(RecordVersion):
    """The state of a unit after each change: version n of unit u, made by one changeset."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="unit_versions")
    geom = models.MultiPolygonField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["unit", "version"]
        constraints = [models.UniqueConstraint(fields=["unit", "version"], name="adminunitversion_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} v{self.version}"


class DivisionChange(models.Model):
    """A dated event of the division history (establishment, abolition, rename, recode, ...).

    Events diffed from year-by-year code tables carry a year, not a day. Events that the diff made
    up (code reassignments, cross-province code crosstalk) are kept with ``is_noise`` and a reason,
    and are not used as fact.
    """

    class Kind(models.TextChoices):
        ESTABLISHED = "established", "新设"
        ABOLISHED = "abolished", "撤销"
        RENAMED = "renamed", "更名"
        RECODED = "recoded", "同名改码"
        CODE_REASSIGNED = "code_reassigned", "码位改派"
        COUNTY_TO_CITY = "county_to_city", "撤县设市"
        COUNTY_TO_DISTRICT = "county_to_district", "撤县设区"
        PREFECTURE_TO_CITY = "prefecture_to_city", "撤地设市"
        CITY_TO_DISTRICT = "city_to_district", "撤市设区"
        DISTRICT_REORGANISED = "district_reorganised", "撤区设区"
        ADJUSTED = "adjusted", "区划调整"
        TRANSFERRED = "transferred", "划转"
        SEAT_MOVED = "seat_moved", "驻地迁移"
        OTHER = "other", "其他"

    year = models.PositiveSmallIntegerField(db_index=True)
    effective_date = models.DateField(null=True, blank=True, help_text="The day, where the source gives it.")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    old_code = models.CharField(max_length=12, blank=True)
    old_name = models.CharField(max_length=100, blank=True)
    old_parent_code = models.CharField(max_length=12, blank=True)
    new_code = models.CharField(max_length=12, blank=True)
    new_name = models.CharField(max_length=100, blank=True)
    new_parent_code = models.CharField(max_length=12, blank=True)
    unit = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        help_text="The current unit this event is part of the history of.",
    )
    is_noise = models.BooleanField(default=False)
    noise_reason = models.TextField(blank=True)
    document_number = models.CharField(max_length=100, blank=True)
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="+")
    source_record = models.JSONField(help_text="The event as the source gives it.")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["year", "id"]
        indexes = [
            models.Index(fields=["old_code"], name="divchange_old_code_idx"),
            models.Index(fields=["new_code"], name="divchange_new_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.old_name}{self.old_code} -> {self.new_name}{self.new_code}"


class ImportConflict(models.Model):
    """A later data vintage disagrees with a value an officer has edited: the officer's value is
    kept and the disagreement waits here for a decision."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        ACCEPTED = "accepted", "source value accepted"
        REJECTED = "rejected", "officer value kept"

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="import_conflicts")
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=40)
    current_value = models.JSONField(null=True)
    incoming_value = models.JSONField(null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "source", "field"], condition=Q(status="open"), name="importconflict_one_open_per_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.field} ({self.status})"


class ContextArea(models.Model):
    """An area around the territory, for maps and for the parties of its outer boundary lines:
    the country, provinces, neighbouring prefectures, neighbouring countries. Not administered here."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "国家"
        PROVINCE = "province", "省级"
        PREFECTURE = "prefecture", "地级"
        FOREIGN = "foreign", "外国"

    code = models.CharField(max_length=12, unique=True, help_text="GB/T 2260 code, or ISO 3166 alpha-3 abroad.")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    geom = models.MultiPolygonField(srid=STORAGE_SRID, spatial_index=False, help_text=f"{STORAGE_CRS_LABEL}.")
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code"]
        indexes = [GistIndex(fields=["geom"], name="contextarea_geom_gist")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class BoundaryLine(VersionedRecord):
    """A boundary line between two (or three) neighbouring units: the legal record both sides manage.

    The lines of the territory are derived from the unit polygons (boundaries.lines): each shared edge of
    two county-level units, and each stretch of the city's outer boundary by its neighbour (a prefecture,
    a province, or the national border). Level by the highest boundary it is part of. Its geometry is
    the chain of its topology edges (TopologyEdge.line); its parties are references (LineParty), units
    of the territory or, across the city's outer boundary, areas outside the system (ContextArea)."""

    record_kind = "line"
    record_key = "code"

    class Level(models.TextChoices):
        NATIONAL = "national", "国界"
        PROVINCE = "province", "省级界"
        PREFECTURE = "prefecture", "地级界"
        COUNTY = "county", "县级界"
        TOWNSHIP = "township", "乡级界"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "现行 in force"
        ABOLISHED = "abolished", "废止 abolished"

    code = models.CharField(
        max_length=40,
        unique=True,
        help_text="Internal key: the parties' codes in order, e.g. 231083-231084 (the agreement's own "
        "number is agreement_number).",
    )
    name = models.CharField(max_length=200, help_text="e.g. 海林市—宁安市线")
    level = models.CharField(max_length=12, choices=Level.choices)
    geom = models.MultiLineStringField(srid=STORAGE_SRID, spatial_index=False, help_text=f"{STORAGE_CRS_LABEL}.")
    length_km = models.GeneratedField(
        expression=gis.Length(gis.Transform("geom", METRIC_SRID)) / 1000,
        output_field=models.FloatField(),
        db_persist=True,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    read_only = models.BooleanField(
        default=False, help_text="Not the bureau's to edit (the national border): drawn and described only."
    )
    agreement_number = models.CharField(max_length=100, blank=True, help_text="协议书编号")
    agreement_date = models.DateField(null=True, blank=True, help_text="协议书签订日期")
    agreement_signatories = models.TextField(blank=True, help_text="协议书签字方 (one per line)")
    course_description = models.TextField(blank=True, help_text="走向说明, generated from the data")
    course_generated_at = models.DateTimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    derived_from = models.CharField(max_length=100, blank=True, help_text="What the geometry was derived from.")

    class Meta:
        ordering = ["level", "code"]
        indexes = [GistIndex(fields=["geom"], name="boundaryline_geom_gist")]

    def __str__(self) -> str:
        return self.name

    @property
    def parties(self) -> list[dict]:
        """[{code, name, outside}] in the line's order (prefetch ``party_rows__unit``/``__outside``)."""
        return [row.as_dict() for row in sorted(self.party_rows.all(), key=lambda row: row.order)]


class LineParty(models.Model):
    """One side of a line: a unit of the territory, or an area outside the system (a neighbouring
    prefecture, another province, a foreign country) whose approval an officer records."""

    line = models.ForeignKey(BoundaryLine, on_delete=models.CASCADE, related_name="party_rows")
    order = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(AdminUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="line_parties")
    outside = models.ForeignKey(
        ContextArea, null=True, blank=True, on_delete=models.PROTECT, related_name="line_parties"
    )

    class Meta:
        ordering = ["line", "order"]
        constraints = [
            models.UniqueConstraint(fields=["line", "order"], name="lineparty_order_unique"),
            models.CheckConstraint(
                condition=Q(unit__isnull=False, outside__isnull=True) | Q(unit__isnull=True, outside__isnull=False),
                name="lineparty_one_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.party}"

    @property
    def party(self):
        return self.unit or self.outside

    def as_dict(self) -> dict:
        party = self.party
        return {"code": party.code, "name": party.name, "outside": self.unit_id is None}


class BoundaryLineVersion(RecordVersion):
    line = models.ForeignKey(BoundaryLine, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="line_versions")
    geom = models.MultiLineStringField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["line", "version"]
        constraints = [models.UniqueConstraint(fields=["line", "version"], name="boundarylineversion_unique")]


class TopologyLayerQuerySet(models.QuerySet):
    """Two layers share the edge and node tables: the county layer (``within`` null: between county-level
    units or on the city's outline) and each county's township layer (``within``: the county whose
    townships the edge divides, boundaries.services.township_topology). Retired rows (a township file
    imported again) stay for their history."""

    def county_layer(self):
        return self.filter(within__isnull=True)

    def townships_of(self, county):
        return self.filter(within=county, retired_at__isnull=True)


class TopologyNode(models.Model):
    """Where three or more faces meet, or a ring's chosen start: every edge begins and ends at a node."""

    geom = models.PointField(srid=STORAGE_SRID, spatial_index=False)
    within = models.ForeignKey(
        "AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The county whose township layer the node belongs to (empty: the county layer)",
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = TopologyLayerQuerySet.as_manager()

    class Meta:
        indexes = [GistIndex(fields=["geom"], name="topologynode_geom_gist")]

    def __str__(self) -> str:
        return f"node {self.pk}"


class TopologyEdge(VersionedRecord):
    """A stretch of boundary stored once, between two nodes, with the unit on its left and on its right
    (null: outside the territory). The county polygons are rebuilt from their edges
    (boundaries.services.topology), a county's townships from its township layer and its outline
    (boundaries.services.township_topology), so one edit of an edge changes both neighbours."""

    record_kind = "edge"

    geom = models.LineStringField(srid=STORAGE_SRID, spatial_index=False, help_text=f"{STORAGE_CRS_LABEL}.")
    start_node = models.ForeignKey(TopologyNode, on_delete=models.PROTECT, related_name="+")
    end_node = models.ForeignKey(TopologyNode, on_delete=models.PROTECT, related_name="+")
    left = models.ForeignKey(AdminUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(AdminUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(BoundaryLine, null=True, blank=True, on_delete=models.PROTECT, related_name="edges")
    within = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The county whose townships the edge divides (empty: an edge of the county layer)",
    )
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When a new township file replaced the edge (kept for its history)"
    )

    objects = TopologyLayerQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [GistIndex(fields=["geom"], name="topologyedge_geom_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(left__isnull=False) | Q(right__isnull=False), name="edge_has_a_face"),
        ]

    def __str__(self) -> str:
        return f"edge {self.pk}"


class TopologyEdgeVersion(RecordVersion):
    edge = models.ForeignKey(TopologyEdge, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="edge_versions")
    geom = models.LineStringField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["edge", "version"]
        constraints = [models.UniqueConstraint(fields=["edge", "version"], name="topologyedgeversion_unique")]


from boundaries.models_drafts import *  # noqa: E402,F403  (division drafts: their own module)
from boundaries.models_inspections import *  # noqa: E402,F403  (joint inspections: their own module)
from boundaries.models_marker_events import *  # noqa: E402,F403  (marker events: their own module)
from boundaries.models_markers import *  # noqa: E402,F403  (markers: their own module)
from boundaries.models_photos import *  # noqa: E402,F403  (marker photos: their own module)
from boundaries.models_proposals import *  # noqa: E402,F403  (proposals: their own module)
from boundaries.models_replacement import *  # noqa: E402,F403  (marker replacement: its own module)
