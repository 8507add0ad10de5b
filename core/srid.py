"""The coordinate reference systems of the project, each named once. Use these, never bare numbers.

STORAGE: CGCS2000 geographic (the national standard datum; equals WGS84 to a few cm).
API: WGS84, what GeoJSON (RFC 7946) and web clients expect.
TILES: Web Mercator, the grid of web map tiles.
METRIC: CGCS2000 / Gauss-Kruger 6-degree zone 22, central meridian 129E: fits the whole city, for
areas, lengths and distances.
"""

STORAGE_SRID = 4490
API_SRID = 4326
TILE_SRID = 3857
METRIC_SRID = 4511

STORAGE_CRS_LABEL = "CGCS2000 (EPSG:4490)"
METRIC_CRS_LABEL = "CGCS2000 / Gauss-Kruger CM 129E (EPSG:4511)"
