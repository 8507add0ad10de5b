"""A map widget for the admin that works offline: OpenLayers from our own static files, and the
territory drawn from the system's own vector tiles (/tiles) as the base map instead of outside tiles."""

from django.conf import settings
from django.contrib.gis.forms.widgets import OpenLayersWidget


class OfflineMapWidget(OpenLayersWidget):
    template_name = "gis/offline_openlayers.html"
    default_lon = 129.9
    default_lat = 44.8
    default_zoom = 7

    class Media:
        extend = False  # the parent's Media loads OpenLayers from a public CDN
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["territory"] = settings.TERRITORY_CODE
        context["default_lon"], context["default_lat"] = self.default_lon, self.default_lat
        context["default_zoom"] = self.default_zoom
        return context
