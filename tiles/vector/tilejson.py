"""TileJSON 3.0.0 of the vector tiles: where they are, which zooms, the territory's bounds, the layers
and their fields, and the attribution of every data source whose data the tiles draw."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.utils.html import escape

from boundaries.levels import Tier
from boundaries.models import AdminUnit, ContextArea
from core.models import DataSource
from core.srid import API_SRID
from gazetteer.models import Place
from tiles.vector.grid import MAX_ZOOM
from tiles.vector.layers import LAYERS
from tiles.vector.sources import CONTEXT_KINDS

NAME = "牡丹江市行政区划与标准地名 vector tiles"
VERSION = "1.0.0"
START_ZOOM = 7
WORLD = [-180.0, -85.0511, 180.0, 85.0511]


def tile_url_template(base_url: str) -> str:
    """The tiles' URL template on the host the client asked (``base_url``: scheme and host, no slash)."""
    return f"{base_url}/tiles/{{z}}/{{x}}/{{y}}.mvt"


def territory_bounds() -> list[float]:
    """[west, south, east, north] of the territory in the API CRS (WGS84)."""
    # The extent is taken in the database: loading the whole polygon to measure it took ~10 ms a request.
    extent = (
        AdminUnit.objects.current()
        .filter(code=settings.TERRITORY_CODE, geom__isnull=False)
        .aggregate(extent=Extent(Transform("geom", API_SRID)))["extent"]
    )
    if extent is None:
        return WORLD
    return [round(value, 5) for value in extent]


def _drawn_places():
    return Place.objects.filter(is_public=True, status=Place.Status.IN_USE, geom__isnull=False)


def _drawn_source_ids() -> set[int]:
    units = AdminUnit.objects.current().filter(tier__lte=Tier.COUNTY, geom__isnull=False)
    ids = {i for pair in units.values_list("source_id", "geometry_source_id") for i in pair}
    ids |= set(ContextArea.objects.filter(kind__in=CONTEXT_KINDS).values_list("source_id", flat=True))
    ids |= set(_drawn_places().values_list("source_id", flat=True))
    # A record of a unit without a polygon stands at the unit's seat: the seat's source is drawn too.
    seats = AdminUnit.objects.filter(place_record__in=_drawn_places(), geom__isnull=True)
    ids |= set(seats.values_list("seat_source_id", flat=True))
    return {i for i in ids if i is not None}


# boundaries.services.licensing: polygons whose source never licensed them openly are drawn here, as
# everywhere, and given at full precision only to the bureau's staff.
LICENCE_NOTE = (
    "The county and township polygons come from a source whose owner never licensed them openly: the tiles "
    "draw them; their coordinates are not open data (see /open-data). 县级、乡级行政区域界线来自未获开放许可的"
    "来源：瓦片可绘制，坐标不作为开放数据提供。"
)


def attribution() -> str:
    """The publisher's name and the attribution of each source drawn, as HTML-escaped text."""
    texts = (
        DataSource.objects.filter(id__in=_drawn_source_ids())
        .exclude(attribution="")
        .order_by("key")
        .values_list("attribution", flat=True)
    )
    return " | ".join(escape(text) for text in dict.fromkeys([f"© {settings.GAZETTEER_PUBLISHER}", *texts]))


def vector_layers() -> list[dict]:
    return [
        {
            "id": layer.id,
            "description": layer.description,
            "minzoom": layer.min_zoom,
            "maxzoom": layer.max_zoom,
            "fields": layer.fields,
        }
        for layer in LAYERS
    ]


def tilejson(base_url: str) -> dict:
    bounds = territory_bounds()
    return {
        "tilejson": "3.0.0",
        "name": NAME,
        "description": "Administrative units, boundary lines and standard place names of the territory, "
        "drawn from the system's own records; generalised per zoom band. " + LICENCE_NOTE,
        "version": VERSION,
        "scheme": "xyz",
        "tiles": [tile_url_template(base_url)],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": bounds,
        "center": [round((bounds[0] + bounds[2]) / 2, 5), round((bounds[1] + bounds[3]) / 2, 5), START_ZOOM],
        "attribution": attribution(),
        "vector_layers": vector_layers(),
    }
