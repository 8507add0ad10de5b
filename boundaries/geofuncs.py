"""PostGIS functions GeoDjango does not wrap, wrapped once here for the ORM."""

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import GeoFunc
from django.db.models import FloatField


class SimplifyPreserveTopology(GeoFunc):
    """ST_SimplifyPreserveTopology(geom, tolerance): simplified, still valid, per geometry."""

    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField()


class Multi(GeoFunc):
    """ST_Multi(geom): a polygon as a one-part multipolygon (simplifying may drop the "Multi")."""

    function = "ST_Multi"
    output_field = GeometryField()


class DistanceMetres(GeoFunc):
    """ST_Distance on geography: metres between two geometries in a geographic SRID."""

    function = "ST_Distance"
    template = "%(function)s(%(expressions)s::geography)"
    output_field = FloatField()
