"""One JSON shape per inspection record (the API, the field form and the report read these)."""

from __future__ import annotations

from boundaries.models import InspectionCampaign, InspectionTask, MarkerCheck, StretchCheck
from boundaries.services import inspections, marker_photos


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _lonlat(point) -> list[float] | None:
    return [round(point.x, 7), round(point.y, 7)] if point is not None else None


def side(party) -> dict:
    return {"code": party.code, "name": party.name}


def marker_check(check: MarkerCheck) -> dict:
    return {
        "client_id": str(check.client_id),
        "marker": check.marker.number,
        "synthetic": check.marker.is_synthetic,
        "checked_on": _day(check.checked_on),
        "found": check.found,
        "inscription_repainted": check.inscription_repainted,
        "references_changed": check.references_changed,
        "measured": _lonlat(check.measured),
        "displacement_m": None if check.displacement_m is None else round(check.displacement_m, 2),
        "notes": check.notes,
        "photos": [photo(p, check.marker) for p in check.photos.all()],
        "checked_by": check.checked_by.get_username(),
        "received_at": check.received_at.isoformat(),
    }


def photo(item, marker) -> dict:
    """A photo at a check: where its EXIF puts it, and how far that is from the registered marker."""
    distance = marker_photos.distance_from_marker_m(item, marker)
    return {
        "id": item.pk,
        "taken_at": item.taken_at.isoformat() if item.taken_at else None,
        "exif_position": _lonlat(item.exif_position),
        "distance_from_marker_m": None if distance is None else round(distance, 1),
        "url": f"/api/v1/boundary-markers/{marker.number}/photos/{item.pk}",
    }


def stretch_check(check: StretchCheck) -> dict:
    return {
        "client_id": str(check.client_id),
        "from_m": round(check.from_m, 1),
        "to_m": round(check.to_m, 1),
        "condition": check.condition,
        "checked_on": _day(check.checked_on),
        "notes": check.notes,
        "checked_by": check.checked_by.get_username(),
        "received_at": check.received_at.isoformat(),
    }


def task(item: InspectionTask) -> dict:
    return {
        "id": item.pk,
        "campaign": item.campaign.number,
        "kind": item.kind,
        "label": item.get_kind_display(),
        "marker": item.marker.number if item.marker_id else None,
        "owner": side(item.owner) if item.owner_id else None,
        "due_on": _day(item.due_on),
        "status": item.status,
        "done_on": _day(item.done_on),
        "note": item.note,
        "version": item.version,
    }


def brief(campaign: InspectionCampaign) -> dict:
    return {
        "number": campaign.number,
        "line": campaign.line.code,
        "line_name": campaign.line.name,
        "year": campaign.year,
        "occasion": campaign.occasion,
        "status": campaign.status,
        "plan_due": _day(campaign.plan_due),
        "closed_on": _day(campaign.closed_on),
        "version": campaign.version,
    }


def campaign(item: InspectionCampaign) -> dict:
    line = item.line
    markers = line.markers.exclude(status="abolished").order_by("distance_along_m", "sequence", "kind")
    return {
        **brief(item),
        "cause": item.cause,
        "lead": side(item.lead) if item.lead_id else None,
        "sides": [side(party) for party in inspections.sides_of(line)],
        "planned_start": _day(item.planned_start),
        "planned_end": _day(item.planned_end),
        "plan_filed_at": item.planned_at.isoformat() if item.planned_at else None,
        "plan_late": inspections.plan_late(item) if item.planned_at else False,
        "teams": item.teams,
        "office_review": item.office_review,
        "report_summary": item.report_summary,
        "filing_reference": item.filing_reference,
        "markers": [
            {
                "number": m.number,
                "status": m.status,
                "synthetic": m.is_synthetic,
                "position": _lonlat(m.geom),
                "distance_along_m": round(m.distance_along_m, 1),
            }
            for m in markers
        ],
        "unchecked": [m.number for m in inspections.unchecked(item)],
        "marker_checks": [marker_check(c) for c in item.marker_checks.select_related("marker", "checked_by")],
        "stretch_checks": [stretch_check(c) for c in item.stretch_checks.select_related("checked_by")],
        "tasks": [task(t) for t in item.tasks.select_related("campaign", "marker", "owner")],
        "signatures": [
            {
                "side": side(s.unit or s.outside),
                "signed_by": s.signed_by,
                "signed_on": _day(s.signed_on),
                "document": s.document,
                "recorded_by": s.recorded_by.get_username(),
            }
            for s in item.signatures.select_related("unit", "outside", "recorded_by")
        ],
        "awaiting_signatures": [side(s) for s in inspections.awaited_signatures(item)]
        if item.status == InspectionCampaign.Status.REPORTED
        else [],
    }
