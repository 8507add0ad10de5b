"""The house-numbering engine (gazetteer.services.numbering_engine): pure arithmetic on a line and
entrance points in metres; no database."""

from __future__ import annotations

import itertools

import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer.services import numbering_engine as engine
from gazetteer.services.numbering_engine import LEFT, RIGHT, Allocation, Issued, Rule

ROAD = shapely.LineString([(0, 0), (1000, 0)])  # runs east: left is north (y > 0)
RULE = Rule(interval_m=20, odd_side=LEFT)


def door(x: float, y: float) -> engine.Placement:
    return engine.place(ROAD, shapely.Point(x, y))


def test_sides_face_the_way_the_numbers_increase():
    assert door(100, 10).side == LEFT and door(100, -10).side == RIGHT
    reversed_road = shapely.reverse(ROAD)
    assert engine.place(reversed_road, shapely.Point(100, 10)).side == RIGHT
    assert round(door(130, 8).distance_m, 6) == 130 and round(door(130, 8).offset_m, 6) == 8


def test_numbers_follow_the_frontage_and_keep_spare_numbers_on_open_land():
    doors = {"a": door(5, 10), "b": door(45, 10), "c": door(300, 10), "d": door(5, -10), "e": door(61, -10)}
    numbers = engine.number_all(doors, RULE)
    assert {k: v.number for k, v in numbers.items()} == {"a": 1, "b": 5, "c": 31, "d": 2, "e": 8}


def test_two_doors_in_one_slot_take_consecutive_numbers_and_reserves_are_skipped():
    rule = Rule(interval_m=20, odd_side=RIGHT, reserved=((3, 9),))
    doors = {"a": door(1, -5), "b": door(2, -5), "c": door(3, -5), "d": door(2, 5)}
    numbers = engine.number_all(doors, rule)
    assert [numbers[k].number for k in "abc"] == [1, 11, 13]  # 3..9 reserved
    assert numbers["d"].number == 2


def test_a_door_inserted_later_takes_a_free_number_between_its_neighbours():
    issued = [Issued(1, 0, 5, LEFT), Issued(11, 0, 205, LEFT)]
    assert engine.allocate(door(100, 10), RULE, issued) == Allocation(9)  # its slot's 11 is taken: the nearest free
    assert engine.allocate(door(60, 10), RULE, issued) == Allocation(7)


def test_without_a_free_number_it_takes_a_sub_number_and_the_neighbours_keep_theirs():
    issued = [Issued(11, 0, 100, LEFT), Issued(13, 0, 110, LEFT)]
    assert engine.allocate(door(105, 10), RULE, issued) == Allocation(11, 1)
    issued.append(Issued(11, 1, 105, LEFT))
    assert engine.allocate(door(107, 10), RULE, issued).label == "11-2"


def test_a_retired_number_is_not_issued_again_nor_its_sub_numbers():
    issued = [Issued(1, 0, 5, LEFT), Issued(5, 0, 90, LEFT, retired=True), Issued(9, 0, 180, LEFT)]
    allocation = engine.allocate(door(95, 10), RULE, issued)
    assert allocation.number != 5 and allocation == Allocation(7)
    with_retired_sub = [Issued(1, 0, 5, LEFT), Issued(1, 1, 6, LEFT, retired=True), Issued(3, 0, 30, LEFT)]
    assert engine.allocate(door(7, 10), RULE, with_retired_sub) == Allocation(1, 2)


def test_the_city_rule_picks_the_numbering_start_by_direction():
    east_west = shapely.LineString([(1000, 0), (0, 10)])
    assert engine.starts_from_end(east_west, east_west_from="west", north_south_from="south")
    assert not engine.starts_from_end(shapely.reverse(east_west), east_west_from="west", north_south_from="south")
    north_south = shapely.LineString([(0, 0), (10, 1000)])
    assert not engine.starts_from_end(north_south, east_west_from="west", north_south_from="south")
    assert engine.starts_from_end(north_south, east_west_from="west", north_south_from="north")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=999), st.sampled_from([-1, 1]), st.floats(min_value=1, max_value=30)
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=0, max_value=8),
)
def test_numbers_increase_along_each_side_with_its_parity_and_inserts_never_collide(doors, inserted):
    placements = {i: door(x, side * offset) for i, (x, side, offset) in enumerate(doors)}
    numbers = engine.number_all(placements, RULE)
    for side, parity in ((LEFT, 1), (RIGHT, 0)):
        run = sorted((numbers[k].number, p.distance_m) for k, p in placements.items() if p.side == side)
        assert all(number % 2 == parity for number, _ in run)
        assert all(a[0] < b[0] and a[1] <= b[1] for a, b in itertools.pairwise(run))  # distinct, in frontage order
    issued = [Issued(numbers[k].number, 0, p.distance_m, p.side) for k, p in placements.items()]
    for j in range(inserted):
        new = door((j * 137.0) % 1000, 12 if j % 2 else -12)
        allocation = engine.allocate(new, RULE, issued)
        assert (allocation.number, allocation.suffix) not in {(i.number, i.suffix) for i in issued}
        assert allocation.number % 2 == RULE.parity(new.side)
        issued.append(Issued(allocation.number, allocation.suffix, new.distance_m, new.side))
