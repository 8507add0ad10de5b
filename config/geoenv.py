"""One geo environment for the whole process: one PROJ database, one GDAL, one GEOS.

Every geo wheel bundles its own PROJ, and ``import mapnik`` points ``PROJ_LIB`` at a folder with no
``proj.db``; after that GeoDjango cannot build a spatial reference. We point PROJ at the database in
the pyogrio wheel (PROJ 9.8, the newest layout, which every bundled PROJ can read), and GeoDjango
at the GDAL of that same wheel and the GEOS of the shapely wheel. See ../shared/STACK.md.

``configure()`` must run before anything geo is imported or used; settings.py calls it. It always
overrides ``PROJ_LIB``/``PROJ_DATA`` (so it also repairs the damage of an earlier ``import mapnik``).
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


def configure() -> GeoLibraries:
    libs = locate()
    os.environ["PROJ_DATA"] = libs.proj_data
    os.environ["PROJ_LIB"] = libs.proj_data
    # PROJ must never try the network for grids: the bureau's networks are offline.
    os.environ.setdefault("PROJ_NETWORK", "OFF")
    return libs
