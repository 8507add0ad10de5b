"""The one statement that makes a tile: every layer with ST_AsMVTGeom/ST_AsMVT, concatenated.

The text is assembled once from fixed fragments (table names from the models' metadata); every value
(tile bounds, SRIDs, zoom rules, today's date) is a bound parameter. RENDER is the statement alone (the
benchmark's floor); RENDER_AND_STORE makes the tile and stores it in the cache in the same statement."""

from __future__ import annotations

import datetime as dt
from functools import cache

from boundaries.models import AdminUnit, BoundaryLine, BoundaryMarker, BoundaryProposal, ContextArea
from boundaries.services import markers
from core.srid import STORAGE_SRID, TILE_SRID
from gazetteer.models import Category, HouseNumber, Place, Road, SearchEntry
from tiles.models import CachedTile, GeneralisedGeometry
from tiles.vector import layers
from tiles.vector.grid import BUFFER, EXTENT, drawn_from, tile_bounds


def _tables() -> dict[str, str]:
    return {
        "generalised": GeneralisedGeometry._meta.db_table,
        "units": AdminUnit._meta.db_table,
        "lines": BoundaryLine._meta.db_table,
        "markers": BoundaryMarker._meta.db_table,
        "proposals": BoundaryProposal._meta.db_table,
        "context": ContextArea._meta.db_table,
        "places": Place._meta.db_table,
        "entries": SearchEntry._meta.db_table,
        "categories": Category._meta.db_table,
        "roads": Road._meta.db_table,
        "house_numbers": HouseNumber._meta.db_table,
        "cache": CachedTile._meta.db_table,
    }


BOUNDS = """bounds AS (
  SELECT ST_MakeEnvelope(%(xmin)s, %(ymin)s, %(xmax)s, %(ymax)s, %(tile_srid)s)::box2d AS tile,
         ST_MakeEnvelope(%(bxmin)s, %(bymin)s, %(bxmax)s, %(bymax)s, %(tile_srid)s) AS area,
         ST_Transform(ST_MakeEnvelope(%(bxmin)s, %(bymin)s, %(bxmax)s, %(bymax)s, %(tile_srid)s),
                      %(storage_srid)s) AS area_stored
)"""
# Each layer's rows: ``geom`` (ST_AsMVTGeom in tile units) and the attributes. {names} are table names.
CONTEXT = """
SELECT ST_AsMVTGeom(g.geom, b.tile, %(extent)s, %(buffer)s, true) AS geom, c.name, c.kind
FROM {generalised} g JOIN {context} c ON c.id = g.source_id CROSS JOIN bounds b
WHERE g.kind = 'context' AND %(z)s BETWEEN g.min_zoom AND g.max_zoom AND g.geom && b.area
UNION ALL
SELECT ST_AsMVTGeom(g.label_point, b.tile, %(extent)s, %(buffer)s, true) AS geom, c.name, c.kind
FROM {generalised} g JOIN {context} c ON c.id = g.source_id CROSS JOIN bounds b
WHERE g.kind = 'context' AND %(z)s BETWEEN g.min_zoom AND g.max_zoom AND g.label_point && b.area"""

UNITS = """
SELECT ST_AsMVTGeom(g.geom, b.tile, %(extent)s, %(buffer)s, true) AS geom, u.code, u.name, u.level,
       coalesce(p.standing = 'synthetic', false) AS synthetic
FROM {generalised} g JOIN {units} u ON u.id = g.source_id
LEFT JOIN {places} p ON p.admin_unit_id = u.id CROSS JOIN bounds b
WHERE g.kind = 'unit' AND %(z)s BETWEEN g.min_zoom AND g.max_zoom AND g.geom && b.area
  AND u.valid_to IS NULL AND u.tier = ANY(%(unit_tiers)s)
ORDER BY u.tier, u.code"""

# Roads and railways by class (layers.ROAD_CLASS_MIN_ZOOM): a road place's class is its Road record's, else
# (no record yet) urban road or, for a railway category, railway. Public records in use only.
ROADS = """
SELECT ST_AsMVTGeom(ST_Transform(p.geom, %(tile_srid)s), b.tile, %(extent)s, %(buffer)s, true) AS geom,
       p.code, p.name, c.code AS category, k.road_class AS "class", coalesce(r.route_ref, '') AS ref,
       p.standing = 'synthetic' AS synthetic, p.standing
FROM {places} p JOIN {categories} c ON c.id = p.category_id LEFT JOIN {roads} r ON r.place_id = p.id
CROSS JOIN LATERAL (
  SELECT coalesce(r.road_class, CASE WHEN left(c.code, 3) = '082' THEN 'railway' ELSE 'urban' END) AS road_class
) k CROSS JOIN bounds b
WHERE p.geom && b.area_stored AND c.code LIKE ANY(%(road_categories)s) AND k.road_class = ANY(%(road_classes)s)
  AND GeometryType(p.geom) IN ('LINESTRING', 'MULTILINESTRING') AND p.is_public AND p.status = 'in_use'
  AND (p.valid_to IS NULL OR p.valid_to > %(today)s)
ORDER BY p.code"""

BOUNDARIES = """
SELECT ST_AsMVTGeom(g.geom, b.tile, %(extent)s, %(buffer)s, true) AS geom, l.code, l.name, l.level
FROM {generalised} g JOIN {lines} l ON l.id = g.source_id CROSS JOIN bounds b
WHERE g.kind = 'line' AND %(z)s BETWEEN g.min_zoom AND g.max_zoom AND g.geom && b.area
  AND l.valid_to IS NULL AND l.status <> 'abolished' AND l.level = ANY(%(line_levels)s)
ORDER BY l.code"""

# Boundary markers: the public tiles carry the synthetic demonstration markers only (no real marker is
# public, boundaries.permissions), labelled ``synthetic``; the staff's tiles (%(staff)s) carry every one.
# Abolished markers are not drawn.
MARKERS = """
SELECT ST_AsMVTGeom(ST_Transform(m.geom, %(tile_srid)s), b.tile, %(extent)s, %(buffer)s, true) AS geom,
       m.number AS code, m.grade, m.is_synthetic AS synthetic
FROM {markers} m CROSS JOIN bounds b
WHERE %(z)s >= %(markers_min_zoom)s AND m.geom && b.area_stored AND (m.is_synthetic OR %(staff)s)
  AND m.status <> 'abolished'
ORDER BY m.number"""
# Pending proposals to change a boundary (boundaries.services.proposals): the staff's tiles only, drawn dashed.
PROPOSALS = """
SELECT ST_AsMVTGeom(ST_Transform(pr.geom, %(tile_srid)s), b.tile, %(extent)s, %(buffer)s, true) AS geom,
       pr.number AS code, l.code AS line, pr.status
FROM {proposals} pr JOIN {lines} l ON l.id = pr.line_id CROSS JOIN bounds b
WHERE %(staff)s AND pr.status = 'pending' AND pr.geom && b.area_stored
ORDER BY pr.number"""
# House numbers at their entrances: issued or in use on public roads in use (the staff's tiles add the proposed
# ones); one label per road, number and sub-number (a compound's buildings, units and rooms share it). A
# synthetic number (the demo streets) says so, in ``synthetic`` and ``standing``.
HOUSE_NUMBERS = """
SELECT DISTINCT ON (h.road_id, h.number, h.suffix)
       ST_AsMVTGeom(ST_Transform(h.geom, %(tile_srid)s), b.tile, %(extent)s, %(buffer)s, true) AS geom,
       CASE WHEN h.suffix > 0 THEN h.number::text || '-' || h.suffix::text ELSE h.number::text END AS number,
       p.name AS road, p.code AS road_code, h.status, (h.is_synthetic OR p.standing = 'synthetic') AS synthetic,
       CASE WHEN h.is_synthetic THEN 'synthetic' ELSE p.standing END AS standing
FROM {house_numbers} h JOIN {roads} r ON r.id = h.road_id JOIN {places} p ON p.id = r.place_id CROSS JOIN bounds b
WHERE %(z)s >= %(house_numbers_min_zoom)s AND h.geom && b.area_stored
  AND (h.status IN ('issued', 'in_use') OR (%(staff)s AND h.status = 'proposed'))
  AND p.is_public AND p.status = 'in_use' AND (p.valid_to IS NULL OR p.valid_to > %(today)s)
ORDER BY h.road_id, h.number, h.suffix, h.building_no, h.unit_no, h.room_no"""

# A place that names a unit stands where boundaries.services.markers labels the unit (the city and the
# counties at their seats, districts at their area label points); every other place at its own label
# point (the search index's). ``at_seat`` (true, or absent): the label stands at the unit's seat.
PLACES = """
SELECT ST_AsMVTGeom(ST_Transform(l.point, %(tile_srid)s), b.tile, %(extent)s, %(buffer)s, true) AS geom,
       e.name, p.romanization, e.category_code AS category, e.tier AS rank, p.code,
       p.standing = 'synthetic' AS synthetic, p.standing, l.at_seat
FROM {entries} e JOIN {places} p ON p.id = e.place_id
LEFT JOIN {units} u ON u.id = p.admin_unit_id
CROSS JOIN LATERAL (SELECT {unit_label} AS point) ul
CROSS JOIN LATERAL (
  SELECT coalesce(ul.point, e.point) AS point,
         CASE WHEN ST_Equals(ul.point, u.seat) THEN true END AS at_seat  -- absent (NULL) otherwise
) l CROSS JOIN bounds b
WHERE e.kind = 'standard' AND e.tier <= %(max_rank)s
  AND (e.point && b.area_stored OR u.seat && b.area_stored OR u.geom && b.area_stored) AND l.point && b.area_stored
  AND e.is_public AND NOT e.is_proposed AND p.status = 'in_use'
  AND (e.name_valid_from IS NULL OR e.name_valid_from <= %(today)s)
  AND (e.name_valid_to IS NULL OR e.name_valid_to > %(today)s)
  AND (e.place_valid_from IS NULL OR e.place_valid_from <= %(today)s)
  AND (e.place_valid_to IS NULL OR e.place_valid_to > %(today)s)
ORDER BY e.tier, e.name"""

FRAGMENTS = {
    "context": CONTEXT,
    "units": UNITS,
    "roads": ROADS,
    "boundaries": BOUNDARIES,
    "markers": MARKERS,
    "proposals": PROPOSALS,
    "places": PLACES,
    "house_numbers": HOUSE_NUMBERS,
}


def _layer(layer_id: str) -> str:
    fragment = FRAGMENTS[layer_id].format(**_tables(), unit_label=markers.label_sql("u"))
    select = f"SELECT ST_AsMVT(q, '{layer_id}', %(extent)s, 'geom') FROM ({fragment}\n) q WHERE q.geom IS NOT NULL"  # noqa: S608
    return f"coalesce(({select}), ''::bytea)"


@cache
def render_statement() -> str:
    """The tile's bytes as ``data``: the layers in drawing order."""
    mvt = "\n|| ".join(_layer(layer_id) for layer_id in layers.LAYER_IDS)
    return f"WITH {BOUNDS}\nSELECT {mvt} AS data"


# Makes the tile (``{mvt}``) and stores it unless it is empty or %(store)s is false; returns data, etag.
RENDER_AND_STORE = """WITH {bounds},
tile AS (SELECT {mvt} AS data),
stored AS (
  INSERT INTO {cache} (z, x, y, data, etag, envelope)
  SELECT %(z)s, %(x)s, %(y)s, t.data, encode(sha256(t.data), 'hex'), b.area FROM tile t CROSS JOIN bounds b
  WHERE %(store)s AND length(t.data) > 0
  ON CONFLICT (z, x, y) DO NOTHING RETURNING 1)
SELECT t.data, encode(sha256(t.data), 'hex'), (SELECT count(*) FROM stored) FROM tile t"""


@cache
def render_and_store_statement() -> str:
    mvt = "\n|| ".join(_layer(layer_id) for layer_id in layers.LAYER_IDS)
    return RENDER_AND_STORE.format(bounds=BOUNDS, mvt=mvt, cache=_tables()["cache"])


def parameters(z: int, x: int, y: int, today: dt.date) -> dict:
    xmin, ymin, xmax, ymax = tile_bounds(z, x, y).as_tuple()
    bxmin, bymin, bxmax, bymax = drawn_from(z, x, y).as_tuple()
    return {
        "z": z,
        "x": x,
        "y": y,
        "xmin": xmin,
        "ymin": ymin,
        "xmax": xmax,
        "ymax": ymax,
        "bxmin": bxmin,
        "bymin": bymin,
        "bxmax": bxmax,
        "bymax": bymax,
        "tile_srid": TILE_SRID,
        "storage_srid": STORAGE_SRID,
        "extent": EXTENT,
        "buffer": BUFFER,
        "unit_tiers": layers.unit_tiers(z),
        "line_levels": layers.line_levels(z),
        "max_rank": layers.max_rank(z),
        "road_classes": layers.road_classes(z),
        "house_numbers_min_zoom": layers.layer("house_numbers").min_zoom,
        "markers_min_zoom": layers.layer("markers").min_zoom,
        "road_categories": layers.ROAD_CATEGORY_PREFIXES,
        "today": today,
        "store": False,
        "staff": False,
    }
