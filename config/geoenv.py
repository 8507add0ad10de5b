"""One geo environment for the whole process: one PROJ database, one GDAL, one GEOS.

Every geo wheel bundles its own PROJ, and ``import mapnik`` points ``PROJ_LIB`` at a folder with no
``proj.db``; after that GeoDjango cannot build a spatial reference. We point PROJ at the database in
the pyogrio wheel (PROJ 9.8, the newest layout, which every bundled PROJ can read), and GeoDjango
at the GDAL of that same wheel and the GEOS of the shapely wheel. See ../shared/STACK.md.

``configure()`` must run before anything geo is imported or used; settings.py calls it. It always
overrides ``PROJ_LIB``/``PROJ_DATA`` (so it also repairs the damage of an earlier ``import mapnik``).

It also closes, for every GDAL in the process (pyogrio's, fiona's, GeoDjango's), what a hostile file
could use should some code path forget core/ogr.py, the one door for opening files with GDAL:

- ``GDAL_SKIP`` (read once, when a GDAL registers its drivers, so it must be in the environment
  before then) leaves out the drivers that read other files or URLs named inside a file (VRT,
  OGR_VRT, GDALG, GTI, STAC, TOC and tile-index readers, DERIVED, KML super-overlays), plain SQLite
  (whose VirtualOGR table and SQL functions reach other datasets; GeoPackage is its own driver and
  stays), the network services, GPSBabel (runs a program) and ADBC (loads a library). Names a GDAL
  build lacks are ignored (fiona's build logs a notice, which core/ogr.py filters out).
- No network: ``/vsicurl/`` and its kin accept one file name only, which points nowhere, and every
  HTTP request of GDAL goes through a proxy that does not exist; PROJ never fetches grids.
- No VirtualOGR or OGR SQL functions from triggers and views, no external access from SQLite SQL,
  no Python or raw-file bands in VRTs, no schema downloads for GML.
"""

from __future__ import annotations

import glob
import os
import sysconfig
from dataclasses import dataclass
from pathlib import Path


class GeoEnvironmentError(RuntimeError):
    """The wheels that provide PROJ, GDAL or GEOS are not where this module expects them."""


@dataclass(frozen=True)
class GeoLibraries:
    proj_data: str
    gdal_library: str
    geos_library: str


def _site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def _one(pattern: str, what: str, hint: str) -> str:
    matches = sorted(glob.glob(pattern))
    if not matches:
        raise GeoEnvironmentError(
            f"{what} not found (looked for {pattern}). {hint} "
            "Run 'make setup' to install the pinned requirements, or set the variable to override."
        )
    return matches[-1]


def locate() -> GeoLibraries:
    site = _site_packages()
    proj_data = os.environ.get("MDJ_PROJ_DATA") or _one(
        str(site / "pyogrio" / "proj_data" / "proj.db"), "PROJ database", "It ships in the pyogrio wheel."
    ).removesuffix("/proj.db")
    gdal = os.environ.get("GDAL_LIBRARY_PATH") or _one(
        str(site / "pyogrio.libs" / "libgdal-*.so*"), "GDAL library", "It ships in the pyogrio wheel."
    )
    geos = os.environ.get("GEOS_LIBRARY_PATH") or _one(
        str(site / "shapely.libs" / "libgeos_c-*.so*"), "GEOS C library", "It ships in the shapely wheel."
    )
    return GeoLibraries(proj_data=proj_data, gdal_library=gdal, geos_library=geos)


GDAL_SKIP = "GDAL_SKIP"
SKIPPED_DRIVERS = [
    # read other files or URLs named inside the file
    *("VRT", "OGR_VRT", "GDALG", "GTI", "STACIT", "STACTA", "DERIVED", "KMLSUPEROVERLAY", "ECRGTOC", "RPFTOC"),
    *("GNMFile", "GNMDatabase"),
    # SQLite's VirtualOGR and SQL functions open other datasets
    "SQLite",
    # network services
    *("HTTP", "WMS", "WMTS", "WCS", "WFS", "OAPIF", "OGCAPI", "CSW", "PLMOSAIC", "PLSCENES", "EEDA", "EEDAI"),
    *("DAAS", "NGW", "Carto", "AmigoCloud", "Elasticsearch"),
    # run a program, load a library
    *("GPSBabel", "ADBC"),
]
NOWHERE = "http://0.0.0.0:0"
SAFE_GDAL_OPTIONS = {
    "CPL_VSIL_CURL_ALLOWED_FILENAME": f"/vsicurl/{NOWHERE}/gdal-network-disabled",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".gdal-network-disabled",
    "GDAL_HTTP_PROXY": NOWHERE,
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_TIMEOUT": "1",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "ALLOW_VIRTUAL_OGR_FROM_TRIGGER_AND_VIEW": "NO",
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "GDAL_VRT_ENABLE_RAWRASTERBAND": "NO",
    "GML_DOWNLOAD_SCHEMA": "NO",
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    # PROJ must never try the network for grids: the bureau's networks are offline.
    "PROJ_NETWORK": "OFF",
}


def gdal_skip(current: str | None) -> str:
    """GDAL_SKIP with the skipped drivers added to any the environment already names."""
    names = (current or "").replace(",", " ").split()
    return " ".join(dict.fromkeys([*names, *SKIPPED_DRIVERS]))


def configure() -> GeoLibraries:
    libs = locate()
    os.environ["PROJ_DATA"] = libs.proj_data
    os.environ["PROJ_LIB"] = libs.proj_data
    os.environ[GDAL_SKIP] = gdal_skip(os.environ.get(GDAL_SKIP))  # internal, like PROJ_NETWORK: not a setting
    os.environ.update(SAFE_GDAL_OPTIONS)
    return libs
