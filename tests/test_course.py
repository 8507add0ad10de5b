"""Course descriptions (走向说明) of boundary lines: the 16 points, stretches, landmarks, ends, and the text
of the real lines (boundaries.services.course, course_lines; gazetteer.landmarks)."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import LineString, Point
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer

from boundaries.models import BoundaryLine, BoundaryLineVersion
from boundaries.services.course import (
    COMPASS,
    CourseSettings,
    chains,
    compass_point,
    compass_range,
    describe,
    dms,
    douglas_peucker,
    km,
    lonlat,
)
from boundaries.services.course_lines import (
    Party,
    course_of,
    describe_lines,
    generate_course,
    junction_phrase,
    stale_lines,
    to_metric,
)
from boundaries.services.landmarks import JUNCTION, MARKER, PLACE, RIVER, Landmark
from core.history import open_changeset
from core.models import Changeset
from core.records import bump
from core.srid import METRIC_SRID, STORAGE_SRID
from gazetteer.models import Category
from gazetteer.services import places as place_service
from gazetteer.services.standing import Decision

PARTIES = [{"name": "甲县"}, {"name": "乙市"}]
TERRAIN = ("山脊", "沟", "高地", "鞍部", "河道中心线")
# Near the central meridian (129°E) of EPSG:4511, about 44.2°N: grid and true north agree to ~0.1° here.
X0, Y0 = 500_000.0, 4_900_000.0
HAILIN_NINGAN = "231083-231084"

# The guide's table (boundaries.md §3): each point from its start to its end, in degrees and minutes.
GUIDE = {
    "北": ((348, 45), (11, 15)),
    "北偏东北": ((11, 15), (33, 45)),
    "东北": ((33, 45), (56, 15)),
    "东偏东北": ((56, 15), (78, 45)),
    "东": ((78, 45), (101, 15)),
    "东偏东南": ((101, 15), (123, 45)),
    "东南": ((123, 45), (146, 15)),
    "南偏东南": ((146, 15), (168, 45)),
    "南": ((168, 45), (191, 15)),
}


def _line(*points) -> shapely.LineString:
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in points])


def _text(geom, **kwargs) -> str:
    return describe(geom, parties=PARTIES, **kwargs).text


# ---- the 16 points -----------------------------------------------------------------------------------


def test_the_points_follow_the_guide_at_the_edges_of_each_sector():
    for name, ((d1, m1), (d2, m2)) in GUIDE.items():
        start, end = d1 + m1 / 60, d2 + m2 / 60
        assert compass_range(name) == (start, end)
        assert compass_point(start) == name  # an edge belongs to the point clockwise of it
        assert compass_point(math.nextafter(end, 0)) == name
        assert compass_point(end) != name


def test_the_16_points_are_the_guides_names_and_cover_the_circle_once():
    assert len(set(COMPASS)) == 16
    assert COMPASS[8:] == ("南", "南偏西南", "西南", "西偏西南", "西", "西偏西北", "西北", "北偏西北")
    widths = [(hi - lo) % 360 for lo, hi in map(compass_range, COMPASS)]
    assert widths == [22.5] * 16 and sum(widths) == 360
    for a, b in zip(COMPASS, COMPASS[1:] + COMPASS[:1], strict=True):
        assert compass_range(a)[1] % 360 == compass_range(b)[0]  # each ends where the next begins


@given(st.floats(min_value=0, max_value=360, exclude_max=True))
def test_every_bearing_maps_to_the_point_whose_range_contains_it(bearing):
    low, high = compass_range(compass_point(bearing))
    assert low <= bearing < high if low < high else (bearing >= low or bearing < high)


@given(st.floats(min_value=-720, max_value=720))
def test_a_bearing_and_its_turns_have_one_point(bearing):
    assert compass_point(bearing) == compass_point(bearing % 360.0)


def test_coordinates_and_lengths_are_written_as_agreements_write_them():
    assert dms(129.20958333) == "129°12′34.5″"
    assert dms(44.999999) == "45°00′00.0″"  # 59.99″ carries into the minute and the degree
    assert km(12_345) == "约12.3千米" and km(49) == "不足0.1千米"


# ---- stretches ---------------------------------------------------------------------------------------


def test_a_straight_line_due_east_goes_east_for_its_length():
    course = describe(_line((0, 0), (12_300, 0)), parties=PARTIES)
    assert course.text.startswith("甲县—乙市线自西端起（东经")
    assert "向东延伸约12.3千米" in course.text and course.text.endswith("全长约12.3千米。")
    assert [s.direction for s in course.parts[0].stretches] == ["东"]


def test_a_line_given_from_its_eastern_end_is_described_from_the_west():
    east_to_west = _line((12_300, 0), (0, 0))
    assert _text(east_to_west) == _text(_line((0, 0), (12_300, 0)))


def test_an_l_shaped_line_has_two_stretches_in_order():
    course = describe(_line((0, 0), (10_000, 0), (10_000, -5_000)), parties=PARTIES)
    assert [s.direction for s in course.parts[0].stretches] == ["东", "南"]
    assert "向东延伸约10.0千米；转南约5.0千米，至东端止" in course.text


def test_a_line_running_north_south_starts_at_its_northern_end():
    course = describe(_line((0, -20_000), (1_000, 0)), parties=PARTIES)
    assert "自北端起" in course.text and "向南" in course.text and "至南端止" in course.text


def test_a_wandering_stretch_is_roughly_in_its_direction():
    zigzag = _line(*[(i * 200, 150 if i % 2 else 0) for i in range(51)])  # 10 km east, ±150 m
    course = describe(zigzag, parties=PARTIES)
    assert [s.direction for s in course.parts[0].stretches] == ["东"]
    assert "大体向东延伸约" in course.text


def test_simplification_keeps_only_turns_larger_than_the_tolerance():
    coords = shapely.get_coordinates(_line((0, 0), (5_000, 300), (10_000, 0), (10_000, -5_000)))
    assert douglas_peucker(coords, 500) == [0, 2, 3]
    assert douglas_peucker(coords, 100) == [0, 1, 2, 3]


def test_parts_that_join_are_one_chain_and_separate_parts_are_described_part_by_part():
    joined = shapely.MultiLineString([_line((10_000, 0), (20_000, 0)), _line((0, 0), (10_000, 0))])
    assert len(chains(joined)) == 1 and "分" not in _text(joined)
    apart = shapely.MultiLineString([_line((30_000, 0), (40_000, 0)), _line((0, 0), (10_000, 0))])
    text = _text(apart)
    assert "分二段。第一段自西端起" in text and "；第二段自西端起" in text
    assert "长约10.0千米；第二段" in text and text.endswith("全长约20.0千米。")
    first, second = describe(apart, parties=PARTIES).parts
    assert first.start.lonlat[0] < second.start.lonlat[0]  # the western part first


# ---- landmarks and ends ------------------------------------------------------------------------------


def test_landmarks_are_named_in_order_along_the_line():
    line = _line((0, 0), (10_000, 0), (10_000, -5_000))
    marks = [
        Landmark(PLACE, "乙村", shapely.Point(X0 + 10_300, Y0 - 3_000), code="2"),
        Landmark(PLACE, "甲村", shapely.Point(X0 + 4_000, Y0 + 400), code="1"),
        Landmark(RIVER, "丙河", _line((7_000, -1_000), (7_000, 1_000)), code="3"),
        Landmark(RIVER, "丁河", _line((10_050, -1_500), (10_050, -4_500)), code="4"),
        Landmark(MARKER, "002号界桩", shapely.Point(X0 + 10_000, Y0 - 4_000), code="5"),
    ]
    text = _text(line, landmarks=marks)
    assert (
        "向东延伸约10.0千米，经甲村附近，跨丙河；转南约5.0千米，沿丁河约3.0千米，经乙村附近，至002号界桩，再至东端止"
        in text
    )
    assert text == _text(line, landmarks=list(reversed(marks)))  # the same data, the same text


def test_without_landmarks_the_text_names_no_terrain():
    text = _text(_line((0, 0), (10_000, 0), (10_000, -5_000)))
    assert not any(word in text for word in (*TERRAIN, "跨", "沿", "附近", "经过"))


def test_an_end_is_named_by_the_junction_there_and_the_place_near_it():
    line = _line((0, 0), (10_000, 0))
    marks = [
        Landmark(JUNCTION, "甲县、乙市、丙区三县（市、区）交界处", shapely.Point(X0, Y0)),
        Landmark(PLACE, "丁镇驻地", shapely.Point(X0 - 500, Y0 - 500), code="1"),
        Landmark(MARKER, "009号界桩", shapely.Point(X0 + 10_000, Y0), code="9"),
    ]
    text = _text(line, landmarks=marks)
    assert text.startswith("甲县—乙市线自甲县、乙市、丙区三县（市、区）交界处起（东经")
    assert "，位于丁镇驻地东北约0.7千米处），向东" in text and "经丁镇驻地附近" not in text
    assert "至009号界桩止（东经" in text


def test_who_meets_at_a_junction_is_said_as_agreements_say_it():
    county = [Party("1", "林口县", "county", "县"), Party("2", "海林市", "county", "市")]
    assert (
        junction_phrase([*county, Party("3", "东安区", "county", "区")]) == "林口县、海林市、东安区三县（市、区）交界处"
    )
    assert junction_phrase([*county, Party("3", "穆棱市", "county", "市")]) == "林口县、海林市、穆棱市三县（市）交界处"
    outside = Party("4", "延边朝鲜族自治州", "prefecture", "州")
    assert junction_phrase([*county, outside]) == "林口县、海林市与延边朝鲜族自治州交界处"
    assert junction_phrase(county) is None


# ---- the real lines ----------------------------------------------------------------------------------


def _real(code: str) -> BoundaryLine:
    return BoundaryLine.objects.prefetch_related("party_rows__unit", "party_rows__outside").get(code=code)


def _near(line: BoundaryLine, fraction: float, offset_m: float) -> Point:
    """A point ``offset_m`` north of the point ``fraction`` along the line (storage CRS)."""
    metric = shapely.line_merge(to_metric(line.geom))
    at = shapely.line_interpolate_point(metric, fraction * metric.length, normalized=False)
    lon, lat = Transformer.from_crs(METRIC_SRID, STORAGE_SRID, always_xy=True).transform(at.x, at.y + offset_m)
    return Point(lon, lat, srid=STORAGE_SRID)


def _place(name: str, geom: Point, **kwargs):
    changeset = open_changeset(Changeset.Kind.EDIT, "course test", label="tests")
    category = Category.objects.get(code="07200")
    return place_service.create_place(changeset=changeset, name=name, category=category, geom=geom, **kwargs)


@pytest.mark.django_db
def test_the_hailin_ningan_line_is_described_from_its_western_end():
    line = _real(HAILIN_NINGAN)
    course = course_of(line)
    text = course.text
    assert text.startswith("海林市—宁安市线自") and "宁安市" in text[8:]
    ends = [xy for coords in chains(to_metric(line.geom)) for xy in (coords[0], coords[-1])]
    west = min(ends, key=lambda xy: xy[0])
    assert course.parts[0].start.lonlat == pytest.approx(tuple(lonlat(np.array([west]))[0]))
    assert re.search(r"起（东经\d+°\d{2}′\d{2}\.\d″，北纬\d+°\d{2}′\d{2}\.\d″", text)
    assert text.endswith(f"全长约{line.length_km:.1f}千米。")
    assert not any(word in text for word in TERRAIN)
    assert "交界处起" in text and "交界处止" in text  # both ends are where three units meet


@pytest.mark.django_db
def test_standard_places_near_the_line_are_named_in_order_and_candidates_never():
    line = _real(HAILIN_NINGAN)
    decision = Decision("海林市人民政府", "海政发〔2020〕1号", dt.date(2020, 1, 2))
    _place("甲测试屯", _near(line, 0.25, 300), decision=decision)
    _place("乙测试屯", _near(line, 0.75, 300), decision=decision)
    _place("候选测试屯", _near(line, 0.5, 200))
    _place("示例测试屯", _near(line, 0.6, 200), synthetic=True)
    _place("远测试屯", _near(line, 0.4, 5_000), decision=decision)
    text = course_of(line).text
    assert "经甲测试屯附近" in text and "经乙测试屯附近" in text
    stored = shapely.get_coordinates(shapely.line_merge(to_metric(line.geom)))
    first, then = ("甲测试屯", "乙测试屯") if stored[0][0] < stored[-1][0] else ("乙测试屯", "甲测试屯")
    assert text.index(first) < text.index(then)  # in order from the western end
    assert not any(name in text for name in ("候选测试屯", "示例测试屯", "远测试屯"))


@pytest.mark.django_db
def test_generating_keeps_the_text_as_a_new_version_once():
    line = _real(HAILIN_NINGAN)
    text = generate_course(line)
    line.refresh_from_db()
    assert line.course_description == text and line.course_generated_at is not None
    version = BoundaryLineVersion.objects.get(line=line, version=line.version)
    assert version.data["course_description"] == text
    generate_course(_real(HAILIN_NINGAN))  # the same text: no new version
    assert _real(HAILIN_NINGAN).version == line.version
    assert not stale_lines().filter(pk=line.pk).exists()


@pytest.mark.django_db
def test_a_line_changed_since_its_description_is_stale_and_described_again():
    describe_lines()
    assert not stale_lines().exists()
    line = _real(HAILIN_NINGAN)
    bump(line)
    changeset = open_changeset(Changeset.Kind.EDIT, "course test", label="tests")
    BoundaryLineVersion.objects.create(line=line, version=line.version, changeset=changeset, data={}, geom=line.geom)
    touching = set(BoundaryLine.objects.filter(geom__intersects=line.geom).values_list("code", flat=True))
    assert set(stale_lines().values_list("code", flat=True)) == touching  # it, and who meets at its ends
    assert HAILIN_NINGAN in touching and len(touching) > 1
    assert describe_lines(stale_only=True) == 0  # same geometry, same text: only the time is new
    assert not stale_lines().exists()


@pytest.mark.django_db
def test_the_command_describes_every_line(capsys):
    call_command("describe_boundary_lines")
    assert "descriptions changed" in capsys.readouterr().out
    assert not BoundaryLine.objects.filter(course_description="").exists()
    call_command("describe_boundary_lines", "--line", HAILIN_NINGAN, "--dry-run")
    assert capsys.readouterr().out.startswith("海林市—宁安市线自")


def test_settings_change_the_simplification():
    line = _line((0, 0), (5_000, 1_500), (10_000, 0))
    assert len(describe(line, parties=PARTIES).parts[0].stretches) == 2
    assert len(describe(line, parties=PARTIES, settings=CourseSettings(simplify_m=2_000)).parts[0].stretches) == 1


@pytest.mark.django_db
def test_a_standard_river_the_line_crosses_is_named_where_it_crosses():
    line = _real(HAILIN_NINGAN)
    south, north = _near(line, 0.5, -2_000), _near(line, 0.5, 2_000)
    changeset = open_changeset(Changeset.Kind.EDIT, "course test", label="tests")
    decision = Decision("海林市人民政府", "海政发〔2020〕2号", dt.date(2020, 1, 2))
    place_service.create_place(
        changeset=changeset,
        name="测试河",
        category=Category.objects.get(code="02100"),
        geom=LineString(south.coords, north.coords, srid=STORAGE_SRID),
        unit=line.party_rows.get(order=0).unit,
        decision=decision,
    )
    text = course_of(line).text
    assert text.count("跨测试河") == 1 and "沿测试河" not in text


def test_markers_numbered_from_the_east_start_the_text_at_the_eastern_end():
    line = _line((0, 0), (10_000, 0))
    marks = [
        Landmark(MARKER, "001号界桩", shapely.Point(X0 + 10_000, Y0), code="1"),
        Landmark(MARKER, "002号界桩", shapely.Point(X0 + 4_000, Y0 + 20), code="2"),
    ]
    text = _text(line, landmarks=marks, start_hint=(X0 + 10_000, Y0))
    assert "线自001号界桩起（东经" in text and "向西延伸约6.0千米" not in text
    assert "向西延伸约10.0千米，至002号界桩，再至西端止" in text
