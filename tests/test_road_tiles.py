"""Roads and house numbers in the vector tiles (tiles.vector): the fixture road file imported through the
normal import (tests.test_road_import), a synthetic demo street beside it, house numbers issued, proposed and
synthetic; tiles decoded with mapbox-vector-tile."""

from __future__ import annotations

import pytest
import shapely
from django.test import Client

from core.geometry import to_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from gazetteer.models import Category, HouseNumber, Road
from gazetteer.services import house_numbers
from gazetteer.services.places import create_place
from tests.test_road_import import ROADS, at, import_roads, middle_of, road_lines
from tests.test_tiles import decode, fetch, tile_path
from tiles.vector import layers

pytestmark = pytest.mark.django_db

CLASS_OF = {name: cls for name, *_, cls in ROADS}
DEMO_STREET = "示例大街"


def midpoint(line: shapely.LineString) -> shapely.Point:
    return line.interpolate(0.5, normalized=True)


def road_in_tile(name: str, line: shapely.LineString, z: int, client: Client | None = None) -> dict | None:
    """The road's feature (its properties) in the tile at zoom z that holds its middle, if drawn there."""
    point = midpoint(line)
    found = [f for f in decode(fetch(tile_path(point.x, point.y, z), client)).get("roads", []) if f["name"] == name]
    return found[0] if found else None


def entrances_along(line: shapely.LineString, metres: list[float], side_m: float = 12.0) -> list[shapely.Point]:
    """Points beside the line (lon/lat) at these distances from its start, alternately left and right."""
    metric = to_metric(line)
    points = []
    for i, distance in enumerate(metres):
        on = metric.interpolate(distance)
        ahead = metric.interpolate(distance + 1)
        dx, dy = ahead.x - on.x, ahead.y - on.y
        sign = 1 if i % 2 == 0 else -1
        points.append(to_lonlat(shapely.Point(on.x - dy * side_m * sign, on.y + dx * side_m * sign)))
    return points


@pytest.fixture
def roads(tmp_path):
    import_roads(tmp_path)
    return road_lines()


def test_roads_are_drawn_by_class_from_the_zoom_of_their_class(roads):
    for name, line in roads.items():
        cls = CLASS_OF[name]
        first = layers.ROAD_CLASS_MIN_ZOOM[cls]
        assert road_in_tile(name, line, first - 1) is None, f"{name} ({cls}) drawn before z{first}"
        drawn = road_in_tile(name, line, max(first, 12))
        assert drawn is not None, f"{name} ({cls}) not drawn at z{max(first, 12)}"
        assert drawn["class"] == cls and drawn["$type"] == "LineString"
        assert drawn["standing"] == "standard" and drawn["synthetic"] is False
        assert drawn["category"] == ("08200" if cls == "railway" else "08100")
    assert road_in_tile("鹤大高速公路", roads["鹤大高速公路"], 8)["ref"] == "G11"
    assert road_in_tile("绥满公路", roads["绥满公路"], 8)["ref"] == "G301"
    assert road_in_tile("太平路", roads["太平路"], 12)["ref"] == ""


def test_a_changed_class_is_drawn_at_once(roads):
    lane = Road.objects.get(place__name="光华巷")
    assert road_in_tile("光华巷", roads["光华巷"], 13) is None  # a lane: from z14; the tile is now cached
    changeset = open_changeset(Changeset.Kind.EDIT, "升级为城市道路", label="tests")
    house_numbers.set_rule(lane, changes={"road_class": "urban"}, changeset=changeset, expected_version=lane.version)
    assert road_in_tile("光华巷", roads["光华巷"], 13)["class"] == "urban"


@pytest.fixture
def numbered(roads):
    """太平路: three numbers issued and one proposed; a synthetic demo street with two synthetic numbers."""
    changeset = open_changeset(Changeset.Kind.EDIT, "门牌编制", label="tests")
    taiping = Road.objects.get(place__name="太平路")
    points = entrances_along(roads["太平路"], [300, 400, 500, 600])
    issued = house_numbers.number_entrances(
        taiping, [house_numbers.Entrance(p) for p in points[:3]], changeset=changeset, status="issued"
    )
    proposed = house_numbers.number_entrances(taiping, [house_numbers.Entrance(points[3])], changeset=changeset)
    street = to_lonlat(shapely.LineString([at(middle_of(), -1.8, -0.6), at(middle_of(), 1.8, -0.5)]))
    place = create_place(
        changeset=changeset, name=DEMO_STREET, category=Category.objects.get(code="08100"), geom=to_geos(street),
        synthetic=True,
    )  # fmt: skip
    demo_road = house_numbers.register_road(place, changeset=changeset, road_class="urban")
    demo = house_numbers.number_entrances(
        demo_road,
        [house_numbers.Entrance(p) for p in entrances_along(street, [300, 400])],
        changeset=changeset,
        status="issued",
    )
    return {"issued": issued, "proposed": proposed, "demo": demo, "street": street}


def _numbers_at(house: HouseNumber, z: int, staff=None) -> list[dict]:
    """The house numbers of the tile at zoom z that holds the number; ``staff``: an Api client, the staff's tile."""
    path = tile_path(house.geom.x, house.geom.y, z)
    response = staff.get(path.replace("/tiles/", "/tiles/staff/")) if staff else fetch(path)
    return decode(response).get("house_numbers", [])


def test_house_numbers_only_at_large_zooms_and_public_ones_only(numbered):
    houses = numbered["issued"] + numbered["proposed"]
    assert all(_numbers_at(house, 15) == [] for house in houses)
    drawn = {(f["road"], f["number"]): f for house in houses for f in _numbers_at(house, 16)}
    for house in numbered["issued"]:
        feature = drawn[("太平路", str(house.number))]
        assert feature["status"] == "issued" and feature["synthetic"] is False and feature["standing"] == "standard"
        assert feature["$type"] == "Point" and feature["road_code"] == house.road.place.code
    proposed = numbered["proposed"][0]
    assert ("太平路", str(proposed.number)) not in drawn  # a proposed number is not public


def test_the_staffs_tiles_add_the_proposed_numbers(numbered, accounts):
    proposed = numbered["proposed"][0]
    staff = {f["number"]: f for f in _numbers_at(proposed, 16, staff=accounts["administrator"])}
    assert staff[str(proposed.number)]["status"] == "proposed"


def test_synthetic_streets_and_numbers_are_labelled_synthetic(numbered):
    street = road_in_tile(DEMO_STREET, numbered["street"], 12)
    assert street["synthetic"] is True and street["standing"] == "synthetic"
    drawn = [f for house in numbered["demo"] for f in _numbers_at(house, 16) if f["road"] == DEMO_STREET]
    assert {f["number"] for f in drawn} == {str(h.number) for h in numbered["demo"]}
    assert all(f["synthetic"] is True and f["standing"] == "synthetic" for f in drawn)


def test_a_sub_number_is_written_with_its_number(numbered):
    taiping = Road.objects.get(place__name="太平路")
    changeset = open_changeset(Changeset.Kind.EDIT, "插建", label="tests")
    first, second = numbered["issued"][:2]
    between = shapely.Point((first.geom.x + second.geom.x) / 2, (first.geom.y + second.geom.y) / 2)
    inserted = house_numbers.number_entrances(
        taiping, [house_numbers.Entrance(between)], changeset=changeset, status="issued"
    )[0]
    label = f"{inserted.number}-{inserted.suffix}" if inserted.suffix else str(inserted.number)
    assert label in {f["number"] for f in _numbers_at(inserted, 16)}


def test_the_style_draws_roads_by_class_railways_shields_and_synthetic_numbers():
    style = Client().get("/tiles/style.json", HTTP_HOST="localhost").json()
    by_id = {layer["id"]: layer for layer in style["layers"]}
    for cls, zoom in layers.ROAD_CLASS_MIN_ZOOM.items():
        if cls != "railway":
            assert by_id[f"roads-{cls}-fill"]["minzoom"] == zoom
            assert by_id[f"roads-{cls}-fill"]["filter"] == ["==", ["get", "class"], cls]
    widths = [by_id[f"roads-{c}-fill"]["paint"]["line-width"] for c in ("expressway", "national", "county", "lane")]
    assert widths == sorted(widths, reverse=True)
    dashes = by_id["roads-railway-dashes"]["paint"]
    assert dashes["line-color"] == "#ffffff" and dashes["line-dasharray"]  # black line, white dashes
    assert by_id["roads-railway"]["paint"]["line-color"] != "#ffffff"
    assert by_id["roads-shields"]["layout"]["text-field"] == ["get", "ref"]
    assert by_id["roads-names"]["layout"]["symbol-placement"] == "line"
    numbers = by_id["house-numbers"]
    assert numbers["minzoom"] == 16 and "（示例）" in str(numbers["layout"]["text-field"])
    order = [layer["id"] for layer in style["layers"]]
    assert order.index("roads-lane-casing") < order.index("roads-expressway-fill") < order.index("boundaries-county")
