"""Property-based tests (hypothesis) of the two places where arbitrary text and bytes meet the system's
own code rather than the API layer: the romanizer (with name_problem, which decides what a name may
hold) and the place-file importers. Bounded: the file runs in well under a minute.

- romanize(text) raises nothing but ValueError, for any text; a name name_problem accepts always
  romanizes; the toneless form holds only letters, digits, spaces, apostrophes (plus ü and the
  parentheses of a parenthesised part, as GB/T 16159 and the engine's rules write them) and is the
  tone form without its tone marks.
- import_places (dry run) on random bytes, random CSV rows, random GeoJSON and random zip archives:
  never raises, always returns a report whose refusal is one of place_io.Refusal, whose errors say
  why when it is not ok, that the API can send as JSON, and nothing is written.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import string
import unicodedata
import zipfile

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from gazetteer.romanization import romanize
from gazetteer.services.names import name_problem
from gazetteer.services.place_io import ImportReport, Refusal, import_places
from tests.hostile_helpers import count_changes, row_counts

# ---- text that a name might hold ---------------------------------------------------------------------

COMMON_HAN = "牡丹江宁安海林东宁穆棱林口绥芬河阳明爱民西安东京城镇渤海镜泊湖山沟屯村乡市县区街路道桥岭岗河子一二三第"
GENERICS = [
    "市",
    "县",
    "区",
    "镇",
    "乡",
    "村",
    "路",
    "街",
    "社区",
    "居委会",
    "村委会",
    "林场",
    "农场",
    "朝鲜族",
    "满族",
]
HOSTILE = [
    "<",
    ">",
    ":",
    "/",
    "\\",
    "\x00",
    "\u200d",
    "\u202e",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\u0301",
    "😀",
    "〇",
    "\n",
]
ALLOWED_EXTRA = ["(", ")", "（", "）", " ", "\u3000", "·", "-", "'"]

han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
rare_han = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)  # CJK extension B
name_pieces = st.one_of(
    st.sampled_from(COMMON_HAN),
    han,
    rare_han,
    st.sampled_from(GENERICS),
    st.sampled_from(string.ascii_letters + string.digits),
    st.sampled_from(ALLOWED_EXTRA),
)
plausible_names = st.lists(name_pieces, min_size=1, max_size=14).map("".join)
hostile_names = st.lists(st.one_of(name_pieces, st.sampled_from(HOSTILE)), min_size=0, max_size=14).map("".join)
any_text = st.one_of(st.text(max_size=40), plausible_names, hostile_names)

SETTINGS = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
TONE_MARKS = {"\u0300", "\u0301", "\u0304", "\u030c"}  # grave, acute, macron, caron (ü keeps its diaeresis)
TONELESS_ALLOWED = set(string.ascii_letters + string.digits + " '()") | {"ü", "Ü"}


def without_tones(text: str) -> str:
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in unicodedata.normalize("NFD", text) if ch not in TONE_MARKS)
    )


@SETTINGS
@given(any_text)
def test_romanize_raises_nothing_but_value_error(text):
    with contextlib.suppress(ValueError):
        romanize(text)


@SETTINGS
@given(any_text)
def test_name_problem_answers_for_any_text(text):
    problem = name_problem(text)
    assert problem is None or (isinstance(problem, str) and problem.strip())


# Inputs that broke a property once, tried first on every run.
NAME_REGRESSIONS = ["(", ")", "(河", "𠀂", "〇村", "绿山", "A-1路"]


def with_examples(values, key: str):
    def decorate(test):
        for value in reversed(values):
            test = example(**{key: value})(test)
        return test

    return decorate


@SETTINGS
@given(text=st.one_of(plausible_names, hostile_names))
@with_examples(NAME_REGRESSIONS, "text")
def test_a_name_that_name_problem_accepts_always_romanizes(text):
    if name_problem(text) is not None:
        return
    try:
        result = romanize(text)
    except ValueError as exc:
        raise AssertionError(f"name_problem accepts {text!r}, but romanize refuses it: {exc}") from None
    assert result.romanization.strip() and result.romanization_tones.strip(), (text, result)


@SETTINGS
@given(text=st.one_of(plausible_names, hostile_names))
@with_examples(NAME_REGRESSIONS, "text")
def test_the_toneless_form_is_letters_digits_spaces_and_apostrophes(text):
    if name_problem(text) is not None:
        return
    try:
        result = romanize(text)
    except ValueError:
        return  # test_a_name_that_name_problem_accepts_always_romanizes reports it
    odd = set(result.romanization) - TONELESS_ALLOWED
    assert not odd, (text, result.romanization, sorted(odd))
    assert result.romanization == result.romanization.strip() and "  " not in result.romanization, result
    assert without_tones(result.romanization_tones) == result.romanization, (text, result)


# ---- the importers -----------------------------------------------------------------------------------

REFUSALS = {None, Refusal.TOO_LARGE, Refusal.UNREADABLE, Refusal.NO_CRS, Refusal.BAD_OPTION, Refusal.ROWS}
# An import costs tens of milliseconds: fewer examples, and no shrinking (its time is unbounded); the
# failure message carries the file name, the options and the start of the content instead.
IMPORT_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
)

COLUMNS = ["name", "category", "lon", "lat", "wkt", "code", "unit", "valid_from", "valid_to", "named_on",
           "elevation_m", "is_public", "status", "romanization", "alias", "former_name", "meaning", "version",
           "标准名称", "经度", "纬度", "类别代码", "x", "y", ""]  # fmt: skip
CELLS = ["07200", "05100", "99999", "129.47", "44.34", "181", "-91", "nan", "inf", "-inf", "1e400", "9" * 400,
         "2020-02-30", "9999-12-31", "0001-01-01", "2020-01-01", "POINT(129.47 44.34)", "POINT(nan nan)",
         "POLYGON((129.4 44.3,129.5 44.4,129.5 44.3,129.4 44.4,129.4 44.3))", "LINESTRING EMPTY",
         "GEOMETRYCOLLECTION()",
         "true", "false", "yes", "231084", "231086", "23108400007200000001", "莲花湾", "莲<花", "", " "]  # fmt: skip
ENCODINGS = [None, "utf-8", "gbk", "GB18030", "latin-1", "utf-16", "rot13", "base64", "no-such-codec", "utf-8\x00"]
CRS = [None, "EPSG:4326", "EPSG:4490", "EPSG:4511", "EPSG:999999", "garbage", "+proj=longlat +datum=WGS84"]
DATUMS = [None, "WGS84", "CGCS2000", "GCJ-02", "BD-09", "MARS2000"]

cells = st.one_of(st.sampled_from(CELLS), any_text)
options = st.fixed_dictionaries(
    {"encoding": st.sampled_from(ENCODINGS), "crs": st.sampled_from(CRS), "datum": st.sampled_from(DATUMS)}
)


@st.composite
def csv_files(draw) -> bytes:
    header = draw(st.lists(st.one_of(st.sampled_from(COLUMNS), any_text), min_size=1, max_size=7, unique=True))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(header) + 1), max_size=5))
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]))
    return out.getvalue().encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.sampled_from([1e308, -1e308]))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, any_text),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(any_text, children, max_size=4)),
    max_leaves=12,
)
geometries = st.one_of(
    st.none(),
    json_values,
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": st.lists(numbers, max_size=4)}),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["LineString", "Polygon", "MultiPolygon", "GeometryCollection", "Nope"]),
            "coordinates": json_values,
        }
    ),
)


@st.composite
def geojson_files(draw) -> bytes:
    features = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["Feature", "feature", "Nope"]),
                    "properties": st.one_of(
                        st.dictionaries(st.one_of(st.sampled_from(COLUMNS), any_text), cells, max_size=6), json_values
                    ),
                    "geometry": geometries,
                }
            ),
            max_size=4,
        )
    )
    document = draw(
        st.one_of(
            st.just({"type": "FeatureCollection", "features": features}),
            st.just({"type": "FeatureCollection", "features": features, "crs": draw(json_values)}),
            json_values,
        )
    )
    return json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")


@st.composite
def zip_files(draw) -> bytes:
    names = st.one_of(
        st.sampled_from(["a.csv", "a.geojson", "a.shp", "a.dbf", "a.shx", "__MACOSX/a.csv", "../../a.csv", "d/"]),
        any_text.map(lambda t: t + ".csv"),
        st.just("名" * 100 + ".csv"),
    )
    members = draw(st.lists(st.tuples(names, st.one_of(csv_files(), st.binary(max_size=200))), max_size=3))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members:
            try:
                archive.writestr(name, content)
            except (ValueError, UnicodeEncodeError, IndexError):
                continue  # a name zipfile itself cannot write (one it cuts to nothing at a NUL: IndexError)
    return out.getvalue()


SUFFIXES = [".csv", ".geojson", ".json", ".zip", ".gpkg", ".shp", ".txt", ""]


@pytest.fixture
def importer(db):
    from accounts.models import Role
    from accounts.services import create_officer

    return create_officer("property_importer", role=Role.ADMINISTRATOR)[0]


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def upload(filename: str, content: bytes):
    """The file as an upload, or, for a name Django's own upload class refuses ("", ".", "a/"), as a
    plain file object of that name: the importer must report on it all the same."""
    try:
        return SimpleUploadedFile(filename, content)
    except SuspiciousFileOperation:
        return ContentFile(content, name=filename)


def check_import(user, content: bytes, filename: str, opts: dict, django_db_blocker) -> ImportReport:
    """One dry run: no exception, a report the API can send, nothing written."""
    before = row_counts(django_db_blocker)
    item = upload(filename, content)
    try:
        report = import_places([item], user=user, reason=None, dry_run=True, **opts)
    except Exception as exc:
        raise AssertionError(
            f"import_places raised {type(exc).__name__}: {exc}\n  file name {filename!r}, options {opts!r}, "
            f"content {content[:300]!r}{'…' if len(content) > 300 else ''}"
        ) from exc
    assert isinstance(report, ImportReport)
    assert report.dry_run and not report.committed and report.changeset is None
    assert report.refused in REFUSALS, report.refused
    if not report.ok:
        assert report.errors and all(p.message.strip() for p in report.errors), report.as_dict()
    if report.refused is not None:
        assert report.created == report.updated == 0
    sent = json.dumps(report.as_dict(), ensure_ascii=False, allow_nan=False)  # what json_response sends
    try:
        sent.encode("utf-8")
    except UnicodeEncodeError:
        unsendable = [p.as_dict() for p in report.errors + report.warnings if has_surrogate(p.message + p.field)]
        raise AssertionError(
            f"the report holds a lone surrogate, which JSON in UTF-8 cannot carry: {unsendable!r}"
        ) from None
    assert all(math.isfinite(v) for v in report.as_dict()["counts"].values())
    assert count_changes(before, row_counts(django_db_blocker)) == {}
    return report


@pytest.mark.django_db
@IMPORT_SETTINGS
@given(content=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES), opts=options)
def test_import_of_random_bytes_reports(importer, django_db_blocker, content, suffix, opts):
    check_import(importer, content, "upload" + suffix, opts, django_db_blocker)


@pytest.mark.django_db
@IMPORT_SETTINGS
@given(content=csv_files(), opts=options)
def test_import_of_random_csv_rows_reports(importer, django_db_blocker, content, opts):
    check_import(importer, content, "places.csv", opts, django_db_blocker)


@pytest.mark.django_db
@IMPORT_SETTINGS
@given(content=geojson_files(), suffix=st.sampled_from([".geojson", ".json"]), opts=options)
@example(
    content=b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"},'
    b' "geometry": {"type": "GeometryCollection", "coordinates": []}}]}',
    suffix=".geojson",
    opts={"encoding": None, "crs": None, "datum": None},
)
@example(content=b'{"type": "FeatureCollection", "features": []}', suffix=".json", opts={"encoding": "utf-16"})
@example(content=b'{"type": "FeatureCollection", "features": []}', suffix=".json", opts={"encoding": "rot13"})
@example(
    content=b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null,'
    b' "properties": {"\\udfff": "x"}}]}',
    suffix=".geojson",
    opts={},
)
def test_import_of_random_geojson_reports(importer, django_db_blocker, content, suffix, opts):
    check_import(importer, content, "places" + suffix, opts, django_db_blocker)


@pytest.mark.django_db
@IMPORT_SETTINGS
@given(content=zip_files(), opts=options)
def test_import_of_random_zip_archives_reports(importer, django_db_blocker, content, opts):
    check_import(importer, content, "places.zip", opts, django_db_blocker)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    phases=IMPORT_SETTINGS.phases,
    suppress_health_check=list(HealthCheck),
)
@given(filename=st.one_of(any_text, st.just("名" * 100), st.just("a" * 300)), suffix=st.sampled_from(SUFFIXES))
@example(filename="名" * 100, suffix=".csv")
@example(filename="places\x00", suffix=".csv")
@example(filename="", suffix="")
@example(filename="a/", suffix="")
def test_import_under_any_file_name_reports(importer, django_db_blocker, filename, suffix):
    content = "name,category,lon,lat\n莲花湾,07200,129.47,44.34\n".encode()
    check_import(importer, content, filename + suffix, {}, django_db_blocker)
