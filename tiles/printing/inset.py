"""The location inset (位置示意图): where the mapped unit lies.

A city map shows its province and the neighbouring province and countries with the city in red; a
county or district map shows the city's county-level units with the unit in red. Geometry is
clipped and simplified in the database to what a few centimetres of paper can show."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import shapely
from django.contrib.gis.db.models.functions import Intersection

from boundaries.geofuncs import SimplifyPreserveTopology
from boundaries.levels import Tier
from boundaries.models import AdminUnit, ContextArea
from tiles.printing.areas import units_valid
from tiles.printing.features import Layer, Window, label_point, metric
from tiles.printing.renderer import render_pdf
from tiles.printing.scale import fit_scale

# Simplify to about a third of a point at the inset's scale (metres to degrees, roughly).
SIMPLIFY_PT = 0.35
METRES_PER_DEGREE = 111_000


@dataclass
class Inset:
    layers: list[Layer]
    bbox: tuple[float, float, float, float]
    denominator: int


def _add_label(layer: Layer, name: str, geometry, window: Window) -> None:
    found = label_point(geometry, window)
    if found is not None:
        layer.add(found[0], name=name)


def _context_rows(window: Window, tolerance_deg: float):
    box = window.storage_box
    return (
        ContextArea.objects.filter(geom__intersects=box)
        .annotate(shape=SimplifyPreserveTopology(Intersection("geom", box), tolerance_deg))
        .defer("geom")
        .order_by("code")
    )


def build_inset(unit: AdminUnit, unit_name: str, day, size_pt: tuple[int, int]) -> Inset:
    city = unit if unit.tier == Tier.CITY else unit.parent
    city_m = metric(city.geom)
    if unit.tier == Tier.CITY:
        focus = ContextArea.objects.filter(code=f"{unit.code[:2]}0000").first()
        extent_geom = metric(focus.geom) if focus else city_m
    else:
        extent_geom = city_m
    scale = fit_scale(extent_geom.bounds, size_pt)
    window = Window(scale.bbox)
    tolerance = SIMPLIFY_PT * scale.metres_per_point / METRES_PER_DEGREE
    layers = {key: Layer(key) for key in ("foreign", "country", "home", "context", "part", "highlight")}
    layers.update({key: Layer(key) for key in ("inset_line", "inset_national", "inset_label", "inset_label_red")})
    for row in _context_rows(window, tolerance):
        shape = window.clip(metric(row.shape))
        if row.kind == ContextArea.Kind.FOREIGN:
            layers["foreign"].add(shape)
            _add_label(layers["inset_label"], row.name, shape, window)
        elif row.kind == ContextArea.Kind.COUNTRY:
            layers["country"].add(shape)
            layers["inset_national"].add(shape.boundary)
        elif unit.tier == Tier.CITY and row.kind == ContextArea.Kind.PROVINCE:
            layers["home" if row.code[:2] == unit.code[:2] else "context"].add(shape)
            layers["inset_line"].add(shape.boundary)
            _add_label(layers["inset_label"], row.name, shape.difference(city_m), window)
        elif unit.tier != Tier.CITY and row.kind == ContextArea.Kind.PREFECTURE:
            layers["context"].add(shape)
    if unit.tier != Tier.CITY:
        for county in units_valid(day).filter(parent=city, tier=Tier.COUNTY):
            shape = metric(county.geom).simplify(tolerance * METRES_PER_DEGREE)
            layers["part"].add(shape, tint=1)
            layers["inset_line"].add(shape.boundary)
    highlight = (city_m if unit.tier == Tier.CITY else metric(unit.geom)).simplify(tolerance * METRES_PER_DEGREE)
    layers["highlight"].add(highlight)
    centre = shapely.get_point(shapely.maximum_inscribed_circle(highlight, 100), 0)
    layers["inset_label_red"].add(centre, name=unit_name)
    ordered = [layers[key] for key in ("foreign", "country", "context", "home", "part", "highlight",
                                        "inset_line", "inset_national", "inset_label", "inset_label_red")]  # fmt: skip
    return Inset([layer for layer in ordered if len(layer)], scale.bbox, scale.denominator)


def render_inset(unit: AdminUnit, unit_name: str, day, size_pt: tuple[int, int], k: float, path: Path) -> Inset:
    inset = build_inset(unit, unit_name, day, size_pt)
    render_pdf([(layer.key, layer.geojson()) for layer in inset.layers], inset.bbox, size_pt, k, path)
    return inset
