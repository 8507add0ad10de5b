"""The coordinate reference systems of the project, each named once. Use these, never bare numbers.

STORAGE: CGCS2000 geographic (the national standard datum; equals WGS84 to a few cm).
API: WGS84, what GeoJSON (RFC 7946) and web clients expect.
TILES: Web Mercator, the grid of web map tiles.
METRIC: CGCS2000 / Gauss-Kruger 6-degree zone 22, central meridian 129E: fits the whole city, for
areas, lengths and distances.
"""

import math

STORAGE_SRID = 4490
API_SRID = 4326
TILE_SRID = 3857
METRIC_SRID = 4511

STORAGE_CRS_LABEL = "CGCS2000 (EPSG:4490)"
METRIC_CRS_LABEL = "CGCS2000 / Gauss-Kruger CM 129E (EPSG:4511)"

# Gauss-Kruger 3-degree zones of CGCS2000, the plane of the marker forms' X (north) and Y (east), read
# off pyproj's CRS names: EPSG:4534..4554 are the zones named by their central meridian alone ("CGCS2000
# / 3-degree Gauss-Kruger CM 75E" .. "CM 135E", false easting 500 km, no zone number before Y); the city
# needs EPSG:4552 (CM 129E) and EPSG:4553 (CM 132E), as the forms do. EPSG:4513..4533 are the same zones
# with the zone number before Y (zone 43 = CM 129E is EPSG:4531, zone 44 = CM 132E is EPSG:4532).
GK3_FIRST_SRID = 4534  # CM 75E
GK3_FIRST_CM = 75
GK3_LAST_CM = 135


def gk3_srid(lon: float) -> int:
    """The 3-degree Gauss-Kruger zone (central meridian only) a longitude lies in; on a zone's edge
    (CM + 1.5 degrees) the eastern zone."""
    cm = 3 * math.floor(lon / 3 + 0.5)
    if not GK3_FIRST_CM <= cm <= GK3_LAST_CM:
        raise ValueError(
            f"longitude {lon} lies outside the CGCS2000 3-degree zones (CM {GK3_FIRST_CM}E..{GK3_LAST_CM}E)"
        )
    return GK3_FIRST_SRID + (cm - GK3_FIRST_CM) // 3
