"""Applying checked rows through the place services: where the row lies, whether the user may touch
it there, and then create_place or update_place. Runs inside the import's transaction."""

from __future__ import annotations

import shapely
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q

from boundaries.models import AdminUnit
from boundaries.services import geography
from core.geometry import from_geos, to_geos
from core.models import Changeset
from gazetteer.models import Category, Place
from gazetteer.permissions import Action, can
from gazetteer.services import places as place_service
from gazetteer.services import standing
from gazetteer.services.place_io.report import ImportReport
from gazetteer.services.place_io.roads import write_road
from gazetteer.services.place_io.rows import RowPlan

SAME_GEOMETRY_DEG = 1e-9  # ~0.1 mm: a geometry read back from an export counts as unchanged


def same_shape(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    """Equal up to ring order, orientation and a one-part Multi* (what a shapefile round trip changes)."""
    a, b = shapely.normalize(_single(a)), shapely.normalize(_single(b))
    return a.geom_type == b.geom_type and a.equals_exact(b, SAME_GEOMETRY_DEG)


def _current_names_in(counties: set[int], name: str, limit: int = 5) -> list[str]:
    """Codes of current records of that name in these counties (a place code starts with its county's)."""
    in_counties = Q()
    for code in AdminUnit.objects.filter(id__in=counties).values_list("code", flat=True):
        in_counties |= Q(code__startswith=code[:6])
    return list(
        Place.objects.filter(in_counties, name=name, valid_to__isnull=True).values_list("code", flat=True)[:limit]
    )


def _single(geometry: shapely.Geometry) -> shapely.Geometry:
    if geometry.geom_type.startswith("Multi") and len(geometry.geoms) == 1:
        return geometry.geoms[0]
    return geometry


class RowWriter:
    def __init__(self, *, user, changeset: Changeset, report: ImportReport):
        self.user, self.changeset, self.report = user, changeset, report
        territory = AdminUnit.objects.current().filter(code=settings.TERRITORY_CODE).first()
        self.territory_name = territory.name if territory else settings.TERRITORY_CODE
        self.territory = from_geos(territory.geom) if territory is not None and territory.geom else None
        if self.territory is not None:
            shapely.prepare(self.territory)
        self.codes_seen: dict[str, int] = {}
        self.names_seen: dict[tuple[int, str], int] = {}

    def apply(self, plan: RowPlan) -> None:
        if not any(name in {"geometry", "unit"} for name, _ in plan.errors):
            self._check_place(plan)
        for field_name, message in plan.warnings:
            self.report.warn(plan.number, field_name, message, plan.layer)
        for field_name, message in plan.errors:
            self.report.error(plan.number, field_name, message, plan.layer)
        if plan.errors:
            return
        try:
            with transaction.atomic():
                self._update(plan) if plan.existing is not None else self._create(plan)
        except place_service.PlaceRuleError as exc:
            self.report.error(plan.number, "record", str(exc), plan.layer)
        except DatabaseError as exc:
            self.report.error(plan.number, "record", f"the database refused the record: {exc}", plan.layer)

    # ---- where the row lies and who may write it ----------------------------------------------------

    def _check_place(self, plan: RowPlan) -> None:
        geos = to_geos(plan.geom) if plan.geom is not None else None
        if plan.geom is not None and self.territory is not None:
            if not self.territory.intersects(plan.geom):
                plan.error("geometry", f"outside the territory ({self.territory_name})")
                return
            if not self.territory.covers(plan.geom):
                plan.warnings.append(("geometry", f"partly outside the territory ({self.territory_name})"))
        unit = plan.unit or geography.unit_at(geos)
        counties = place_service.place_counties(Place(geom=geos, unit=unit)) if (geos or unit) else set()
        if plan.existing is None:
            if not counties:
                plan.error("geometry", "lies in no county of the territory")
                return
            self._permit(plan, counties)
        else:
            self._check_existing(plan, counties)
        self._same_names(plan, counties)

    def _check_existing(self, plan: RowPlan, new_counties: set[int]) -> None:
        place = plan.existing
        if plan.name and plan.name != place.name:
            plan.error(
                "name",
                f"{place.code} is named {place.name}, not {plan.name}: the standard name changes "
                "through a naming application",
            )
        self._permit(plan, place_service.place_counties(place))
        if new_counties and not plan.errors:
            self._permit(plan, new_counties)
        first = self.codes_seen.setdefault(place.code, plan.number)
        if first != plan.number:
            plan.warnings.append(("code", f"{place.code} is also in row {first}; both rows apply, in order"))

    def _permit(self, plan: RowPlan, counties: set[int]) -> None:
        if can(self.user, Action.IMPORT, counties=counties):
            return
        names = "、".join(AdminUnit.objects.filter(id__in=counties).order_by("code").values_list("name", flat=True))
        plan.error("county", f"the record lies in {names or 'no county'}, outside the counties you may edit")

    def _same_names(self, plan: RowPlan, counties: set[int]) -> None:
        if not plan.name or plan.errors:
            return
        for county in counties:
            first = self.names_seen.setdefault((county, plan.name), plan.number)
            if first != plan.number:
                plan.warnings.append(("name", f"row {first} has the same name in the same county"))
        same = _current_names_in(counties, plan.name) if plan.existing is None else []
        if same:
            message = f"{plan.name} is already the name of {', '.join(same)} in the same county (one place, one name)"
            plan.warnings.append(("name", message))

    # ---- writing ------------------------------------------------------------------------------------

    def _create(self, plan: RowPlan) -> None:
        attributes = dict(plan.attributes)
        romanization = self._romanization(plan.name, plan.category, attributes)
        place = place_service.create_place(
            changeset=self.changeset,
            name=plan.name,
            category=plan.category,
            geom=to_geos(plan.geom) if plan.geom is not None else None,
            unit=plan.unit,
            other_names=plan.other_names,
            romanization=romanization,
            decision=plan.decision,
            registered_by=self.user,
            **attributes,
        )
        self.report.created += 1
        self._record(plan, "create", place, **self._road(plan, place, created=True))

    @staticmethod
    def _romanization(name: str, category: Category, attributes: dict) -> tuple[str, str] | None:
        """The file's romanization when it differs from the engine's (then it is an officer's override)."""
        roman, tones = attributes.pop("romanization", None), attributes.pop("romanization_tones", None)
        if roman is None and tones is None:
            return None
        computed = place_service.computed_romanization(name, category)
        roman = roman or computed[0]
        tones = tones or (computed[1] if roman == computed[0] else roman)
        return None if (roman, tones) == computed else (roman, tones)

    def _update(self, plan: RowPlan) -> None:
        place = plan.existing
        before = place.version
        if plan.version is not None and plan.version != before:
            self.report.warn(
                plan.number,
                "version",
                f"the row was based on version {plan.version}; the record is "
                f"at version {before}: updated without a version check",
                plan.layer,
            )
        changes = dict(plan.attributes)
        if plan.category_given:
            changes["category"] = plan.category
        if plan.geom is not None and (place.geom is None or not same_shape(from_geos(place.geom), plan.geom)):
            changes["geom"] = to_geos(plan.geom)
        if plan.unit is not None:
            changes["unit"] = plan.unit
        place = place_service.update_place(place, changeset=self.changeset, changes=changes)
        place = self._register(plan, place)
        have = set(place.names.values_list("kind", "name"))
        for kind, name in plan.other_names:
            if (kind, name) not in have:
                place_service.add_name(place, name, kind, changeset=self.changeset)
                have.add((kind, name))
        road = self._road(plan, place, created=False)
        after = Place.objects.values_list("version", flat=True).get(pk=place.pk)
        if after > before or road.get("road") in ("created", "updated"):
            self.report.updated += 1
            self._record(plan, "update", place, from_version=before, to_version=after, **road)
        else:
            self.report.unchanged += 1
            self._record(plan, "unchanged", place, **road)

    def _road(self, plan: RowPlan, place: Place, *, created: bool) -> dict:
        """A road or railway row: its Road record (class, route number) beside the place (roads.py)."""
        return write_road(plan, place, self.changeset, created=created) if plan.road is not None else {}

    def _register(self, plan: RowPlan, place: Place) -> Place:
        """A row citing a decision for a candidate registers its name as standard; for a record that is
        standard already the citation is not applied (its own stays), and the report says so."""
        if plan.decision is None:
            return place
        if place.standing == Place.Standing.CANDIDATE:
            return standing.register_standard(place, plan.decision, changeset=self.changeset)
        if standing.Decision.from_values(place.decision_authority, place.decision_document, place.decision_date) != (
            plan.decision
        ):
            self.report.warn(
                plan.number,
                "decision",
                f"{place.code} is {place.get_standing_display()} ({place.get_standard_basis_display() or '-'}): "
                "the row's decision is not applied",
                plan.layer,
            )
        return place

    def _record(self, plan: RowPlan, action: str, place: Place, **extra) -> None:
        entry = {
            "row": plan.number,
            "action": action,
            "code": place.code,
            "name": place.name,
            "standing": place.standing,
            **extra,
        }
        if plan.layer:
            entry["layer"] = plan.layer
        self.report.records.append(entry)
