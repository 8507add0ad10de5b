"""Draft division changes (区划调整方案): the only writer of DivisionDraft.

A draft is a list of steps, each naming units by their codes:

- ``establish``: a new township- or village-tier unit (``parent``, ``name``, ``level``, ``code``);
- ``transfer``: a unit moves to another parent of the tier above (``unit``, ``to``; ``code``, and
  optionally a new ``name`` or ``level``). A change of parent retires the code and issues a new one
  (行政区划代码管理办法 第6条): the unit of the old parent ends, a unit under the new parent begins;
- ``rename``: a new name (and, as in 撤县设市, a new code or level) for the same unit;
- ``abolish``: the unit ends; nothing may be left under it;
- ``fold`` (input only): every current unit under ``unit`` moves to ``to`` and ``unit`` is abolished,
  stored as those transfers and the abolition (森工、农垦 units folded into a township).

Missing codes are allocated when the draft is saved, above every code ever used under the parent
(retired codes are never reused) and any other open draft's. The checks run on every save, on the
preview and again on approval, so a draft that no longer fits the register is refused then.

``preview`` shows the units as they would stand: per affected unit its code, name, parent, child
units by tier before and after, and its area in km² (the metric CRS, core.metric) where a polygon exists.
``approve`` cites the legal basis (authority, document, date) and applies every step through the unit
service (boundaries.services.units) in one changeset, dated: the new state from the effective day,
the old one ending the day before; each step becomes a DivisionChange row citing the basis.
County outlines are not a draft's: they change by boundary proposals (boundaries.services.proposals).

Rights: officers draft for their counties, administrators anywhere; the bureau's approver (or an
administrator) approves or rejects; the drafter withdraws.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import shapely
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role
from accounts.roles import is_administrator, may_write_in, roles
from boundaries.levels import TOWNSHIP_LEVELS, VILLAGE_LEVELS, Level, Tier, tier_of_code, village_level_from_code
from boundaries.models import AdminUnit, DivisionChange, DivisionDraft, UnitCode
from boundaries.services import township_topology
from boundaries.services import units as unit_service
from boundaries.services.edge_geometry import TopologyRefused
from boundaries.services.geography import county_of
from core.events import RecordChanged, announce
from core.geometry import from_geos, to_geos_multipolygon
from core.history import open_changeset
from core.metric import to_metric
from core.models import Changeset, DataSource
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number

Kind, Status = DivisionDraft.Kind, DivisionDraft.Status
OPS = ("establish", "transfer", "rename", "abolish")  # applied in this order
ALLOWED = {
    Kind.MERGE: {"transfer", "abolish", "rename"},
    Kind.SPLIT: {"establish", "transfer", "rename"},
    Kind.TRANSFER: {"transfer", "abolish"},
    Kind.RENAME: {"rename"},
    Kind.ABOLISH: {"abolish", "transfer"},
    Kind.BOUNDARY: {"transfer"},
}
NEEDED = {
    Kind.MERGE: "abolish",
    Kind.SPLIT: "establish",
    Kind.TRANSFER: "transfer",
    Kind.RENAME: "rename",
    Kind.ABOLISH: "abolish",
    Kind.BOUNDARY: "transfer",
}
LEVELS_OF_TIER = {
    Tier.COUNTY: {Level.DISTRICT, Level.COUNTY, Level.COUNTY_CITY},
    Tier.TOWNSHIP: {*TOWNSHIP_LEVELS, Level.STATISTICAL},
    Tier.VILLAGE: {*VILLAGE_LEVELS, Level.STATISTICAL},
}
# The three digits a unit adds to its parent's code, by tier and level: GB/T 10114 for townships
# (001-099 街道, 100-199 镇, 200-399 乡, 400-599 政企合一), the statistics bureau's for villages (the
# ranges boundaries.levels.village_level_from_code reads back).
SERIALS = {
    (Tier.TOWNSHIP, Level.SUBDISTRICT): (1, 99),
    (Tier.TOWNSHIP, Level.TOWN): (100, 199),
    (Tier.TOWNSHIP, Level.TOWNSHIP): (200, 399),
    (Tier.TOWNSHIP, Level.STATISTICAL): (400, 599),
    (Tier.VILLAGE, Level.COMMUNITY): (1, 199),
    (Tier.VILLAGE, Level.VILLAGE): (200, 399),
    (Tier.VILLAGE, Level.STATISTICAL): (500, 599),
}
PREFIX = {Tier.COUNTY: 4, Tier.TOWNSHIP: 6, Tier.VILLAGE: 9}  # digits a code shares with its parent's
TIER_WORDS = {Tier.TOWNSHIP: "township", Tier.VILLAGE: "village"}
DECISIONS_SOURCE = "division-decisions"


class DraftRefused(ValueError):
    """A draft, approval or refusal that the rules, the register or the user's role do not allow."""

    def __init__(self, message: str, *, step: int | None = None, forbidden: bool = False):
        super().__init__(message if step is None else f"step {step + 1}: {message}")
        self.step, self.forbidden = step, forbidden


# ---- rights ----------------------------------------------------------------------------------------


def may_decide(user) -> bool:
    """The bureau's approver, or an administrator, approves or rejects a draft."""
    return is_administrator(user) or Role.APPROVER in roles(user)


def may_draft(user, counties: set[int]) -> bool:
    """An officer of a county the draft touches, or an administrator (accounts.roles.may_write_in)."""
    return may_write_in(user, counties)


# ---- reading the steps against the register ---------------------------------------------------------


@dataclass
class Plan:
    """The steps resolved: units by code, what each becomes, and what the preview and approval need."""

    kind: str
    steps: list[dict]
    units: dict[str, AdminUnit] = field(default_factory=dict)  # existing units named by the steps
    established: dict[str, dict] = field(default_factory=dict)  # new code -> its step
    moves: list[tuple[AdminUnit, str]] = field(default_factory=list)  # (unit, new parent's code)
    abolished: list[AdminUnit] = field(default_factory=list)
    stepped: set[str] = field(default_factory=set)  # codes of the units a step names

    def parent_after(self, code: str) -> str | None:
        """The code of the parent a unit (by today's code, or a new code) has after the draft."""
        if code in self.established:
            return self.established[code]["parent"]
        moved = next((to for unit, to in self.moves if unit.code == code), None)
        if moved:
            return moved
        unit = self.units.get(code) or AdminUnit.objects.current().filter(code=code).first()
        return unit.parent.code if unit and unit.parent_id else None

    def counties(self) -> set[int]:
        found = set()
        for unit in self.units.values():
            county = county_of(unit)
            if county is not None:
                found.add(county.pk)
        return found


def _current(code, step: int, what: str) -> AdminUnit:
    if not isinstance(code, str) or not code:
        raise DraftRefused(f"{what}: give a unit's code", step=step)
    unit = AdminUnit.objects.current().select_related("parent").filter(code=code).first()
    if unit is None:
        raise DraftRefused(f"{what} {code}: no current unit has this code", step=step)
    return unit


def _name(value, step: int) -> str:
    name = (value or "").strip() if isinstance(value, str) else ""
    if not name or len(name) > 100:
        raise DraftRefused("a name of 1 to 100 characters", step=step)
    return name


def _level(value, tier: int, step: int) -> str:
    if value not in LEVELS_OF_TIER.get(tier, ()):
        allowed = ", ".join(sorted(LEVELS_OF_TIER.get(tier, ())))
        raise DraftRefused(f"level {value!r} is not a level of tier {tier} ({allowed})", step=step)
    return value


def _fits(code: str, tier: int, parent_code: str, level: str, step: int) -> None:
    """A code of this tier, under this parent, that says this level (villages) and was never used."""
    try:
        fits_tier = code.isdigit() and tier_of_code(code) == tier
    except ValueError:
        fits_tier = False
    if not fits_tier:
        raise DraftRefused(f"code {code!r} is not a code of tier {tier}", step=step)
    if code[: PREFIX[tier]] != parent_code[: PREFIX[tier]]:
        raise DraftRefused(f"code {code} does not lie under its parent {parent_code}", step=step)
    if tier == Tier.VILLAGE and village_level_from_code(code) != level:
        raise DraftRefused(f"code {code}: its digits 10-12 say {village_level_from_code(code)}, not {level}", step=step)
    if AdminUnit.objects.by_any_code(code).exists():
        raise DraftRefused(f"code {code} is or was in use: a retired code is never reused", step=step)


def _reserved(exclude_pk: int | None) -> set[str]:
    """Codes the other open drafts will issue."""
    drafts = DivisionDraft.objects.filter(status=Status.DRAFT).exclude(pk=exclude_pk)
    return {s["code"] for d in drafts.only("steps") for s in d.steps if s.get("code") and s.get("op") != "abolish"}


def _allocate(parent_code: str, tier: int, level: str, taken: set[str]) -> str:
    """The next code under the parent in the level's range, above every code used there."""
    prefix = parent_code[: PREFIX[tier]]
    low, high = SERIALS[(tier, level)]
    used = set(AdminUnit.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    used |= set(UnitCode.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    serials = [
        int(code[len(prefix) :])
        for code in used | taken
        if code.startswith(prefix) and len(code) == len(prefix) + 3 and code[len(prefix) :].isdigit()
    ]
    serial = max((s for s in serials if low <= s <= high), default=low - 1) + 1
    if serial > high:
        raise DraftRefused(f"no code left under {parent_code} for level {level} ({low:03d}-{high:03d})")
    return f"{prefix}{serial:03d}"


def _expanded(steps: list) -> list[dict]:
    """The steps with every ``fold`` written out as its transfers and the abolition."""
    if not isinstance(steps, list) or not steps:
        raise DraftRefused("a draft has at least one step")
    out = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or step.get("op") not in (*OPS, "fold"):
            raise DraftRefused(f"op is one of {', '.join((*OPS, 'fold'))}", step=i)
        if step["op"] != "fold":
            out.append({k: v for k, v in step.items() if v not in (None, "")})
            continue
        unit = _current(step.get("unit"), i, "unit")
        _current(step.get("to"), i, "to")
        for child in unit.children.current().order_by("code"):
            out.append({"op": "transfer", "unit": child.code, "to": step["to"]})
        out.append({"op": "abolish", "unit": unit.code})
    return out


def plan(kind: str, steps: list, *, exclude_pk: int | None = None, allocate: bool = False) -> Plan:
    """The steps checked against the register (and, with ``allocate``, missing codes filled in)."""
    if kind not in Kind.values:
        raise DraftRefused(f"kind is one of {', '.join(Kind.values)}")
    steps = _expanded(steps)
    ops = {step["op"] for step in steps}
    if not ops <= ALLOWED[kind] or NEEDED[kind] not in ops:
        raise DraftRefused(f"a {kind} draft has {NEEDED[kind]} steps and only {', '.join(sorted(ALLOWED[kind]))} steps")
    resolved = Plan(kind, steps)
    taken = _reserved(exclude_pk)
    ordered = sorted(enumerate(steps), key=lambda pair: OPS.index(pair[1]["op"]))
    for i, step in ordered:
        {"establish": _establish, "transfer": _transfer, "rename": _rename, "abolish": _abolish}[step["op"]](
            resolved, i, step, taken, allocate
        )
    _check_names(resolved)
    return resolved


def _new_code(resolved: Plan, i: int, step: dict, tier: int, parent: str, level: str, taken: set, allocate: bool):
    code = step.get("code")
    if code is None and allocate:
        code = step["code"] = _allocate(parent, tier, level, taken)
    if code is None:
        raise DraftRefused("code: the unit's new code", step=i)
    if code in taken:
        raise DraftRefused(f"code {code} is already taken by another step or open draft", step=i)
    _fits(code, tier, parent, level, i)
    taken.add(code)
    return code


def _named_once(resolved: Plan, unit: AdminUnit, i: int) -> None:
    if unit.code in resolved.stepped:
        raise DraftRefused(f"{unit.name} {unit.code} is named by another step: one step per unit", step=i)
    resolved.stepped.add(unit.code)
    resolved.units[unit.code] = unit


def _establish(resolved: Plan, i: int, step: dict, taken: set, allocate: bool) -> None:
    parent = _current(step.get("parent"), i, "parent")
    tier = parent.tier + 1
    if tier not in (Tier.TOWNSHIP, Tier.VILLAGE):
        raise DraftRefused("a draft establishes township- or village-tier units", step=i)
    step["name"], step["level"] = _name(step.get("name"), i), _level(step.get("level"), tier, i)
    code = _new_code(resolved, i, step, tier, parent.code, step["level"], taken, allocate)
    resolved.established[code] = {**step, "tier": tier}
    resolved.units.setdefault(parent.code, parent)


def _transfer(resolved: Plan, i: int, step: dict, taken: set, allocate: bool) -> None:
    unit = _current(step.get("unit"), i, "unit")
    _named_once(resolved, unit, i)
    if unit.tier < Tier.TOWNSHIP:
        raise DraftRefused("a county-level unit changes its parent by the State Council, not a draft", step=i)
    if unit.children.current().exists():
        raise DraftRefused(f"{unit.name} has units under it: a draft moves units without any below them", step=i)
    target = step.get("to")
    if target in resolved.established:
        to_tier = resolved.established[target]["tier"]
    else:
        parent = _current(target, i, "to")
        if parent.code in {u.code for u in resolved.abolished}:
            raise DraftRefused(f"{parent.name} is abolished by this draft", step=i)
        resolved.units.setdefault(parent.code, parent)
        to_tier = parent.tier
    if to_tier != unit.tier - 1:
        raise DraftRefused(f"{unit.name} (tier {unit.tier}) moves to a unit of tier {unit.tier - 1}", step=i)
    if unit.parent_id and unit.parent.code == target:
        raise DraftRefused(f"{unit.name} is already under {target}", step=i)
    if "name" in step:
        step["name"] = _name(step["name"], i)
    level = step["level"] = _level(step.get("level", unit.level), unit.tier, i)
    _new_code(resolved, i, step, unit.tier, target, level, taken, allocate)
    resolved.moves.append((unit, target))
    if unit.parent_id:
        resolved.units.setdefault(unit.parent.code, unit.parent)


def _rename(resolved: Plan, i: int, step: dict, taken: set, allocate: bool) -> None:
    unit = _current(step.get("unit"), i, "unit")
    _named_once(resolved, unit, i)
    if unit.tier < Tier.COUNTY:
        raise DraftRefused("the city is not renamed by a draft", step=i)
    if "name" in step:
        step["name"] = _name(step["name"], i)
    if "level" in step:
        _level(step["level"], unit.tier, i)
    if "code" in step:
        _new_code(resolved, i, step, unit.tier, unit.parent.code, step.get("level", unit.level), taken, False)
    if not any(step.get(k) not in (None, getattr(unit, k)) for k in ("name", "code", "level")):
        raise DraftRefused(f"{unit.name}: give a new name (or code or level)", step=i)


def _abolish(resolved: Plan, i: int, step: dict, taken: set, allocate: bool) -> None:
    unit = _current(step.get("unit"), i, "unit")
    _named_once(resolved, unit, i)
    if unit.tier < Tier.TOWNSHIP:
        raise DraftRefused("a county-level unit is abolished by the State Council, not a draft", step=i)
    moved = {u.pk for u, _ in resolved.moves}
    left = [c for c in unit.children.current().order_by("code") if c.pk not in moved]
    arriving = [u for u, to in resolved.moves if to == unit.code]
    arriving += [s for s in resolved.established.values() if s["parent"] == unit.code]
    if left or arriving:
        names = ", ".join(f"{c.name} {c.code}" for c in left[:5]) or "units moved into it"
        raise DraftRefused(f"{unit.name} cannot end with units under it ({names}): move them first", step=i)
    resolved.abolished.append(unit)
    if unit.parent_id:
        resolved.units.setdefault(unit.parent.code, unit.parent)


def _check_names(resolved: Plan) -> None:
    """No two units under one parent with the same name after the draft, where the draft brings one."""
    arriving: dict[str, list[str]] = defaultdict(list)
    leaving: dict[str, set[int]] = defaultdict(set)
    for unit, to in resolved.moves:
        step = _step_of(resolved, unit.code)
        arriving[to].append(step.get("name", unit.name))
        leaving[unit.parent.code].add(unit.pk)
    for step in resolved.established.values():
        arriving[step["parent"]].append(step["name"])
    for step in resolved.steps:
        if step["op"] == "rename" and "name" in step:
            unit = resolved.units[step["unit"]]
            arriving[unit.parent.code].append(step["name"])
            leaving[unit.parent.code].add(unit.pk)
    for parent_code, names in arriving.items():
        unit = resolved.units.get(parent_code)
        staying = []
        if unit is not None:
            staying = [
                n for pk, n in unit.children.current().values_list("pk", "name") if pk not in leaving[parent_code]
            ]
        twice = [name for name, n in Counter([*staying, *names]).items() if n > 1 and name in names]
        if twice:
            raise DraftRefused(f"two units named {', '.join(twice)} would stand under {parent_code}")


def _step_of(resolved: Plan, code: str) -> dict:
    return next(s for s in resolved.steps if s.get("unit") == code and s["op"] != "establish")


# ---- writing drafts ---------------------------------------------------------------------------------


def _number() -> str:
    try:
        year = timezone.localdate().year
        return next_number("division-draft", DivisionDraft.objects, "number", f"QH-{year}-")
    except SerialsExhausted as exc:
        raise DraftRefused(str(exc)) from None


BASIS_FIELDS = ("basis_authority", "basis_document", "basis_date")
EDITABLE = ("kind", "title", "reason", "steps", "effective_date", *BASIS_FIELDS)


def _texts(fields: dict) -> dict:
    for name in ("title", "reason"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            if not fields[name]:
                raise DraftRefused(f"{name}: required")
    for name in ("basis_authority", "basis_document"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    return fields


@transaction.atomic
def create(*, user, kind: str, title: str, reason: str, steps: list, **fields) -> DivisionDraft:
    """A new draft, checked against the register now (codes allocated where missing)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not a draft's: {', '.join(sorted(unknown))}")
    fields = _texts({"title": title, "reason": reason, **fields})
    resolved = plan(kind, steps, allocate=True)
    if not may_draft(user, resolved.counties()):
        raise DraftRefused("a draft is drawn by an officer of a county it touches", forbidden=True)
    draft = DivisionDraft.objects.create(number=_number(), kind=kind, steps=resolved.steps, drafted_by=user, **fields)
    announce(RecordChanged("division-draft", draft, frozenset({"status"}), created=True))
    return draft


@transaction.atomic
def edit(draft: DivisionDraft, *, user, changes: dict, expected_version: int | None = None) -> DivisionDraft:
    """Change a draft while it is a draft; the steps are checked again (VersionConflict when stale)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not a draft's: {', '.join(sorted(unknown))}")
    locked = lock(DivisionDraft.objects.all(), draft.pk, expected_version)
    if locked.status != Status.DRAFT:
        raise DraftRefused(f"draft {locked.number} is {locked.get_status_display()}: it is no longer edited")
    changes = _texts(dict(changes))
    resolved = plan(
        changes.get("kind", locked.kind), changes.get("steps", locked.steps), exclude_pk=locked.pk, allocate=True
    )
    if not may_draft(user, resolved.counties()):
        raise DraftRefused("a draft is edited by an officer of a county it touches", forbidden=True)
    changes["steps"] = resolved.steps
    for name, value in changes.items():
        setattr(locked, name, value)
    bump(locked)
    locked.refresh_from_db()
    return locked


# ---- the preview ------------------------------------------------------------------------------------


def _area_km2(geometry: shapely.Geometry | None) -> float | None:
    return None if geometry is None else round(to_metric(geometry).area / 1_000_000, 3)


def _ancestors(code: str | None, resolved: Plan) -> list[str]:
    """The unit's code and those above it, after the draft."""
    found = []
    while code:
        found.append(code)
        code = resolved.parent_after(code)
    return found


def _counts_before(unit: AdminUnit) -> dict[str, int]:
    if unit.tier >= Tier.VILLAGE:
        return {}
    below = AdminUnit.objects.current().filter(Q(parent=unit) | Q(parent__parent=unit) | Q(parent__parent__parent=unit))
    counts = {row["tier"]: row["n"] for row in below.values("tier").annotate(n=Count("pk"))}
    return {word: counts.get(tier, 0) for tier, word in TIER_WORDS.items() if tier > unit.tier}


def _brief(unit: AdminUnit | None) -> dict | None:
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def _moves_between(resolved: Plan) -> list[tuple[dict, list[str], list[str]]]:
    """(what moves, ancestors it leaves, ancestors it joins), for transfers, establishments and abolitions."""
    found = []
    for unit, to in resolved.moves:
        before, above = [], unit.parent
        while above is not None:
            before.append(above.code)
            above = above.parent
        after = _ancestors(to, resolved)
        what = {"tier": unit.tier, "geom": from_geos(unit.geom) if unit.geom else None, "name": unit.name}
        found.append((what, [c for c in before if c not in after], [c for c in after if c not in before]))
    for step in resolved.established.values():
        found.append(
            ({"tier": step["tier"], "geom": None, "name": step["name"]}, [], _ancestors(step["parent"], resolved))
        )
    for unit in resolved.abolished:
        before = _ancestors(unit.parent.code, resolved)
        found.append(({"tier": unit.tier, "geom": "stays", "name": unit.name}, before, []))
    return found


def preview(draft: DivisionDraft) -> dict:
    """The units as they would stand: for each unit a step names, and each unit above them whose
    child counts change, its name, code and parent before and after, its child units by tier before
    and after, and its area (km², in the metric CRS) before and after where it has a polygon."""
    if draft.status == Status.APPROVED and draft.applied_preview:
        return draft.applied_preview
    resolved = plan(draft.kind, draft.steps, exclude_pk=draft.pk)
    return _preview(draft, resolved)


def _preview(draft: DivisionDraft, resolved: Plan) -> dict:
    moves = _moves_between(resolved)
    delta: dict[str, Counter] = defaultdict(Counter)
    gains: dict[str, list] = defaultdict(list)
    losses: dict[str, list] = defaultdict(list)
    for what, left, joined in moves:
        for code in left:
            delta[code][TIER_WORDS[what["tier"]]] -= 1
            losses[code].append(what)
        for code in joined:
            delta[code][TIER_WORDS[what["tier"]]] += 1
            gains[code].append(what)
    codes = list(dict.fromkeys([*resolved.units, *(c for c in delta if any(delta[c].values()))]))
    existing = {u.code: u for u in AdminUnit.objects.current().select_related("parent").filter(code__in=codes)}
    warnings: list[str] = []
    rows = [_row(existing[c], resolved, delta[c], gains[c], losses[c], warnings) for c in codes if c in existing]
    rows += [_new_row(code, step, delta[code], resolved) for code, step in resolved.established.items()]
    rows.sort(key=lambda row: (row["tier"], row["code"]))
    return {
        "number": draft.number,
        "kind": draft.kind,
        "status": draft.status,
        "effective_date": draft.effective_date.isoformat() if draft.effective_date else None,
        "units": rows,
        "warnings": list(dict.fromkeys(warnings)),
    }


def _row(unit: AdminUnit, resolved: Plan, delta: Counter, gains: list, losses: list, warnings: list) -> dict:
    step = next((s for s in resolved.steps if s.get("unit") == unit.code), None)
    op = step["op"] if step else None
    before = _counts_before(unit)
    after_counts = {word: before.get(word, 0) + delta.get(word, 0) for word in before}
    parent_after = resolved.parent_after(unit.code) if op != "transfer" else step["to"]
    after = None
    if op != "abolish":
        after = {
            "code": step.get("code", unit.code) if step else unit.code,
            "name": step.get("name", unit.name) if step else unit.name,
            "level": step.get("level", unit.level) if step else unit.level,
            "parent": _parent_brief(parent_after, resolved),
        }
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "tier": unit.tier,
        "change": {"transfer": "transferred", "rename": "renamed", "abolish": "abolished"}.get(op, "affected"),
        "parent": _brief(unit.parent),
        "after": after,
        "children": {"before": before, "after": after_counts if op != "abolish" else {}},
        "area_km2": _area(unit, op, gains, losses, warnings),
    }


def _parent_brief(code: str | None, resolved: Plan) -> dict | None:
    if code is None:
        return None
    if code in resolved.established:
        return {"code": code, "name": resolved.established[code]["name"]}
    unit = resolved.units.get(code) or AdminUnit.objects.current().filter(code=code).first()
    return _brief(unit)


def _new_row(code: str, step: dict, delta: Counter, resolved: Plan) -> dict:
    counts = {word: delta.get(word, 0) for tier, word in TIER_WORDS.items() if tier > step["tier"]}
    return {
        "code": code,
        "name": step["name"],
        "level": step["level"],
        "tier": step["tier"],
        "change": "established",
        "parent": None,
        "after": {
            "code": code,
            "name": step["name"],
            "level": step["level"],
            "parent": _parent_brief(step["parent"], resolved),
        },
        "children": {"before": {}, "after": counts},
        "area_km2": {"before": None, "after": None, "note": "新设单位，暂无面数据 no polygon yet"},
    }


def _area(unit: AdminUnit, op: str | None, gains: list, losses: list, warnings: list) -> dict:
    if unit.geom is None:
        return {"before": None, "after": None, "note": "无面数据 no polygon: area not known"}
    geometry = from_geos(unit.geom)
    before = _area_km2(geometry)
    if op == "abolish":
        return {"before": before, "after": None, "note": "撤销 abolished"}
    moved = [w for w in gains + losses if w["geom"] != "stays"]
    if not moved:
        return {"before": before, "after": before, "note": ""}
    if unit.tier <= Tier.COUNTY:
        warnings.append(
            f"{unit.name}: units move across its outline; a county's outline changes only by a boundary "
            "proposal (/api/v1/topology/proposals), not by this draft"
        )
        return {"before": before, "after": before, "note": "县级界线不因本方案改变 outline unchanged by the draft"}
    if any(w["geom"] is None for w in moved):
        names = ", ".join(w["name"] for w in moved if w["geom"] is None)
        return {"before": before, "after": None, "note": f"不详 unknown: {names} has no polygon"}
    after = _geometry_after(geometry, gains, losses)
    return {"before": before, "after": _area_km2(after), "note": ""}


def _geometry_after(geometry: shapely.Geometry, gains: list, losses: list) -> shapely.Geometry:
    for what in losses:
        if what["geom"] not in (None, "stays"):
            geometry = shapely.difference(geometry, what["geom"])
    for what in gains:
        if what["geom"] is not None:
            geometry = shapely.union(geometry, what["geom"])
    return geometry


# ---- deciding ---------------------------------------------------------------------------------------


def _decisions_source() -> DataSource:
    source, _ = DataSource.objects.get_or_create(
        key=DECISIONS_SOURCE,
        defaults={
            "title": "区划调整批复 Division changes approved through the bureau's drafts",
            "registry": "file",
            "licence": "市民政局记录 the bureau's own record",
            "vintage": "kept current",
            "notes": "Each event cites its approving authority, document and date "
            "(boundaries.services.division_drafts).",
        },
    )
    return source


@transaction.atomic
def approve(
    draft: DivisionDraft,
    *,
    user,
    authority: str,
    document: str,
    basis_date: dt.date | None,
    effective_date: dt.date | None = None,
    expected_version: int | None = None,
) -> DivisionDraft:
    """Apply the draft in one changeset, dated from its effective day, citing its legal basis."""
    locked = lock(DivisionDraft.objects.all(), draft.pk, expected_version)
    if not may_decide(user):
        raise DraftRefused("a draft is approved by the bureau's approver or an administrator", forbidden=True)
    if locked.status != Status.DRAFT:
        raise DraftRefused(f"draft {locked.number} is {locked.get_status_display()}")
    authority, document = (authority or "").strip(), (document or "").strip()
    if not (authority and document and basis_date):
        raise DraftRefused("an approval cites its legal basis: approving authority, document number and date")
    effective = effective_date or locked.effective_date
    today = timezone.localdate()
    if effective is None:
        raise DraftRefused("an approval needs the day the change takes effect (effective_date)")
    if basis_date > today or effective > today:
        raise DraftRefused(
            "a change is recorded once decided and in effect: the approval's date and the effective day are "
            f"not after today ({today})"
        )
    resolved = plan(locked.kind, locked.steps, exclude_pk=locked.pk)
    shown = _preview(locked, resolved)
    locked.basis_authority, locked.basis_document, locked.basis_date = authority, document, basis_date
    locked.effective_date = effective
    changeset = open_changeset(
        Changeset.Kind.DECISION,
        f"区划调整 {locked.number} {locked.title}: {authority} {document} ({basis_date}), "
        f"effective {effective}. {locked.reason}",
        author=user,
    )
    try:
        _apply(locked, resolved, changeset)
    except unit_service.UnitRuleError as exc:
        raise DraftRefused(str(exc)) from None
    locked.changeset, locked.applied_preview = changeset, {**shown, "status": Status.APPROVED}
    locked.applied_preview["effective_date"] = effective.isoformat()
    return _decided(locked, Status.APPROVED, user)


def _apply(draft: DivisionDraft, resolved: Plan, changeset: Changeset) -> None:
    source, day = _decisions_source(), draft.effective_date
    made: dict[str, AdminUnit] = {}

    def parent(code: str) -> AdminUnit:
        return made.get(code) or AdminUnit.objects.current().get(code=code)

    def event(kind: str, unit: AdminUnit, step: dict, old: AdminUnit | None = None, new: AdminUnit | None = None):
        DivisionChange.objects.create(
            year=day.year,
            effective_date=day,
            kind=kind,
            old_code=old.code if old else "",
            old_name=old.name if old else "",
            old_parent_code=old.parent.code if old and old.parent_id else "",
            new_code=new.code if new else "",
            new_name=new.name if new else "",
            new_parent_code=new.parent.code if new and new.parent_id else "",
            unit=unit,
            document_number=draft.basis_document,
            source=source,
            source_record={
                "draft": draft.number,
                "step": step,
                "basis": {
                    "authority": draft.basis_authority,
                    "document": draft.basis_document,
                    "date": draft.basis_date.isoformat(),
                },
            },
            changeset=changeset,
        )

    for code, step in resolved.established.items():
        unit = unit_service.create_unit(
            changeset=changeset,
            code=code,
            name=step["name"],
            level=step["level"],
            tier=step["tier"],
            parent=parent(step["parent"]),
            valid_from=day,
            source=source,
        )
        made[code] = unit
        event(DivisionChange.Kind.ESTABLISHED, unit, step, new=unit)
    for old, to in resolved.moves:
        step = _step_of(resolved, old.code)
        new = unit_service.create_unit(
            changeset=changeset,
            code=step["code"],
            name=step.get("name", old.name),
            level=step["level"],
            tier=old.tier,
            parent=parent(to),
            valid_from=day,
            geom=old.geom,
            seat=old.seat,
            source=source,
            geometry_source=old.geometry_source,
            seat_source=old.seat_source,
        )
        unit_service.retire_unit(old, changeset=changeset, valid_to=day)
        event(DivisionChange.Kind.TRANSFERRED, new, step, old=old, new=new)
    _apply_geometry(resolved, changeset)
    for step in resolved.steps:
        if step["op"] != "rename":
            continue
        unit = resolved.units[step["unit"]]
        old = AdminUnit(code=unit.code, name=unit.name, parent=unit.parent)
        changes = {k: step[k] for k in ("name", "code", "level") if k in step}
        renamed = unit_service.update_unit(unit, changeset=changeset, changes=changes, effective=day, source=source)
        kind = DivisionChange.Kind.RENAMED if "name" in changes else DivisionChange.Kind.RECODED
        event(kind, renamed, step, old=old, new=renamed)
    for unit in resolved.abolished:
        step = _step_of(resolved, unit.code)
        unit_service.retire_unit(unit, changeset=changeset, valid_to=day)
        event(DivisionChange.Kind.ABOLISHED, unit, step, old=unit)


def _apply_geometry(resolved: Plan, changeset: Changeset) -> None:
    """Township-tier polygons that units with polygons leave or join (county outlines are the
    topology's: the preview says so and nothing of them is written here)."""
    gains: dict[str, list] = defaultdict(list)
    losses: dict[str, list] = defaultdict(list)
    redrawn: set[int] = set()  # counties whose townships' polygons changed
    for what, left, joined in _moves_between(resolved):
        if what["geom"] in (None, "stays"):
            continue
        for code in left:
            losses[code].append(what)
        for code in joined:
            gains[code].append(what)
    for code in {*gains, *losses}:
        unit = AdminUnit.objects.current().filter(code=code, tier__gte=Tier.TOWNSHIP, geom__isnull=False).first()
        if unit is None:
            continue
        after = _geometry_after(from_geos(unit.geom), gains[code], losses[code])
        unit_service.update_unit(unit, changeset=changeset, changes={"geom": to_geos_multipolygon(after)})
        if unit.tier == Tier.TOWNSHIP:
            redrawn.add(unit.parent_id)
    for county in AdminUnit.objects.filter(pk__in=redrawn).order_by("code"):
        _rebuild_township_layer(county)


def _rebuild_township_layer(county: AdminUnit) -> None:
    """The county's township layer follows its townships' new polygons (boundaries.services.township_topology)."""
    if not township_topology.has_layer(county.pk):
        return
    try:
        township_topology.build(county)
    except TopologyRefused as refused:
        raise DraftRefused(f"the townships' new polygons: {refused}") from None


@transaction.atomic
def reject(draft: DivisionDraft, *, user, note: str, expected_version: int | None = None) -> DivisionDraft:
    """The approver rejects the draft, or its drafter withdraws it; nothing is applied."""
    locked = lock(DivisionDraft.objects.all(), draft.pk, expected_version)
    if locked.status != Status.DRAFT:
        raise DraftRefused(f"draft {locked.number} is {locked.get_status_display()}")
    if not (note or "").strip():
        raise DraftRefused("a rejection or withdrawal says why")
    if user.pk == locked.drafted_by_id:
        return _decided(locked, Status.WITHDRAWN, user, note)
    if not may_decide(user):
        raise DraftRefused("a draft is rejected by the bureau's approver (or withdrawn by its drafter)", forbidden=True)
    return _decided(locked, Status.REJECTED, user, note)


def _decided(draft: DivisionDraft, status: str, user, note: str = "") -> DivisionDraft:
    draft.status, draft.decided_by, draft.decided_at = status, user, timezone.now()
    draft.decision_note = note.strip()
    bump(draft)
    draft.refresh_from_db()
    announce(RecordChanged("division-draft", draft, frozenset({"status"})))
    return draft


# ---- representation ---------------------------------------------------------------------------------


def represent(draft: DivisionDraft) -> dict:
    return {
        "number": draft.number,
        "kind": draft.kind,
        "kind_label": draft.get_kind_display(),
        "title": draft.title,
        "reason": draft.reason,
        "steps": draft.steps,
        "effective_date": draft.effective_date.isoformat() if draft.effective_date else None,
        "basis": {
            "authority": draft.basis_authority,
            "document": draft.basis_document,
            "date": draft.basis_date.isoformat() if draft.basis_date else None,
        },
        "status": draft.status,
        "drafted_by": draft.drafted_by.get_username(),
        "drafted_at": draft.drafted_at.isoformat(),
        "decided_by": draft.decided_by.get_username() if draft.decided_by_id else None,
        "decided_at": draft.decided_at.isoformat() if draft.decided_at else None,
        "decision_note": draft.decision_note,
        "division_changes": [
            {
                "kind": c.kind,
                "kind_zh": c.get_kind_display(),
                "effective_date": c.effective_date.isoformat(),
                "old_code": c.old_code,
                "old_name": c.old_name,
                "old_parent_code": c.old_parent_code,
                "new_code": c.new_code,
                "new_name": c.new_name,
                "new_parent_code": c.new_parent_code,
                "document_number": c.document_number,
            }
            for c in draft.division_changes
        ],
        "version": draft.version,
    }
