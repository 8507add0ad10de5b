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


SKIP_PROBE = r"""
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()  # settings call config.geoenv.configure() before any GDAL is loaded
import fiona, pyogrio, pyogrio.raw
from django.contrib.gis.gdal import DataSource

vrt, url = sys.argv[1], sys.argv[2]


def attempt(read):
    try:
        return f"opened: {read()!r}"
    except Exception as exc:
        return type(exc).__name__


def with_fiona(path):
    with fiona.open(path) as collection:
        return [dict(f.properties) for f in collection]


facts = {
    "pyogrio_drivers": sorted(pyogrio.list_drivers()),
    "pyogrio_vrt": attempt(lambda: pyogrio.raw.read(vrt)),
    "fiona_vrt": attempt(lambda: with_fiona(vrt)),
    "django_vrt": attempt(lambda: DataSource(vrt).layer_count),
    "pyogrio_url": attempt(lambda: pyogrio.raw.read(f"/vsicurl/{url}/places.csv")),
    "pyogrio_csv_url": attempt(lambda: pyogrio.raw.read(f"CSV:/vsicurl/{url}/places.csv")),
    "fiona_url": attempt(lambda: with_fiona(f"{url}/places.geojson")),
}
print(json.dumps(facts))
"""


def test_gdal_skips_the_vrt_drivers_and_the_network_in_a_fresh_process(tmp_path):
    """Nothing but settings runs first; then pyogrio, fiona and GeoDjango are asked, without the
    one-driver door of core/ogr.py, to open a VRT that reads a local file and to fetch URLs."""
    import http.server
    import threading

    secret = tmp_path / "secret.csv"
    secret.write_text("name\nMDJ-SECRET-vrt\n")
    vrt = tmp_path / "places.vrt"
    vrt.write_text(
        f'<OGRVRTDataSource><OGRVRTLayer name="p"><SrcDataSource>CSV:{secret}</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    seen = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"name\nMDJ-SECRET-url\n")

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if k != "GDAL_SKIP"}
    try:
        result = subprocess.run(
            [sys.executable, "-c", SKIP_PROBE, str(vrt), f"http://127.0.0.1:{server.server_address[1]}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert not {"VRT", "OGR_VRT", "SQLite", "GDALG"} & set(facts["pyogrio_drivers"])
    assert {"GPKG", "ESRI Shapefile"} <= set(facts["pyogrio_drivers"])
    for key in ("pyogrio_vrt", "fiona_vrt", "django_vrt", "pyogrio_url", "pyogrio_csv_url", "fiona_url"):
        assert not facts[key].startswith("opened"), (key, facts[key])
    assert "MDJ-SECRET" not in result.stdout + result.stderr
    assert seen == []
