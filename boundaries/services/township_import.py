"""Township polygons from the bureau's own file: read, checked to tile their county, and written.

A bureau's file (a zipped shapefile or a GeoPackage) holds one county's townships, each feature naming
its township by its 9-digit code (an attribute: ``code_field``, else the first of CODE_FIELDS the file
has). The file is opened only through core.ogr (the one door to GDAL). What it says is judged:

- rows: an unknown code, a code of a unit outside the county or not a township, a code twice, a
  feature without a polygon are findings that block; a township of the county the file leaves out is
  a finding that does not (it keeps what it had);
- the CRS: CGCS2000 or WGS84, longitude/latitude or a Gauss-Kruger (transverse Mercator) zone such as
  the city's 3-degree and 6-degree CGCS2000 zones, reprojected to storage; no .prj, another datum (Beijing 1954,
  Xi'an 1980) or a file that lands nowhere near the county is refused with a message saying so;
- geometry: made valid where it is not (a finding that does not block);
- the tiling: the county's stored outline is the truth. The townships' outlines and the county's are
  noded together into faces; a face inside the county that one township covers is that township's; a
  gap, an overlap or a piece outside the county no wider than ``tolerance_m`` is a sliver: a gap or
  overlap goes to the neighbour it shares the longest border with, a piece outside is cut off (the
  township edge is snapped to the outline). Anything wider is a finding that blocks, with its area, its
  width and where it is. The townships then share their edges exactly and their union is the county.

A dry run answers the report only. Applying writes every township's polygon through the unit service
in one changeset with the reason (geometry_source: a DataSource of this file), and keeps the
township-level lines (BoundaryLine, level township) of every pair of neighbouring townships: created,
brought up to date as a new version, or ended (``valid_to``, abolished) when they no longer meet. A
re-import is a dated change in the history, never a wipe. Once imported, a township's polygon is kept
by the file: the API and the admin refuse to edit it by hand (topology.keeps_outline).
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import itertools
import math
import os
import re
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from boundaries.levels import Tier
from boundaries.lines import shared_edge
from boundaries.models import AdminUnit, BoundaryLine, LineParty
from boundaries.services import township_topology
from boundaries.services.edge_geometry import TopologyRefused
from boundaries.services.line_records import record_version
from boundaries.services.topology import TOWNSHIP_SOURCE_PREFIX
from boundaries.services.units import update_unit
from core import ogr
from core.geometry import from_geos, to_geos, to_geos_multipolygon
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset, DataSource
from core.records import bump
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID

CODE_FIELDS = ("CODE", "XZQDM", "code")
NAME_FIELDS = ("NAME", "XZQMC", "name")
TOLERANCE_M = 20.0  # a gap, overlap or overhang no wider than this is a sliver, snapped
MAX_FEATURES = 1000  # a county has a few dozen townships
MAX_MEMBERS = 100
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
RAW_TEXT = "ISO-8859-1"  # the driver hands over a dBase text's bytes unchanged; decoded here
TRY_ENCODINGS = ("utf-8", "gbk", "gb18030")
TEXT_CODECS = {"utf-8", "gbk", "gb18030", "gb2312", "big5", "iso8859-1", "cp1252", "cp437"}
CPG_CODES = {"65001": "utf-8", "936": "gbk", "54936": "gb18030", "88591": "latin-1", "1252": "cp1252"}
DATUMS = {"china2000": "CGCS2000", "cgcs2000": "CGCS2000", "worldgeodeticsystem1984": "WGS84", "wgs1984": "WGS84"}
ACCEPTED_CRS = (
    f"CGCS2000 or WGS84 longitude/latitude ({STORAGE_CRS_LABEL}, WGS84), or a CGCS2000 Gauss-Kruger zone "
    "(3-degree or 6-degree, with or without the zone number)"
)
WIDTH_PRECISION_M = 0.1
LINE_DERIVED_FROM = "shared edge of the two townships' polygons (the bureau's township file)"


class ImportRefused(Exception):
    """The file cannot be read as a township file at all; ``status`` 413 when it is too large."""

    def __init__(self, message: str, status: int = 400, field: str = "file"):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


@dataclass
class Finding:
    kind: str
    message: str
    blocking: bool
    row: int | None = None
    code: str | None = None
    where: tuple[float, float] | None = None

    def as_dict(self) -> dict:
        found = {"kind": self.kind, "message": self.message, "blocking": self.blocking, "row": self.row}
        found["code"] = self.code
        found["lon"], found["lat"] = self.where if self.where else (None, None)
        return found


@dataclass
class Report:
    county: AdminUnit
    file: str
    dry_run: bool
    kind: str = ""
    crs: str = ""
    encoding: str | None = None
    effective: dt.date | None = None
    findings: list[Finding] = field(default_factory=list)
    townships: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    applied: bool = False
    changeset: int | None = None

    @property
    def ok(self) -> bool:
        return not any(f.blocking for f in self.findings)

    def add(self, kind: str, message: str, *, blocking: bool, **where) -> None:
        self.findings.append(Finding(kind, message, blocking, **where))

    def as_dict(self) -> dict:
        return {
            "county": {"code": self.county.code, "name": self.county.name},
            "file": self.file,
            "kind": self.kind,
            "crs": self.crs,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "applied": self.applied,
            "changeset": self.changeset,
            "effective": self.effective.isoformat() if self.effective else None,
            "counts": {
                "townships": len(self.townships),
                "lines": len(self.lines),
                "findings": len(self.findings),
                "blocking": sum(f.blocking for f in self.findings),
            },
            "findings": [f.as_dict() for f in self.findings],
            "townships": self.townships,
            "lines": self.lines,
            "figures": self.figures,
        }


# ---- the file: gathered in a folder of its own -------------------------------------------------------


def _too_large(what: str, size: int) -> ImportRefused:
    limit = settings.IMPORT_MAX_BYTES
    return ImportRefused(f"{what} {size:,} bytes, more than the limit of {limit:,} (settings.IMPORT_MAX_BYTES)", 413)


def _plain_name(name: str) -> str:
    base = PurePosixPath(str(name).replace("\\", "/")).name
    if not base.strip(" .") or any(ord(ch) < 32 for ch in base) or len(base.encode("utf-8", "replace")) > 255:
        raise ImportRefused("the file's name is not a plain file name")
    return PurePosixPath(base).stem + PurePosixPath(base).suffix.lower()


def _copy(source, out, room: int, what: str) -> int:
    written = 0
    while chunk := source.read(1 << 20):
        written += len(chunk)
        if written > room:
            raise _too_large(what, written)
        out.write(chunk)
    return written


def _place(upload, folder: Path) -> Path:
    """An upload (``name`` and ``chunks``/``read``) or a local path, copied into ``folder``."""
    if isinstance(upload, str | os.PathLike):
        source = Path(upload)
        if not source.is_file():
            raise ImportRefused(f"no such file: {source}")
        paths = [source]
        if source.suffix.lower() == ".shp":  # a .shp on disk brings its parts
            paths += [p for p in source.parent.glob(f"{source.stem}.*") if p.suffix.lower() in SHAPEFILE_PARTS[1:]]
        if sum(p.stat().st_size for p in paths) > settings.IMPORT_MAX_BYTES:
            raise _too_large("the file has", sum(p.stat().st_size for p in paths))
        for path in paths:
            (folder / _plain_name(path.name)).write_bytes(path.read_bytes())
        return folder / _plain_name(source.name)
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise _too_large("the file has", size)
    target = folder / _plain_name(upload.name)
    with target.open("wb") as out:
        if hasattr(upload, "chunks"):
            for chunk in upload.chunks():
                out.write(chunk)
        else:
            _copy(upload, out, settings.IMPORT_MAX_BYTES, "the file has")
    return target


def _unzip(archive: Path, folder: Path) -> None:
    try:
        ogr.check_zip(archive)
    except ogr.UnreadableFile as exc:
        raise ImportRefused(exc.message) from None
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir() and "__MACOSX/" not in m.filename]
            if len(members) > MAX_MEMBERS:
                raise ImportRefused(f"{archive.name} holds {len(members):,} files, more than {MAX_MEMBERS}")
            if sum(m.file_size for m in members) > settings.IMPORT_MAX_BYTES:
                raise _too_large(f"{archive.name} unpacks to", sum(m.file_size for m in members))
            room = settings.IMPORT_MAX_BYTES
            for member in members:
                name = _plain_name(member.filename)
                if Path(name).suffix not in (*SHAPEFILE_PARTS, ".gpkg"):
                    continue
                target = folder / name
                if target.exists():
                    raise ImportRefused(f"{archive.name} holds two files named {name}")
                with zipped.open(member) as source, target.open("wb") as out:
                    room -= _copy(source, out, room, f"{archive.name} unpacks to")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError):
        raise ImportRefused(f"{archive.name} is not a readable zip archive") from None
    except RuntimeError:
        raise ImportRefused(f"{archive.name} holds an encrypted file; send it unencrypted") from None


def _dataset(placed: Path, folder: Path) -> tuple[Path, str]:
    """The one dataset in the folder: a .shp with its .shx and .dbf, or a .gpkg."""
    if placed.suffix == ".zip":
        _unzip(placed, folder)
    elif placed.suffix not in (".shp", ".gpkg"):
        raise ImportRefused(f"{placed.name}: send a zipped shapefile (.zip) or a GeoPackage (.gpkg)")
    found = sorted(p for p in folder.iterdir() if p.suffix in (".shp", ".gpkg"))
    if len(found) != 1:
        what = ", ".join(p.name for p in found) or "no .shp or .gpkg"
        raise ImportRefused(f"{placed.name}: expected one shapefile or one GeoPackage of townships, found {what}")
    dataset = found[0]
    if dataset.suffix == ".gpkg":
        return dataset, ogr.GEOPACKAGE
    missing = [s for s in (".shx", ".dbf") if not dataset.with_suffix(s).exists()]
    if missing:
        raise ImportRefused(f"the shapefile {dataset.stem} lacks its {' and '.join(missing)}")
    if not dataset.with_suffix(".prj").exists():
        raise ImportRefused(
            f"the shapefile {dataset.stem} has no .prj, so its coordinate system is unknown: send the .prj "
            f"with it ({ACCEPTED_CRS})",
            field="crs",
        )
    return dataset, ogr.SHAPEFILE


# ---- reading the features ------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    values: dict
    geometry: shapely.Geometry | None


def _codec(name: str) -> str:
    text = CPG_CODES.get(name.strip().replace("-", "").replace("_", "").upper(), name.strip())
    try:
        codec = codecs.lookup(text).name if text and "\x00" not in text else None
    except LookupError:
        codec = None
    if codec not in TEXT_CODECS:
        raise ImportRefused(f"unknown text encoding {name[:40]!r}; use UTF-8, GBK or GB18030", field="encoding")
    return codec


def _decode(dataset: Path, fields: list[str], rows: list[Row], declared: str | None) -> tuple[list[str], str]:
    """The dBase texts from their bytes, all in one encoding: the .cpg's, else the declared one, else
    the first of UTF-8, GBK, GB18030 in which every text decodes."""
    cpg = dataset.with_suffix(".cpg")
    if cpg.exists():
        declared = _codec(
            cpg.read_bytes()[:64].decode("ascii", "replace").splitlines()[0] if cpg.stat().st_size else ""
        )
    candidates = (_codec(declared),) if declared else TRY_ENCODINGS
    for encoding in candidates:
        try:
            names = {name: name.encode(RAW_TEXT).decode(encoding) for name in fields}
            for row in rows:
                row.values = {
                    names[k]: v.encode(RAW_TEXT).decode(encoding) if isinstance(v, str) else v
                    for k, v in row.values.items()
                }
            return list(names.values()), encoding
        except (UnicodeDecodeError, UnicodeEncodeError):
            if declared:
                raise ImportRefused(f"{dataset.stem}.dbf is not {encoding}", field="encoding") from None
    raise ImportRefused(
        f"{dataset.stem}.dbf is neither UTF-8 nor GBK and has no .cpg: name its encoding", field="encoding"
    )


def _read(dataset: Path, kind: str, encoding: str | None) -> tuple[list[str], str | None, list[Row], str]:
    try:
        with ogr.open_layer(dataset, kind, encoding=RAW_TEXT if kind == ogr.SHAPEFILE else None) as layer:
            if layer.length is not None and layer.length > MAX_FEATURES:
                raise ImportRefused(f"{dataset.name} has {layer.length:,} features, more than {MAX_FEATURES}")
            rows = []
            for number, (values, geometry) in enumerate(layer.features, 1):
                if number > MAX_FEATURES:
                    raise ImportRefused(f"{dataset.name} has more than {MAX_FEATURES} features")
                rows.append(Row(number, values, geometry))
            fields, crs = layer.fields, layer.crs
    except ogr.UnreadableFile as exc:
        raise ImportRefused(exc.message) from None
    if kind == ogr.SHAPEFILE:
        fields, used = _decode(dataset, fields, rows, encoding)
    else:
        used = "utf-8"
    return fields, crs, rows, used


def _pick(fields: list[str], wanted: str | None, defaults: tuple[str, ...], what: str) -> str | None:
    if wanted:
        if wanted not in fields:
            raise ImportRefused(f"the file has no attribute {wanted[:40]!r} (it has {', '.join(fields)})", field=what)
        return wanted
    by_case = {f.lower(): f for f in fields}
    return next((by_case[d.lower()] for d in defaults if d.lower() in by_case), None)


def _code_of(value) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    if re.fullmatch(r"\d{12}", text) and text.endswith("000"):
        text = text[:9]  # a statistical code with an empty village part
    return text or None


# ---- the CRS -------------------------------------------------------------------------------------------


def _datum(crs: CRS) -> str | None:
    geodetic = crs.geodetic_crs
    names = [geodetic.datum.name] if geodetic and geodetic.datum else []
    names += [geodetic.name] if geodetic else []
    for name in names:
        key = re.sub(r"[^a-z0-9]", "", name.lower()).removeprefix("d")
        key = key.removeprefix("ensemble").removesuffix("ensemble")
        for known, label in DATUMS.items():
            if key.startswith(known) or known in key:
                return label
    return None


def _transformer(wkt: str | None, name: str) -> tuple[Transformer, str]:
    """From the file's CRS to storage, and how the report names that CRS."""
    if not wkt:
        raise ImportRefused(f"{name} does not say its coordinate system; it must be {ACCEPTED_CRS}", field="crs")
    try:
        crs = CRS.from_wkt(wkt)
    except CRSError:
        raise ImportRefused(
            f"{name}: its coordinate system cannot be read; it must be {ACCEPTED_CRS}", field="crs"
        ) from None
    datum = _datum(crs)
    epsg = crs.to_epsg(min_confidence=70)
    label = f"{crs.name} (EPSG:{epsg})" if epsg else crs.name
    if datum is None:
        raise ImportRefused(
            f"{name} is in {label}, whose datum is neither CGCS2000 nor WGS84; convert it to CGCS2000 first "
            f"({ACCEPTED_CRS})",
            field="crs",
        )
    method = crs.coordinate_operation.method_name.lower() if crs.is_projected and crs.coordinate_operation else ""
    if not (crs.is_geographic or "transverse mercator" in method or "gauss" in method):
        raise ImportRefused(f"{name} is in {label}, not a CRS this import takes: {ACCEPTED_CRS}", field="crs")
    return Transformer.from_crs(crs, CRS.from_epsg(STORAGE_SRID), always_xy=True), label


def _to_storage(geometry: shapely.Geometry, transformer: Transformer) -> shapely.Geometry:
    def convert(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, convert)


# ---- the rows: which township each is ------------------------------------------------------------------


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _lonlat(point: shapely.Point) -> tuple[float, float]:
    return round(point.x, 6), round(point.y, 6)


def _townships_of(county: AdminUnit) -> dict[str, AdminUnit]:
    return {u.code: u for u in AdminUnit.objects.current().filter(parent=county, tier=Tier.TOWNSHIP)}


def _judge_rows(report: Report, rows: list[Row], code_field: str, name_field: str | None, transformer) -> dict:
    """code -> (row, unit, polygon in storage) for the rows that name a township of the county."""
    mine = _townships_of(report.county)
    seen: dict[str, int] = {}
    kept = {}
    for row in rows:
        code = _code_of(row.values.get(code_field))
        said = str(row.values.get(name_field) or "") if name_field else ""
        where = {"row": row.number, "code": code}
        if code is None:
            report.add("no_code", f"row {row.number} has no {code_field}", blocking=True, **where)
            continue
        if code in seen:
            report.add("duplicate", f"{code} again (first in row {seen[code]})", blocking=True, **where)
            continue
        seen[code] = row.number
        if code not in mine:
            report.add(*_stranger(report.county, code), blocking=True, **where)
            continue
        geometry = row.geometry
        if geometry is None or geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            shape = geometry.geom_type if geometry is not None else "no geometry"
            report.add("no_polygon", f"{code} {mine[code].name}: {shape}, not a polygon", blocking=True, **where)
            continue
        geometry = _to_storage(geometry, transformer)
        if not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            geometry = _polygonal(shapely.make_valid(geometry))
            message = f"{code} {mine[code].name}: invalid ({reason}); made valid"
            report.add("made_valid", message, blocking=geometry.is_empty, **where)
            if geometry.is_empty:
                continue
        if said and said != mine[code].name:
            report.add(
                "name_differs",
                f"{code}: the file says {said[:50]}, the division list {mine[code].name}",
                blocking=False,
                **where,
            )
        kept[code] = (row, mine[code], geometry)
    for code, unit in sorted(mine.items()):
        if code not in seen:
            report.add(
                "missing", f"{code} {unit.name} is not in the file: it keeps what it had", blocking=False, code=code
            )
    return kept


def _stranger(county: AdminUnit, code: str) -> tuple[str, str]:
    unit = AdminUnit.objects.filter(code=code).order_by("-valid_from").first()
    if unit is None:
        return "unknown_code", f"{code} is no unit of the division list"
    if unit.valid_to is not None:
        return "unknown_code", f"{code} {unit.name} ended on {unit.valid_to}"
    if unit.tier != Tier.TOWNSHIP:
        return "not_a_township", f"{code} {unit.name} is not a township-level unit"
    return "outside_county", f"{code} {unit.name} is not in {county.name} ({county.code})"


# ---- the tiling ----------------------------------------------------------------------------------------


@dataclass
class Faces:
    geoms: np.ndarray
    inside: np.ndarray  # inside the county
    cover: list[list[int]]  # which pieces cover each face
    neighbours: list[dict[int, float]]  # face -> {neighbour face: shared length}


def _faces(county: shapely.Geometry, pieces: list[shapely.Geometry]) -> Faces:
    """The county's and the pieces' outlines noded together, and the faces they enclose."""
    noded = shapely.union_all([shapely.boundary(g) for g in [county, *pieces]])
    geoms = np.array(list(shapely.get_parts(shapely.polygonize(list(shapely.get_parts(noded))))), dtype=object)
    points = shapely.point_on_surface(geoms)
    shapely.prepare(county)
    inside = shapely.contains(county, points)
    cover: list[list[int]] = [[] for _ in geoms]
    face_index, piece_index = shapely.STRtree(pieces).query(points, predicate="within")
    for f, p in zip(face_index.tolist(), piece_index.tolist(), strict=True):
        cover[f].append(p)
    by_segment: dict[tuple, list[int]] = defaultdict(list)
    for i, face in enumerate(geoms):
        for ring in [face.exterior, *face.interiors]:
            coords = list(map(tuple, shapely.get_coordinates(ring)))
            for a, b in itertools.pairwise(coords):
                by_segment[(a, b) if a <= b else (b, a)].append(i)
    neighbours: list[dict[int, float]] = [defaultdict(float) for _ in geoms]
    for (a, b), faces in by_segment.items():
        if len(faces) == 2:
            length = math.dist(a, b)
            neighbours[faces[0]][faces[1]] += length
            neighbours[faces[1]][faces[0]] += length
    return Faces(geoms, inside, cover, neighbours)


def _width_m(geometry: shapely.Geometry) -> tuple[float, tuple[float, float]]:
    """The widest place of a piece (twice its largest inscribed circle's radius) and where it is."""
    metric = to_metric(geometry)
    circle = shapely.maximum_inscribed_circle(metric, WIDTH_PRECISION_M)
    centre = shapely.get_point(circle, 0)
    return 2 * circle.length, _lonlat(to_lonlat(centre))


def tile(county: shapely.Geometry, pieces: list[shapely.Geometry], names: list[str], tolerance_m: float):
    """(the pieces snapped to tile the county, findings, figures); see the module's note."""
    faces = _faces(county, pieces)
    owner = {i: c[0] for i, c in enumerate(faces.cover) if faces.inside[i] and len(c) == 1}
    unsettled = [i for i in range(len(faces.geoms)) if i not in owner and (faces.inside[i] or faces.cover[i])]
    widths = {}
    if unsettled:
        metric = to_metric(shapely.GeometryCollection(list(faces.geoms[unsettled])))
        circles = shapely.maximum_inscribed_circle(list(shapely.get_parts(metric)), WIDTH_PRECISION_M)
        widths = dict(zip(unsettled, (2 * shapely.length(circles)).tolist(), strict=True))
    slivers = [i for i in unsettled if widths[i] <= tolerance_m]
    wide = [i for i in unsettled if widths[i] > tolerance_m]
    snapped = {"gap": 0.0, "overlap": 0.0, "outside": 0.0}
    pending = [i for i in slivers if faces.inside[i]]
    for i in slivers:
        if not faces.inside[i]:
            snapped["outside"] += to_metric(faces.geoms[i]).area
    while pending:
        settled = _settle(pending, faces, owner)
        if not settled:
            break
        for i in settled:
            snapped["overlap" if faces.cover[i] else "gap"] += to_metric(faces.geoms[i]).area
        pending = [i for i in pending if i not in owner]
    findings = _wide_findings(county, faces, wide + pending, names)
    snapped_pieces = [
        shapely.union_all([faces.geoms[i] for i, p in owner.items() if p == index]) for index in range(len(pieces))
    ]
    return (
        snapped_pieces,
        findings,
        {f"snapped_{k}_m2": round(v, 1) for k, v in snapped.items()} | {"faces": len(faces.geoms)},
    )


def _settle(pending: list[int], faces: Faces, owner: dict[int, int]) -> list[int]:
    """Each sliver to the township it shares the longest border with (among those covering it, when
    it is an overlap and one of them borders it)."""
    settled = []
    for i in pending:
        shared: dict[int, float] = defaultdict(float)
        for j, length in faces.neighbours[i].items():
            if j in owner:
                shared[owner[j]] += length
        if not shared:
            continue
        covering = {p: v for p, v in shared.items() if p in faces.cover[i]}
        choice = covering or shared
        owner[i] = max(sorted(choice), key=lambda p: choice[p])
        settled.append(i)
    return settled


def _wide_findings(county, faces: Faces, wide: list[int], names: list[str]) -> list[Finding]:
    groups: dict[tuple, list] = defaultdict(list)
    outline = shapely.boundary(county)
    for i in wide:
        cover = tuple(faces.cover[i])
        kind = "outside" if not faces.inside[i] else ("overlap" if len(cover) > 1 else "gap")
        groups[(kind, cover if kind != "gap" else ())].append(faces.geoms[i])
    found = []
    for (kind, cover), geoms in sorted(groups.items(), key=lambda item: str(item[0])):
        for part in shapely.get_parts(shapely.union_all(geoms)):
            width, where = _width_m(part)
            area = to_metric(part).area
            who = " and ".join(names[p] for p in cover)
            if kind == "overlap":
                message = f"{who} overlap by {area:,.0f} m², up to {width:,.0f} m wide"
            elif kind == "outside":
                message = f"{who} reaches outside the county outline by up to {width:,.0f} m ({area:,.0f} m²)"
            elif part.distance(outline) < 1e-9:
                message = (
                    f"the townships' edge departs inward from the county outline by up to {width:,.0f} m, "
                    f"leaving a gap of {area:,.0f} m²"
                )
            else:
                message = f"a gap of {area:,.0f} m² (up to {width:,.0f} m wide) no township covers"
            found.append(Finding(kind, message, True, where=where))
    return found


# ---- the lines between neighbouring townships ---------------------------------------------------------


def _planned_lines(townships: list[tuple[AdminUnit, shapely.Geometry]]) -> dict[str, tuple]:
    """code -> (a, b, shared edge) for each pair of townships that share a stretch of boundary."""
    ordered = sorted(townships, key=lambda item: item[0].code)
    found = {}
    for (a, ga), (b, gb) in itertools.combinations(ordered, 2):
        if not shapely.intersects(shapely.envelope(ga), shapely.envelope(gb)):
            continue
        edge = shared_edge(ga, gb)
        if edge is not None:
            found[f"{a.code}-{b.code}"] = (a, b, edge)
    return found


def _current_lines(county: AdminUnit) -> dict[str, BoundaryLine]:
    lines = BoundaryLine.objects.filter(level=BoundaryLine.Level.TOWNSHIP, code__startswith=county.code)
    return {line.code: line for line in lines.filter(valid_to__isnull=True)}


def _line_changes(county: AdminUnit, planned: dict[str, tuple]) -> list[dict]:
    current = _current_lines(county)
    shown = []
    for code, (a, b, edge) in sorted(planned.items()):
        line = current.get(code)
        change = "created"
        if line is not None:
            change = "unchanged" if from_geos(line.geom).equals_exact(edge, 0) else "updated"
        length = to_metric(edge).length
        shown.append({"code": code, "name": f"{a.name}—{b.name}线", "length_m": round(length, 1), "change": change})
    for code in sorted(set(current) - set(planned)):
        shown.append({"code": code, "name": current[code].name, "length_m": None, "change": "ended"})
    return shown


def _write_lines(county: AdminUnit, planned: dict[str, tuple], changeset: Changeset, day: dt.date) -> None:
    current = _current_lines(county)
    for code, (a, b, edge) in sorted(planned.items()):
        geom = to_geos(edge)
        line = current.get(code) or BoundaryLine.objects.filter(code=code).first()
        fields = {"name": f"{a.name}—{b.name}线", "derived_from": LINE_DERIVED_FROM}
        if line is None:
            line = BoundaryLine.objects.create(
                code=code, level=BoundaryLine.Level.TOWNSHIP, geom=geom, valid_from=day, **fields
            )
            for order, unit in enumerate((a, b)):
                LineParty.objects.create(line=line, order=order, unit=unit)
        elif line.valid_to is None and line.geom.equals_exact(geom, tolerance=0):
            continue
        else:  # a new course, or a line that had ended and meets again
            line.geom, line.valid_to, line.status = geom, None, BoundaryLine.Status.IN_FORCE
            for key, value in fields.items():
                setattr(line, key, value)
            bump(line)
        record_version(line, changeset, frozenset({"geom"}))
    for code in sorted(set(current) - set(planned)):
        line = current[code]
        line.valid_to, line.status = day, BoundaryLine.Status.ABOLISHED
        bump(line)
        record_version(line, changeset, frozenset({"valid_to", "status"}))


# ---- the whole import ----------------------------------------------------------------------------------


def import_townships(
    county: AdminUnit,
    upload,
    *,
    reason: str = "",
    user=None,
    dry_run: bool = True,
    code_field: str | None = None,
    name_field: str | None = None,
    encoding: str | None = None,
    tolerance_m: float = TOLERANCE_M,
    effective: dt.date | None = None,
) -> Report:
    """Read, judge and (unless a dry run or a finding blocks) apply one county's township file.
    ``upload``: a path (.zip, .gpkg or .shp with its parts) or an uploaded file. Raises ImportRefused
    when the file cannot be read as a township file at all."""
    started = time.perf_counter()
    if county.tier != Tier.COUNTY or county.geom is None:
        raise ImportRefused(f"{county.code} {county.name} is not a county-level unit with a polygon", field="code")
    name = Path(str(getattr(upload, "name", upload))).name
    report = Report(county, name, dry_run, effective=effective or dt.date.today())
    with tempfile.TemporaryDirectory(prefix="townships-") as folder:
        placed = _place(upload, Path(folder))
        digest = hashlib.sha256(placed.read_bytes()).hexdigest()
        dataset, report.kind = _dataset(placed, Path(folder))
        fields, wkt, rows, report.encoding = _read(dataset, report.kind, encoding)
    transformer, report.crs = _transformer(wkt, dataset.name)
    code_field = _pick(fields, code_field, CODE_FIELDS, "code_field")
    if code_field is None:
        raise ImportRefused(
            f"no code attribute: the file has {', '.join(fields)}; name it (code_field)", field="code_field"
        )
    kept = _judge_rows(report, rows, code_field, _pick(fields, name_field, NAME_FIELDS, "name_field"), transformer)
    outline = from_geos(county.geom)
    _check_nearby(report, kept, outline)
    if kept and report.ok:
        _tile_and_plan(report, kept, outline, tolerance_m, digest, reason, user)
    report.figures["seconds"] = round(time.perf_counter() - started, 2)
    return report


def _check_nearby(report: Report, kept: dict, outline: shapely.Geometry) -> None:
    if not kept:
        report.add("empty", "no feature of the file names a township of the county", blocking=True)
        return
    union = shapely.union_all([g for _, _, g in kept.values()])
    if not union.intersects(outline) or union.intersection(outline).area < 0.5 * min(union.area, outline.area):
        where = _lonlat(union.centroid) if not union.is_empty else None
        message = (
            f"the townships lie mostly outside {report.county.name} (their middle at {where}): is the file's "
            f"coordinate system right? It says {report.crs}"
        )
        report.add("wrong_place", message, blocking=True, where=where)


def _tile_and_plan(report, kept, outline, tolerance_m, digest, reason, user) -> None:
    codes = list(kept)
    names = [f"{c} {kept[c][1].name}" for c in codes]
    snapped, findings, figures = tile(outline, [kept[c][2] for c in codes], names, tolerance_m)
    report.findings += findings
    report.figures |= figures | {"tolerance_m": tolerance_m}
    union = shapely.union_all(snapped)
    report.figures["union_departure_m2"] = round(to_metric(shapely.symmetric_difference(union, outline)).area, 1)
    for code, polygon in zip(codes, snapped, strict=True):
        row, unit = kept[code][0], kept[code][1]
        area = round(to_metric(polygon).area / 1e6, 3) if not polygon.is_empty else 0.0
        report.townships.append({"row": row.number, "code": code, "name": unit.name, "area_km2": area})
    if not report.ok:
        return
    pairs = [(kept[c][1], g) for c, g in zip(codes, snapped, strict=True)]
    planned = _planned_lines(pairs)
    report.lines = _line_changes(report.county, planned)
    if not report.dry_run:
        _apply(report, pairs, planned, digest, reason, user)


@transaction.atomic
def _apply(report: Report, pairs, planned, digest: str, reason: str, user) -> None:
    label = "" if user is not None else "import_townships"
    changeset = open_changeset(Changeset.Kind.IMPORT, reason, author=user, label=label)
    source = _source(report, digest)
    for unit, polygon in pairs:
        changes = {"geom": to_geos_multipolygon(shapely.normalize(polygon)), "geometry_source": source}
        update_unit(unit, changeset=changeset, changes=changes, effective=report.effective)
    _write_lines(report.county, planned, changeset, report.effective)
    try:
        report.figures["township_edges"] = township_topology.build(report.county)
    except TopologyRefused as refused:  # a pending proposal on the layer; the tiling was checked above
        raise ImportRefused(str(refused)) from None
    report.applied, report.changeset = True, changeset.pk


def _source(report: Report, digest: str) -> DataSource:
    source, _ = DataSource.objects.get_or_create(
        key=f"{TOWNSHIP_SOURCE_PREFIX}{report.county.code}-{digest[:16]}",
        defaults={
            "title": f"{report.county.name}乡镇界线 (the bureau's township file {report.file[:100]})",
            "registry": "file",
            "files": [report.file],
            "package_sha256": digest,
            "licence": "民政局自有数据 the bureau's own data",
            "licence_note": "The bureau's surveyed township boundaries: full precision for its staff only.",
            "open_licence": False,
            "vintage": report.effective.isoformat(),
            "vintage_date": report.effective,
            "datum": "CGCS2000",
            "conversion": f"reprojected from {report.crs}"[:200],
        },
    )
    return source
