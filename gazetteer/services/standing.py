"""A name's standing in law, decided here and nowhere else.

A name is standard (标准地名) for one of three reasons, and the record cites it:
- the naming procedure approved it (the application's decision: authority, document, date);
- it was already standard when registered here (the census, an earlier decision), and the officer
  who registers it cites that decision in full;
- it was loaded from an official register of names (the civil-affairs division list, the national
  hydrography: DataSource.official_names), which the record names as its source.

Everything else is a candidate (OpenStreetMap, GeoNames, an officer's new record, a file without a
decision's reference) until the procedure or a registration makes it standard. Synthetic
demonstration records are their own standing and never become standard. A standard name is retired
only through abolition (销名); candidates and synthetic records may be retired directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from core.models import Changeset, DataSource
from gazetteer.models import Place
from gazetteer.services.rules import PlaceRuleError

Standing = Place.Standing
Basis = Place.Basis


class StandingRefused(PlaceRuleError):
    """The record's standing does not allow this (e.g. registering a synthetic record as standard)."""


@dataclass(frozen=True)
class Decision:
    """The reference of the decision that made a name standard."""

    authority: str
    document: str
    date: dt.date

    @classmethod
    def from_values(cls, authority: str | None, document: str | None, date: dt.date | None) -> Decision | None:
        """A decision from three optional values: all three, or none (None); a part of one is refused."""
        authority, document = (authority or "").strip(), (document or "").strip()
        given = [bool(authority), bool(document), date is not None]
        if not any(given):
            return None
        if not all(given):
            missing = [n for n, g in zip(("authority", "document number", "date"), given, strict=True) if not g]
            raise StandingRefused(f"a decision is cited in full: its {', '.join(missing)} missing")
        decision = cls(authority, document, date)
        decision.check()
        return decision

    def check(self) -> None:
        if len(self.authority) > 200 or len(self.document) > 100:
            raise StandingRefused("the authority is at most 200 characters and the document number at most 100")
        from gazetteer.services.places import today  # the services' one "today"

        if self.date > today():
            raise StandingRefused(f"the decision's date {self.date} is still to come")

    @property
    def fields(self) -> dict:
        return {"decision_authority": self.authority, "decision_document": self.document, "decision_date": self.date}


NO_DECISION = {"decision_authority": "", "decision_document": "", "decision_date": None}


def at_creation(*, source: DataSource | None = None, decision: Decision | None = None, synthetic: bool = False) -> dict:
    """The standing fields of a new record: the one rule for where a name comes from."""
    if synthetic:
        if decision is not None:
            raise StandingRefused("a synthetic demonstration record is never a standard name")
        return {"standing": Standing.SYNTHETIC, "standard_basis": "", **NO_DECISION}
    if decision is not None:
        return {"standing": Standing.STANDARD, "standard_basis": Basis.REGISTERED, **decision.fields}
    if source is not None and source.official_names:
        return {"standing": Standing.STANDARD, "standard_basis": Basis.OFFICIAL_SOURCE, **NO_DECISION}
    return {"standing": Standing.CANDIDATE, "standard_basis": "", **NO_DECISION}


def may_become_standard(place: Place) -> None:
    """Refused unless the record could become a standard name (a candidate that still exists)."""
    if place.standing == Standing.SYNTHETIC:
        raise StandingRefused(f"{place.name} {place.code} is synthetic demonstration data: never a standard name")
    if place.standing == Standing.STANDARD:
        raise StandingRefused(
            f"{place.name} {place.code} is a standard name already ({place.get_standard_basis_display()})"
        )
    if place.status == Place.Status.HISTORICAL:
        raise StandingRefused(f"{place.name} {place.code} no longer exists (retired {place.valid_to})")


def may_retire_directly(place: Place) -> None:
    """A standard name ends only by abolition (销名) through the naming procedure."""
    if place.standing == Standing.STANDARD:
        raise StandingRefused(
            f"{place.name} {place.code} is a standard name: it is retired through the abolition procedure "
            "(销名): file an abolish application"
        )


def may_change(place: Place, changed: dict) -> None:
    """An edit may not end a standard name either (an end date or the historical status): abolition does."""
    ends = changed.get("valid_to") is not None or changed.get("status") == Place.Status.HISTORICAL
    if ends:
        may_retire_directly(place)


def _set(place: Place, changeset: Changeset, values: dict) -> Place:
    from gazetteer.services.places import bump_version  # the record's version and history

    for key, value in values.items():
        setattr(place, key, value)
    return bump_version(place, changeset, frozenset(values))


@transaction.atomic
def register_standard(
    place: Place, decision: Decision, *, changeset: Changeset, expected_version: int | None = None
) -> Place:
    """登记: a candidate's name was already standard by an earlier decision (the census, a
    government document); the record becomes standard and cites it."""
    from gazetteer.services.places import lock_place

    locked = lock_place(place, expected_version)
    may_become_standard(locked)
    decision.check()
    return _set(
        locked, changeset, {"standing": Standing.STANDARD, "standard_basis": Basis.REGISTERED, **decision.fields}
    )


def made_standard_by_procedure(place: Place, decision: Decision, *, changeset: Changeset) -> Place:
    """The procedure's decision made the name standard (called by gazetteer.services.naming)."""
    from gazetteer.services.places import lock_place

    locked = lock_place(place, None)
    values = {"standing": Standing.STANDARD, "standard_basis": Basis.PROCEDURE, **decision.fields}
    if all(getattr(locked, key) == value for key, value in values.items()):
        return locked
    return _set(locked, changeset, values)


def described(place: Place) -> dict:
    """The standing as every face shows it: the API, the record page, the files."""
    decision = None
    if place.standard_basis in (Basis.PROCEDURE, Basis.REGISTERED):
        decision = {
            "authority": place.decision_authority,
            "document": place.decision_document,
            "date": place.decision_date.isoformat(),
        }
    return {
        "code": place.standing,
        "label": place.get_standing_display(),
        "basis": place.standard_basis or None,
        "basis_label": place.get_standard_basis_display() or None,
        "decision": decision,
    }
