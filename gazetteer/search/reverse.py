"""Reverse lookup: the administrative path at a point, the nearest named places and the nearest address
(a house number within gazetteer.search.addresses.NEAREST_WITHIN_M of the point, or null)."""

from __future__ import annotations

import json

from django.db import connection

from boundaries.services import geography
from core.srid import STORAGE_SRID
from gazetteer.search.addresses import nearest_address

NEAREST_SQL = """
SELECT DISTINCT ON (e.place_id) e.payload,
       ST_Distance(e.point::geography, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), %(srid)s)::geography) AS metres
FROM (
  SELECT * FROM gazetteer_searchentry
  WHERE point IS NOT NULL AND kind = 'standard' AND (place_valid_to IS NULL OR place_valid_to > CURRENT_DATE)
    AND (NOT %(public_only)s OR (is_public AND NOT is_proposed))
  ORDER BY point <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), %(srid)s)
  LIMIT %(window)s
) e
ORDER BY e.place_id, metres
"""


def units_at(lon: float, lat: float) -> list[dict]:
    units = geography.units_holding(f"SRID={STORAGE_SRID};POINT({lon} {lat})")
    return [{"code": u.code, "name": u.name, "level": u.level} for u in units]


def nearest(lon: float, lat: float, *, limit: int, public_only: bool) -> list[dict]:
    params = {"lon": lon, "lat": lat, "srid": STORAGE_SRID, "public_only": public_only, "window": limit * 4}
    with connection.cursor() as cursor:
        cursor.execute(NEAREST_SQL, params)
        rows = cursor.fetchall()
    rows = sorted(rows, key=lambda row: row[1])[:limit]
    result = []
    for payload, metres in rows:
        data = json.loads(payload)
        result.append(
            {
                "code": data["code"],
                "name": data["name"],
                "romanization": data["romanization"],
                "category": data["category"],
                "lon": data["lon"],
                "lat": data["lat"],
                "distance_m": round(metres, 1),
                "standing": data["standing"],
            }
        )
    return result


def at(lon: float, lat: float, *, limit: int = 5, public_only: bool = True) -> dict:
    return {
        "lon": lon,
        "lat": lat,
        "units": units_at(lon, lat),
        "nearest": nearest(lon, lat, limit=limit, public_only=public_only),
        "address": nearest_address(lon, lat, public_only=public_only),
    }
