"""What each role may do with boundary markers, built on accounts.roles.

- Reading: no real marker is public (the registers are the bureau's and the neighbours' working
  files); the bureau's staff (any role) read every marker, everyone else only the synthetic
  demonstration markers (示例), which are labelled as such wherever they appear.
- Writing: an officer of a county that is party to the marker's line, or an administrator
  (accounts.roles.may_write_in). Where the city itself is the party (its outer lines), the county the
  marker stands in answers for it. A change is then a pending event until both sides (and, for setting,
  moving or abolishing, the bureau) approve it: boundaries.services.marker_events.
"""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.db.models import QuerySet

from accounts.roles import is_staff_reader, may_write_in
from boundaries.levels import Tier
from boundaries.models import BoundaryLine
from boundaries.services.geography import counties_under


def sees_real_markers(user) -> bool:
    return is_staff_reader(user)


def visible_markers(user, markers: QuerySet) -> QuerySet:
    return markers if sees_real_markers(user) else markers.filter(is_synthetic=True)


def marker_counties(line: BoundaryLine, geom: Point | None) -> set[int]:
    """The counties whose officers answer for a marker of ``line`` at ``geom``."""
    counties = set()
    for party in line.party_rows.select_related("unit"):
        if party.unit is None:
            continue
        if party.unit.tier == Tier.COUNTY:
            counties.add(party.unit_id)
        elif party.unit.tier == Tier.CITY:
            counties |= counties_under(geom)
    return counties


def may_write_marker(user, line: BoundaryLine, geom: Point | None) -> bool:
    return may_write_in(user, marker_counties(line, geom))
