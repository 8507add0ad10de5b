"""Course descriptions kept on the lines: read what a line's records say about it (its parties, who meets
at its ends, the landmarks the providers know), have boundaries.services.course write the text, and keep
it on the line as a new version (``course_description``, ``course_generated_at``) in a changeset.

A description is stale when the line, or a line that touches it, has a version newer than the text (its
geometry, name or parties, or who meets at its ends, changed since): ``describe_lines(stale_only=True)``
brings those up to date, and runs after the base data is loaded (core.base_data.DERIVATIONS). Landmarks
added since (a new standard place) do not make a text stale: the command ``describe_boundary_lines``
regenerates every text on demand."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from pyproj import Transformer

from boundaries.levels import Level, Tier
from boundaries.models import (
    AdminUnit,
    BoundaryLine,
    BoundaryLineVersion,
    BoundaryMarker,
    ContextArea,
    TopologyEdge,
    TopologyNode,
)
from boundaries.services.course import CourseSettings, CourseText, chains, cn_number, describe
from boundaries.services.landmarks import JUNCTION, MARKER, Landmark, landmarks_near
from boundaries.services.line_records import record_version
from core.geometry import from_geos
from core.history import open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.srid import METRIC_SRID, STORAGE_SRID

# The lines' ends are shared vertices (one lineage): they coincide exactly; this only absorbs rounding.
END_SNAP_DEG = 1e-7

COUNTY_KINDS = {Level.COUNTY: "县", Level.COUNTY_CITY: "市", Level.DISTRICT: "区"}
COUNTY_ORDER = ("县", "市", "区")
PREFECTURE_ORDER = ("市", "州", "盟", "地区")


def course_settings() -> CourseSettings:
    """The defaults of CourseSettings, overridden by ``settings.BOUNDARY_COURSE`` (a dict), if set."""
    return CourseSettings(**getattr(settings, "BOUNDARY_COURSE", {}))


@lru_cache(maxsize=4)
def _transformer(srid: int) -> Transformer:
    return Transformer.from_crs(srid, METRIC_SRID, always_xy=True)


def to_metric(geom: GEOSGeometry) -> shapely.Geometry:
    """A GEOS geometry (with its SRID) as shapely in the metric CRS (core.srid METRIC_SRID)."""
    shape = from_geos(geom)
    if geom.srid == METRIC_SRID:
        return shape
    transformer = _transformer(geom.srid or STORAGE_SRID)
    return shapely.transform(shape, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


# ---- who meets at an end -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    code: str
    name: str
    rank: str  # county | prefecture | province | country
    kind: str  # 县/市/区 for a county-level unit, the name's ending for a prefecture


def _unit_party(unit: AdminUnit) -> Party:
    if unit.tier == Tier.COUNTY:
        return Party(unit.code, unit.name, "county", COUNTY_KINDS.get(unit.level, ""))
    return Party(unit.code, unit.name, "prefecture", "市" if unit.level == Level.CITY else "")


def _area_party(area: ContextArea) -> Party:
    rank = {ContextArea.Kind.PREFECTURE: "prefecture", ContextArea.Kind.PROVINCE: "province"}.get(area.kind, "country")
    kind = next((k for k in PREFECTURE_ORDER if area.name.endswith(k)), "")
    return Party(area.code, area.name, rank, kind)


def _parties(line: BoundaryLine) -> list[Party]:
    rows = sorted(line.party_rows.all(), key=lambda row: row.order)
    return [_unit_party(row.unit) if row.unit_id else _area_party(row.outside) for row in rows]


def _current_lines():
    return BoundaryLine.objects.filter(valid_to__isnull=True, status=BoundaryLine.Status.IN_FORCE)


def meeting_at(line: BoundaryLine, point: Point) -> list[Party]:
    """The units that meet where ``line`` ends at ``point``: its own parties, those of the other current
    lines that reach the point, and the faces of the topology edges at a node there. A county-level line
    speaks of counties (the territory's city, which holds them, is left out); a line of the city's outer
    boundary of prefectures (the counties inside are left out)."""
    reach = point.buffer(END_SNAP_DEG)
    others = (
        _current_lines()
        .exclude(pk=line.pk)
        .filter(geom__intersects=reach)
        .order_by("code")
        .prefetch_related("party_rows__unit", "party_rows__outside")
    )
    found = _parties(line) + [party for other in others for party in _parties(other)]
    nodes = TopologyNode.objects.county_layer().filter(geom__intersects=reach)
    edges = TopologyEdge.objects.county_layer().filter(Q(start_node__in=nodes) | Q(end_node__in=nodes))
    edges = edges.select_related("left", "right")
    found += [_unit_party(unit) for edge in edges.order_by("pk") for unit in (edge.left, edge.right) if unit]
    unique: dict[str, Party] = {}
    for party in found:
        unique.setdefault(party.code, party)
    if line.level == BoundaryLine.Level.COUNTY:
        unique.pop(settings.TERRITORY_CODE, None)
    else:
        unique = {code: party for code, party in unique.items() if party.rank != "county"}
    return list(unique.values())


def _kinds(parties: list[Party], order: tuple[str, ...]) -> str:
    """县（市、区）: the kinds present, the first outside the brackets; empty when one is unknown."""
    if not all(p.kind in order for p in parties):
        return ""
    present = [k for k in order if any(p.kind == k for p in parties)]
    return present[0] + (f"（{'、'.join(present[1:])}）" if len(present) > 1 else "")


def junction_phrase(parties: list[Party]) -> str | None:
    """海林市、宁安市、东安区三县（市、区）交界处 when three or more units of one rank meet; 海林市、宁安市与
    延边朝鲜族自治州交界处 when they are of different ranks; None when fewer than three meet."""
    if len(parties) < 3:
        return None
    names = [p.name for p in parties]
    ranks = {p.rank for p in parties}
    order = {"county": COUNTY_ORDER, "prefecture": PREFECTURE_ORDER}.get(ranks.pop()) if len(ranks) == 1 else None
    kinds = _kinds(parties, order) if order else ""
    if kinds:
        return f"{'、'.join(names)}{cn_number(len(names))}{kinds}交界处"
    return f"{'、'.join(names[:-1])}与{names[-1]}交界处"


def junctions(line: BoundaryLine) -> list[Landmark]:
    """A junction landmark at each end of the line's chains where three or more units meet."""
    found = []
    for coords in chains(from_geos(line.geom)):
        for x, y in (coords[0], coords[-1]):
            point = Point(float(x), float(y), srid=STORAGE_SRID)
            phrase = junction_phrase(meeting_at(line, point))
            if phrase:
                found.append(Landmark(JUNCTION, phrase, to_metric(point), code=f"{x:.7f},{y:.7f}"))
    return found


def markers_of(line: BoundaryLine) -> list[Landmark]:
    """The line's registered markers ("至001号界桩"), one per number (a pair or triple shares it); not the
    abolished ones, nor demonstration markers (示例), which the data does not hold as real."""
    markers = (
        BoundaryMarker.objects.filter(line=line, is_synthetic=False, abolished_on__isnull=True)
        .exclude(status=BoundaryMarker.Status.ABOLISHED)
        .order_by("sequence", "kind")
    )
    found: dict[int, Landmark] = {}
    for marker in markers:
        name = f"{marker.sequence:03d}号界桩"
        found.setdefault(marker.sequence, Landmark(MARKER, name, to_metric(marker.geom), code=marker.number))
    return list(found.values())


# ---- describe and keep -------------------------------------------------------------------------------


def course_of(line: BoundaryLine) -> CourseText:
    """The line's course description as its records stand (nothing is saved)."""
    options = course_settings()
    marks = [replace(lm, geom=to_metric(lm.geom)) for lm in landmarks_near(line.geom, options.landmark_buffer_m)]
    markers = markers_of(line)
    # Markers are numbered along the line: with two or more, the text starts at the end nearest the first.
    hint = markers[0].geom.coords[0] if len(markers) >= 2 else None
    return describe(
        to_metric(line.geom),
        parties=line.parties,
        landmarks=marks + markers + junctions(line),
        start_hint=hint,
        name=line.name,
        settings=options,
    )


class CourseRun:
    """One run of descriptions: its changeset, opened at its first change."""

    def __init__(self):
        self._changeset = None

    @property
    def changeset(self) -> Changeset:
        if self._changeset is None:
            self._changeset = open_changeset(
                Changeset.Kind.BULK, "course descriptions generated from the line data", label="describe boundary lines"
            )
        return self._changeset


@transaction.atomic
def keep_course(line: BoundaryLine, text: str, run: CourseRun | None = None) -> bool:
    """Store the text on the line: a new version when it differs (boundaries.services.line_records keeps
    the text in the version's snapshot and announces the change); when it is the same, only the time it
    was last generated. Returns whether the text changed."""
    line = lock(BoundaryLine.objects.all(), line.pk)
    if line.course_description == text:
        BoundaryLine.objects.filter(pk=line.pk).update(course_generated_at=timezone.now())
        return False
    changeset = (run or CourseRun()).changeset  # opened before the time is taken: its version is not newer
    line.course_description, line.course_generated_at = text, timezone.now()
    bump(line, update_fields=["course_description", "course_generated_at", "version"])
    record_version(line, changeset, frozenset({"course_description", "course_generated_at"}))
    return True


def generate_course(line: BoundaryLine, run: CourseRun | None = None) -> str:
    """Describe the line from its data and keep the text (boundaries.services.course explains how)."""
    text = course_of(line).text
    keep_course(line, text, run)
    return text


def stale_lines():
    """Current lines without a description, or whose description may no longer hold: a version of the
    line, or of a line that touches it (who meets at its ends), is newer than the description."""
    newer = BoundaryLineVersion.objects.filter(
        line__geom__intersects=OuterRef("geom"), changeset__created_at__gt=OuterRef("course_generated_at")
    )
    return _current_lines().filter(Q(course_description="") | Q(course_generated_at__isnull=True) | Exists(newer))


@transaction.atomic
def describe_lines(*, stale_only: bool = False) -> int:
    """(Re)generate the descriptions of the current lines (only the stale ones with ``stale_only``), in
    one changeset; returns how many texts changed."""
    lines = (stale_lines() if stale_only else _current_lines()).order_by("code")
    run = CourseRun()
    changed = 0
    for line in lines.prefetch_related("party_rows__unit", "party_rows__outside"):
        changed += keep_course(line, course_of(line).text, run)
    return changed


def describe_stale_lines() -> int:
    """After the base data is loaded: describe the lines whose description is missing or stale."""
    return describe_lines(stale_only=True)
