"""Import and export of place records (files a bureau holds: CSV, GeoJSON, shapefile, GeoPackage;
and the census registration form). Interfaces (API, management command) call these two functions."""

from gazetteer.services.place_io.importing import import_places
from gazetteer.services.place_io.report import ImportReport, Problem, Refusal
from gazetteer.services.place_io.writers import EXPORT_FORMATS, UnknownExportFormat, export_places

__all__ = [
    "EXPORT_FORMATS",
    "ImportReport",
    "Problem",
    "Refusal",
    "UnknownExportFormat",
    "export_places",
    "import_places",
]
