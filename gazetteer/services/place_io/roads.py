"""Road rows of a place file: the bureau's road file is a place file whose rows also carry a road class
and a route number (G11, S206). Each such row is a place record of category 08100 道路、街、巷 (a
railway 08200) with a line, and its Road record (gazetteer.models_addresses) holds the class and the
route number; stations are plain place rows of category 08400 (points) in the same file or another.

The class is read from the ``road_class`` column (the model's values, the Chinese class names of a
bureau's file, or the common English words), else inferred from the route number by the national
numbering (G + 1-2 or 4 digits: a national expressway, G + 3 digits: a national road, S + 3 digits: a
provincial road, S + 1-2 or 4 digits: a provincial expressway, X: a county road, Y (乡道): drawn as a
county road), else from the category (a railway) or the city's default (an urban road). An inferred
class is a warning in the report, a class that contradicts its route number too. The class decides
the category of a new record: a railway is 08200, any other road 08100; a row's own category that
says otherwise is an error.

Nothing is written here but through gazetteer.services.house_numbers (the only writer of Road rows):
``register_road`` for a new road record, ``set_rule`` for a changed class or route number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gazetteer.models import Category, Place, Road
from gazetteer.services import house_numbers
from gazetteer.services.place_io import fields as f

RoadClass = Road.RoadClass
ROAD_CATEGORY, RAILWAY_CATEGORY, STATION_CATEGORY = "08100", "08200", "08400"
ROAD_FAMILY = ("081", "082")  # category codes whose line records have a Road record
LINE_TYPES = ("LineString", "MultiLineString")
ROUTE_REF = re.compile(r"^[A-Z]{1,2}[0-9]{1,4}[A-Z]?$")
MAX_ROUTE_REF = 12  # Road.route_ref

# What a bureau's file writes in its class column, by class (compared without case and spaces).
CLASS_WORDS = {
    RoadClass.EXPRESSWAY: ("高速公路", "高速", "高速路", "国家高速", "省高速", "expressway", "motorway", "freeway"),
    RoadClass.NATIONAL: ("国道", "国省干线", "national", "trunk"),
    RoadClass.PROVINCIAL: ("省道", "provincial", "primary"),
    RoadClass.COUNTY: ("县道", "乡道", "县乡道", "county", "secondary", "tertiary"),
    RoadClass.URBAN: (
        "城市道路", "城市快速路", "城市主干路", "城市次干路", "城市支路", "快速路", "主干路", "次干路", "支路",
        "街道", "路", "街",
        "urban", "street", "residential",
    ),
    RoadClass.LANE: ("巷", "胡同", "巷道", "街巷", "里弄", "lane", "alley"),
    RoadClass.RAILWAY: ("铁路", "铁道", "铁路线", "railway", "rail"),
}  # fmt: skip
_BY_WORD = {word.lower(): str(cls) for cls, words in CLASS_WORDS.items() for word in words}
_BY_WORD.update({str(cls): str(cls) for cls in RoadClass})
_BY_WORD.update({label.split()[0]: str(cls) for cls, label in RoadClass.choices})
NOT_NUMBERED = {RoadClass.EXPRESSWAY, RoadClass.RAILWAY}  # no house numbers along them


@dataclass
class RoadPlan:
    """What a row says of its road record: the class (None: the record keeps its own, or the default for a
    new one), the route number and the bureau's id (None: not given)."""

    road_class: str | None = None
    route_ref: str | None = None
    bureau_id: str | None = None
    class_inferred: bool = False


def road_by_bureau_id(value) -> Road | None:
    """The road a bureau's file has given this id before (its later import updates it, not a new record)."""
    value = "".join(str(value).split())
    return Road.objects.select_related("place__category", "place__unit").filter(bureau_id=value).first()


def road_class(value) -> str:
    word = "".join(str(value).split()).lower()
    if word in _BY_WORD:
        return _BY_WORD[word]
    known = "、".join(label.split()[0] for _, label in RoadClass.choices)
    raise f.ValueProblem(f"{str(value).strip()!r} is not a road class ({', '.join(RoadClass.values)}; or {known})")


def route_ref(value) -> str:
    ref = "".join(str(value).split()).upper()
    if len(ref) > MAX_ROUTE_REF or not ROUTE_REF.match(ref):
        raise f.ValueProblem(f"{str(value).strip()[:40]!r} is not a route number such as G11, G201, S206 or X025")
    return ref


def class_of_route(ref: str) -> str | None:
    """The class the national numbering gives a route number, if it says one."""
    letter, digits = ref[0], re.sub(r"\D", "", ref)
    if letter in "GS" and len(digits) in (1, 2, 4):
        return RoadClass.EXPRESSWAY
    if letter == "G" and len(digits) == 3:
        return RoadClass.NATIONAL
    if letter == "S" and len(digits) == 3:
        return RoadClass.PROVINCIAL
    if letter in "XY":
        return RoadClass.COUNTY
    return None


def is_road_category(category: Category | None) -> bool:
    return category is not None and category.code.startswith(ROAD_FAMILY)


class RoadPlanner:
    """The road part of a row plan (rows.RowPlanner calls it once the row's category and geometry are known)."""

    def __init__(self, columns: dict[str, str], categories: dict[str, Category]):
        self.reads_roads = bool({"road_class", "route_ref", "bureau_id"} & set(columns))
        self._bureau_ids: dict[str, int] = {}  # the file's ids so far: the row that had each
        self.road, self.railway = categories.get(ROAD_CATEGORY), categories.get(RAILWAY_CATEGORY)

    def plan(self, plan, class_cell, ref_cell, bureau_cell=None) -> None:
        given = self._given(plan, class_cell, ref_cell)
        if bureau_cell is not None:
            given = given or RoadPlan()
            given.bureau_id = self._bureau_id(plan, bureau_cell)
        category = plan.category or (plan.existing.category if plan.existing else None)
        if given is None and not (is_road_category(category) and self._is_line(plan)):
            return  # a road record as a point (say, from a list of names) stays a place, as before
        given = given or RoadPlan()
        if given.road_class is None and plan.existing is None:
            self._default_class(plan, given, category)
        if given.road_class is not None:
            self._categorise(plan, given.road_class)
        category = plan.category or (plan.existing.category if plan.existing else None)
        if not is_road_category(category):
            if category is not None and category.code.startswith("084"):
                plan.error("road_class", "a station is a point, not a road: leave its road_class and route_ref empty")
            elif category is not None:
                plan.error("road_class", f"category {category.code} ({category.name_zh}) is not a road or railway")
            return
        if not self._is_line(plan):
            if (plan.geom is not None or plan.existing is not None) and not any(
                name == "geometry" for name, _ in plan.errors
            ):
                plan.error("geometry", "a road or railway with a class or route number needs a line geometry")
            return
        plan.road = given

    def _bureau_id(self, plan, cell) -> str:
        """The bureau's id of the row's road: one road per id, in the file and in the register."""
        value = "".join(str(cell).split())
        known = road_by_bureau_id(value)
        if len(value) > Road._meta.get_field("bureau_id").max_length:
            plan.error("bureau_id", "the bureau's road id is at most 40 characters")
        elif value in self._bureau_ids:
            plan.error("bureau_id", f"row {self._bureau_ids[value]} has the same id {value}")
        elif known is not None and plan.existing not in (None, known.place):
            plan.error("bureau_id", f"{value} is road {known.place.code}'s, not {plan.existing.code}'s")
        self._bureau_ids.setdefault(value, plan.number)
        return value

    @staticmethod
    def _is_line(plan) -> bool:
        if plan.geom is not None:
            return plan.geom.geom_type in LINE_TYPES
        existing = plan.existing.geom if plan.existing is not None else None
        return existing is not None and existing.geom_type in LINE_TYPES

    def _given(self, plan, class_cell, ref_cell) -> RoadPlan | None:
        if class_cell is None and ref_cell is None:
            return None
        given = RoadPlan()
        try:
            given.road_class = road_class(class_cell) if class_cell is not None else None
        except f.ValueProblem as exc:
            plan.error("road_class", str(exc))
        try:
            given.route_ref = route_ref(ref_cell) if ref_cell is not None else None
        except f.ValueProblem as exc:
            plan.error("route_ref", str(exc))
        if given.route_ref and given.road_class is None and class_cell is None:
            given.road_class = class_of_route(given.route_ref)
            given.class_inferred = given.road_class is not None
            if given.class_inferred:
                plan.warnings.append(
                    ("road_class", f"no class given: {_label(given.road_class)} by its route number {given.route_ref}")
                )
        elif given.route_ref and given.road_class and given.road_class != RoadClass.EXPRESSWAY:
            implied = class_of_route(given.route_ref)
            if implied not in (None, given.road_class):
                plan.warnings.append(
                    (
                        "route_ref",
                        f"{given.route_ref} is numbered as a {_label(implied)}, the row says "
                        f"{_label(given.road_class)}: the row's class is kept",
                    )
                )
        return given

    def _default_class(self, plan, given: RoadPlan, category: Category | None) -> None:
        is_railway = category is not None and category.code.startswith("082")
        given.road_class = RoadClass.RAILWAY if is_railway else RoadClass.URBAN
        given.class_inferred = True
        if self.reads_roads and not is_railway:
            plan.warnings.append(("road_class", f"no class given: {_label(given.road_class)}"))

    def _categorise(self, plan, cls: str) -> None:
        """The category the class implies: a row's own category must agree; the file-wide default gives way."""
        wanted = self.railway if cls == RoadClass.RAILWAY else self.road
        current = plan.category if plan.existing is None else plan.existing.category
        prefix = "082" if cls == RoadClass.RAILWAY else "081"
        if current is not None and current.code.startswith(prefix):
            return
        if plan.existing is not None:
            if current is not None and current.code.startswith(ROAD_FAMILY):
                plan.error("road_class", f"{plan.existing.code} is a {current.name_zh}, not a {_label(cls)}")
            return
        if plan.category_given and plan.category is not None and plan.category.code.startswith(ROAD_FAMILY):
            plan.error("road_class", f"the row's category {plan.category.code} disagrees with its class {_label(cls)}")
            return
        if plan.category_given and plan.category is not None and plan.category.code.startswith("084"):
            return  # a station: refused by plan()
        if plan.category_given and plan.category is not None:
            plan.error("road_class", f"category {plan.category.code} ({plan.category.name_zh}) is not a road")
            return
        plan.category = wanted


def _label(cls: str | None) -> str:
    return dict(RoadClass.choices).get(cls, str(cls)).split()[0] if cls else "-"


def write_road(plan, place: Place, changeset, *, created: bool) -> dict:
    """The place's Road record as the row says (through gazetteer.services.house_numbers); what was done,
    for the report's record entry. A new place takes the row's class, given or inferred (a road record the
    house-number service made for it meanwhile, with the city's defaults, is changed to it); an existing
    road keeps its class unless the row gives one."""
    given: RoadPlan = plan.road
    road = Road.objects.filter(place=place).first()
    before = road.version if road is not None else 0
    if created or road is None:
        railway = place.category is not None and place.category.code.startswith("082")
        cls = given.road_class or (RoadClass.RAILWAY if railway else RoadClass.URBAN)
        rule = {"road_class": cls, "numbered": cls not in NOT_NUMBERED}
        if given.route_ref:
            rule["route_ref"] = given.route_ref
        if given.bureau_id:
            rule["bureau_id"] = given.bureau_id
        road = house_numbers.register_road(place, changeset=changeset, **rule)
        action = "created"
    else:
        changes = {}
        if given.road_class and not given.class_inferred:
            changes["road_class"] = given.road_class
        if given.route_ref:
            changes["route_ref"] = given.route_ref
        if given.bureau_id:
            changes["bureau_id"] = given.bureau_id
        road = house_numbers.set_rule(road, changes=changes, changeset=changeset, expected_version=None)
        action = "updated" if road.version > before else "unchanged"
    return {"road": action, "road_class": road.road_class, "route_ref": road.route_ref, "bureau_id": road.bureau_id}
