"""Submit one naming application carrying many names (a batch: one decision, one notice) from a GeoJSON
FeatureCollection in WGS84: each feature is one name, its geometry the name's location, its properties
the name's inputs (kind, "name" when left out; proposed_name, category, place, meaning, origin,
location_description). The same service as POST /api/v1/naming-applications/batch
(gazetteer.services.naming.submit_batch), under the same right (the officer's county)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from boundaries.levels import Tier
from boundaries.models import AdminUnit
from core.api import ApiError, geojson_geometry
from gazetteer.models import Category, NamingApplication, Place
from gazetteer.permissions import Action, can
from gazetteer.services import naming

TEXTS = ("kind", "proposed_name", "meaning", "origin", "location_description")


class Command(BaseCommand):
    help = "Submit a batch naming application from a GeoJSON file (a feature per name)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection, WGS84 longitude/latitude")
        parser.add_argument("--county", required=True, help="Code of the county-level unit all the names lie in")
        parser.add_argument("--user", required=True, help="The submitting officer's username")
        parser.add_argument("--applicant", required=True, help="申请人或单位")
        parser.add_argument("--reason", required=True, help="申请理由")
        parser.add_argument("--contact", default="", help="The applicant's contact")

    def handle(self, *args, file, county, user, applicant, reason, contact, **options):
        officer = get_user_model().objects.filter(username=user, is_active=True).first()
        unit = AdminUnit.objects.current().filter(code=county, tier=Tier.COUNTY).first()
        if officer is None or unit is None:
            raise CommandError(f"no active user {user!r}" if officer is None else f"no county-level unit {county!r}")
        if not can(officer, Action.APPLY, counties={unit.id}):
            raise CommandError(f"{user} may not submit naming applications in {unit.name}")
        try:
            features = json.loads(Path(file).read_text(encoding="utf-8"))["features"]
            names = [_name(feature, index) for index, feature in enumerate(features, 1)]
            head = naming.submit_batch(
                county=unit,
                submitted_by=officer,
                applicant=applicant,
                reason=reason,
                applicant_contact=contact,
                names=names,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{file}: not a GeoJSON FeatureCollection ({exc})") from None
        except (ApiError, naming.StepRefused) as exc:
            raise CommandError(str(exc)) from None
        for application in naming.batch_of(head):
            self.stdout.write(f"{application.number} {application.proposed_name} {application.get_status_display()}")
        self.stdout.write(f"batch {head.number}: {len(names)} names")


def _name(feature: dict, index: int) -> dict:
    """A feature as naming.submit's per-name inputs."""
    properties = feature.get("properties") or {}
    unknown = sorted(set(properties) - {*TEXTS, "category", "place"})
    if unknown:
        raise naming.StepRefused(f"feature {index}: unknown properties {', '.join(unknown)}; takes {', '.join(TEXTS)}")
    values = {key: str(properties.get(key) or "") for key in TEXTS}
    values["kind"] = values["kind"] or NamingApplication.Kind.NAME
    if values["kind"] not in NamingApplication.Kind.values:
        raise naming.StepRefused(f"feature {index}: kind is one of {', '.join(NamingApplication.Kind.values)}")
    values["category"] = _found(Category, properties.get("category"), index)
    values["place"] = _found(Place, properties.get("place"), index)
    geometry = feature.get("geometry")
    values["geom"] = geojson_geometry(geometry, f"feature {index} geometry") if geometry else None
    return values


def _found(model, code, index: int):
    if not code:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise naming.StepRefused(f"feature {index}: no {model._meta.verbose_name} has the code {code!r}")
    return found
