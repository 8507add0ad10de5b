"""One row of a file, checked and turned into what a record would get: a plan, with every problem
found in it. Nothing is written here; importing.py applies the plans through the place services."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely

from boundaries.models import AdminUnit
from boundaries.services.queries import UnknownUnit, unit_by_code
from core.geometry import GeometryError
from gazetteer.models import Category, Place
from gazetteer.services import standing
from gazetteer.services.names import name_problem
from gazetteer.services.place_io import fields as f
from gazetteer.services.place_io.cells import NOT_IN_CSV, left_out
from gazetteer.services.place_io.coordinates import Reprojector
from gazetteer.services.place_io.dataset import RawRow
from gazetteer.services.place_io.roads import RoadPlan, RoadPlanner, road_by_bureau_id

GEOMETRY_FAMILIES = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


@dataclass
class RowPlan:
    number: int
    layer: str | None = None
    code: str | None = None
    existing: Place | None = None
    name: str = ""
    category: Category | None = None
    category_given: bool = False  # by the row itself, not the file-wide default
    geom: shapely.Geometry | None = None  # in the storage CRS
    unit: AdminUnit | None = None
    attributes: dict = field(default_factory=dict)  # Place field -> value, only those the row carries
    other_names: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)
    version: int | None = None
    decision: standing.Decision | None = None  # cited in full: the name is registered as standard
    left_out: set[str] = field(default_factory=set)  # fields the CSV left out as too long (cells.py)
    road: RoadPlan | None = None  # a road or railway: its Road record's class and route number (roads.py)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def error(self, field_name: str, message: str) -> None:
        self.errors.append((field_name, message))


class RowPlanner:
    """Turns raw rows into plans, given the column match and the file-wide options."""

    def __init__(
        self, columns: dict[str, str], *, reproject: Reprojector | None, default_category: Category | None = None
    ):
        self.columns, self.reproject, self.default_category = columns, reproject, default_category
        self._categories = {c.code: c for c in Category.objects.all()}
        self._categories_by_name = {c.name_zh: c for c in self._categories.values()}
        self._roads = RoadPlanner(columns, self._categories)

    def plan(self, raw: RawRow) -> RowPlan:
        plan = RowPlan(raw.number, raw.layer, errors=list(raw.problems))
        self._left_out(raw, plan)
        for step in (self._identity, self._category, self._attributes, self._decision, self._names, self._unit):
            step(raw, plan)
        self._geometry(raw, plan)
        self._roads.plan(
            plan, self._cell(raw, "road_class"), self._cell(raw, "route_ref"), self._cell(raw, "bureau_id")
        )
        self._requirements(plan)
        return plan

    def _cell(self, raw: RawRow, field_name: str):
        column = self.columns.get(field_name)
        value = raw.values.get(column) if column is not None else None
        return None if f.is_blank(value) else value

    def _left_out(self, raw: RawRow, plan: RowPlan) -> None:
        """The values an exported CSV left out as too long for a cell: the record keeps its own."""
        for column in left_out(self._cell(raw, NOT_IN_CSV)):
            name = f.field_named(column) or column
            plan.left_out.add(name)
            what = "the geometry" if name == "wkt" else f"the value of {name}"
            plan.warnings.append(
                (
                    "geometry" if name == "wkt" else name,
                    f"{what} was too long for a CSV cell and is not in this file ({NOT_IN_CSV}): the record "
                    "keeps its own; import the GeoJSON or GeoPackage of the same export to change it",
                )
            )

    def _identity(self, raw: RawRow, plan: RowPlan) -> None:
        """The standard name is checked (names.name_problem) before anything else sees it."""
        name = self._cell(raw, "name")
        plan.name = str(name).strip() if name is not None else ""
        if not plan.name:
            if not any(column == self.columns.get("name") for column, _ in raw.problems):  # not a dropped cell
                plan.error("name", "the standard name is empty")
        elif problem := name_problem(plan.name):
            plan.error("name", problem)
            plan.name = ""
        code = self._cell(raw, "code")
        if code is not None:
            try:
                plan.code = f.place_code(code)
            except f.ValueProblem as exc:
                plan.error("code", str(exc))
        if plan.code:
            plan.existing = Place.objects.select_related("category", "unit").filter(code=plan.code).first()
            if plan.existing is None:
                plan.warnings.append(("code", f"no record has the code {plan.code}: a new record gets a new code"))
        elif (bureau_id := self._cell(raw, "bureau_id")) is not None and (road := road_by_bureau_id(bureau_id)):
            plan.existing, plan.code = road.place, road.place.code  # the bureau's file again, without our codes
        version = self._cell(raw, "version")
        if version is not None:
            try:
                plan.version = f.whole_number(version)
            except f.ValueProblem as exc:
                plan.error("version", str(exc))

    def _category(self, raw: RawRow, plan: RowPlan) -> None:
        code, label = self._cell(raw, "category"), self._cell(raw, "category_name")
        if code is not None:
            plan.category = self._categories.get(f.category_code(code))
            if plan.category is None:
                plan.error("category", f"unknown category {f.category_code(code)!r}; see /api/v1/categories")
        elif label is not None:
            plan.category = self._categories_by_name.get(str(label).strip())
            if plan.category is None:
                plan.error("category", f"unknown category name {label!r}; see /api/v1/categories")
        plan.category_given = plan.category is not None
        if plan.category is None and plan.existing is None:
            plan.category = self.default_category

    def _attributes(self, raw: RawRow, plan: RowPlan) -> None:
        for field_name, parse in f.ATTRIBUTE_PARSERS.items():
            value = self._cell(raw, field_name)
            if value is None:
                continue
            try:
                plan.attributes[field_name] = parse(value)
            except f.ValueProblem as exc:
                plan.error(field_name, str(exc))
        start, end = plan.attributes.get("valid_from"), plan.attributes.get("valid_to")
        if start and end and end <= start:
            plan.error("valid_to", f"valid_to {end} is not after valid_from {start}")

    def _decision(self, raw: RawRow, plan: RowPlan) -> None:
        authority, document, day = (self._cell(raw, name) for name in f.DECISION_FIELDS)
        try:
            plan.decision = standing.Decision.from_values(
                f.text(authority, 200) if authority is not None else None,
                f.text(document, 100) if document is not None else None,
                f.date(day) if day is not None else None,
            )
        except (f.ValueProblem, standing.StandingRefused) as exc:
            plan.error("decision", str(exc))

    def _names(self, raw: RawRow, plan: RowPlan) -> None:
        for field_name, kind in f.NAME_KINDS.items():
            value = self._cell(raw, field_name)
            if value is None:
                continue
            for name in f.names(value):
                if problem := name_problem(name):
                    plan.error(field_name, problem)
                elif name != plan.name:
                    plan.other_names.append((kind, name))

    def _unit(self, raw: RawRow, plan: RowPlan) -> None:
        code = self._cell(raw, "unit")
        if code is None:
            return
        try:
            plan.unit = unit_by_code(str(code).strip())
        except UnknownUnit:
            plan.error("unit", f"unknown administrative unit {code!r}")

    def _geometry(self, raw: RawRow, plan: RowPlan) -> None:
        geometry = raw.geometry if raw.geometry is not None else self._tabular_geometry(raw, plan)
        if geometry is None or any(name == "geometry" for name, _ in plan.errors):
            return
        problem = _shape_problem(geometry)
        if problem:
            plan.error("geometry", problem)
            return
        if self.reproject is None:
            plan.error("geometry", "the file's CRS is unknown")
            return
        try:
            plan.geom = self.reproject(geometry, "the geometry")
        except GeometryError as exc:
            plan.error("geometry", str(exc))
            return
        if not shapely.is_valid(plan.geom):
            plan.error("geometry", f"invalid after reprojection: {shapely.is_valid_reason(plan.geom)}")
        _check_family(plan)

    def _tabular_geometry(self, raw: RawRow, plan: RowPlan) -> shapely.Geometry | None:
        """A CSV's geometry: a WKT column, else lon/lat (x/y) columns; none where the WKT was left out
        as too long (lon/lat are then only a point on it)."""
        if "wkt" in plan.left_out:
            return None
        wkt = self._cell(raw, "wkt")
        if wkt is not None:
            try:
                return shapely.from_wkt(str(wkt))
            except shapely.errors.GEOSException as exc:
                plan.error("geometry", f"malformed WKT ({exc})")
                return None
        lon, lat = self._cell(raw, "lon"), self._cell(raw, "lat")
        if lon is None and lat is None:
            return None
        if lon is None or lat is None:
            plan.error("geometry", "give both lon and lat")
            return None
        try:
            return shapely.Point(f.number(lon), f.number(lat))
        except f.ValueProblem as exc:
            plan.error("geometry", f"lon/lat: {exc}")
        return None

    def _requirements(self, plan: RowPlan) -> None:
        if plan.existing is not None:
            return
        if plan.category is None and not any(name == "category" for name, _ in plan.errors):
            plan.error("category", "no category: give a `category` column or one category for the whole file")
        if plan.geom is None and plan.unit is None and not any(name == "geometry" for name, _ in plan.errors):
            plan.error("geometry", "a new record needs a geometry (or a `unit` column)")


def _check_family(plan: RowPlan) -> None:
    """A point where the category expects a line (a road as a point) is worth a warning, not a refusal."""
    category = plan.category or (plan.existing.category if plan.existing else None)
    expected = category.geometry if category else "any"
    family = GEOMETRY_FAMILIES[plan.geom.geom_type]
    if expected in GEOMETRY_FAMILIES.values() and family != expected:
        message = f"a {family} for category {category.code} ({category.name_zh}), which expects a {expected}"
        plan.warnings.append(("geometry", message))


def _shape_problem(geometry: shapely.Geometry) -> str | None:
    if geometry.geom_type not in GEOMETRY_FAMILIES:
        return f"a {geometry.geom_type} cannot be a place's geometry (points, lines or polygons)"
    if geometry.is_empty:
        return "the geometry is empty"
    if not shapely.is_valid(geometry):
        return f"invalid geometry: {shapely.is_valid_reason(geometry)}"
    return None
