"""A map widget for the admin that works offline: OpenLayers from our own static files, and the
territory drawn from the system's own vector tiles (/tiles) as the base map instead of outside tiles.

Django's gis/openlayers.html starts the widget with an inline script, which the Content-Security-Policy
refuses (settings.CONTENT_SECURITY_POLICY). Our template renders the same markup with the widget's
options as a JSON element, and web/static/js/admin_map_widget.js starts Django's MapWidget from it."""

from django.conf import settings
from django.contrib.gis.forms.widgets import OpenLayersWidget

# The vector tiles every map of the system draws (tiles/views.py), as an OpenLayers URL template.
TILE_URL = "/tiles/{z}/{x}/{y}.mvt"


class OfflineMapWidget(OpenLayersWidget):
    template_name = "gis/offline_openlayers.html"
    default_lon = 129.9
    default_lat = 44.8
    default_zoom = 7

    class Media:
        extend = False  # the parent's Media loads OpenLayers from a public CDN
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "js/admin_map_widget.js")

    def __init__(self, attrs=None, *, read_only: bool = False):
        super().__init__(attrs)
        self.read_only = read_only  # shown, not edited (e.g. an application's geometry on its page)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["disabled"] = self.read_only
        context["territory"] = settings.TERRITORY_CODE
        context["options_id"] = f"{context['id']}_options"
        # The options of Django's MapWidget (gis/js/OLMapWidget.js), plus the base layer's tiles and the
        # global name Django's own template gives the widget object.
        context["options"] = {
            "geom_name": context["geom_type"],
            "id": context["id"],
            "map_id": f"{context['id']}_map",
            "map_srid": context["map_srid"],
            "name": context["name"],
            "default_lon": self.default_lon,
            "default_lat": self.default_lat,
            "default_zoom": self.default_zoom,
            "module": context["module"],
            "tiles": TILE_URL,
            "read_only": self.read_only,
        }
        return context
