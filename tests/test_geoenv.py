"""One PROJ/GDAL/GEOS for the whole process, even when mapnik is imported first."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, os
import mapnik  # first, as a rendering worker would: it points PROJ_LIB at a folder with no proj.db
broken = os.environ.get("PROJ_LIB")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from django.contrib.gis.gdal import SpatialReference
from django.contrib.gis.geos import Point
from pyproj import Transformer
import pyogrio, fiona
from core.srid import API_SRID, METRIC_SRID

lon, lat = 129.6, 44.55
p = Point(lon, lat, srid=API_SRID)
p.transform(METRIC_SRID)
x, y = Transformer.from_crs(API_SRID, METRIC_SRID, always_xy=True).transform(lon, lat)
m = mapnik.ProjTransform(mapnik.Projection(f"epsg:{API_SRID}"), mapnik.Projection(f"epsg:{METRIC_SRID}"))
c = m.forward(mapnik.Coord(lon, lat))
with fiona.Env():
    fiona_crs = fiona.crs.CRS.from_epsg(METRIC_SRID).to_wkt()
print(json.dumps({"broken": broken, "proj_lib": os.environ["PROJ_LIB"], "django": [p.x, p.y],
                  "pyproj": [x, y], "mapnik": [c.x, c.y], "srs": SpatialReference(METRIC_SRID).name,
                  "fiona": "Gauss" in fiona_crs or "4511" in fiona_crs,
                  "gdal": pyogrio.__gdal_version_string__}))
"""


def test_mapnik_first_then_geodjango_pyproj_and_mapnik_agree_within_a_millimetre():
    env = {k: v for k, v in os.environ.items() if k not in {"PROJ_LIB", "PROJ_DATA"}}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["broken"].endswith("mapnik/share/proj")  # the trap is real in this environment
    assert facts["proj_lib"].endswith("pyogrio/proj_data")
    dx, dy = (abs(a - b) for a, b in zip(facts["django"], facts["pyproj"], strict=True))
    assert dx < 0.001 and dy < 0.001
    mx, my = (abs(a - b) for a, b in zip(facts["mapnik"], facts["pyproj"], strict=True))
    assert mx < 0.001 and my < 0.001
    assert 500_000 < facts["pyproj"][0] < 600_000  # east of the central meridian 129E, false easting 500 km
    assert "CGCS2000" in facts["srs"] and facts["fiona"]
