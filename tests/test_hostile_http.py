"""Hostile input, black-box over HTTP against the real server (gunicorn, scripts/serve.sh).

Every case is one request that differs from a valid one by one thing. What each must get:
- the 4xx it names (400 bad input, 401 no account, 403 no right, 404, 405 wrong method, 409 stale
  version, 413 too large, 415 wrong content type, 429 rate limit), as JSON
  ``{"error": {"status": <same>, "message": "<says what>", ...}}``; a 500 is always a failure;
- nothing written: the rows of every written table (hostile_helpers.WRITTEN_TABLES) are counted
  through the test's own connection before and after;
- a healthy server: GET /healthz answers 200 right after.
Cases whose documented answer is success (a harmless unknown query parameter) assert the success.

To add an endpoint, an upload or a page: add rows to the tables below (``Case``). Paths and bodies
may name the throwaway objects of ``world`` (tests/hostile_helpers.py): {place}, {dongning},
{review}, {closed} in paths; PLACE, PLACE_VERSION, REVIEW_VERSION, CLOSED_VERSION in bodies.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib

import pytest

from tests.gazetteer_helpers import POINT_HAILIN
from tests.hostile_helpers import (
    CLOSED_VERSION,
    DONGNING,
    DROP,
    JSON,
    MARKER_POINT,
    MARKER_VERSION,
    NINGAN,
    NO_BODY,
    PLACE,
    PLACE_VERSION,
    POINT_NINGAN,
    REVIEW_VERSION,
    Case,
    Multipart,
    Raw,
    Upload,
    changed,
    count_changes,
    encode_json,
    healthy,
    limited_server_fixture,  # noqa: F401 (fixture)
    random_loopback,
    request_for,
    row_counts,
    send,
    status_problems,
    world_fixture,  # noqa: F401 (fixture)
)

# django_db: without one test that uses the database, pytest-django makes no test database and the
# live server would serve the developer's database.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

TODAY = dt.date.today()
MB = 1024 * 1024


# ---- hostile values ------------------------------------------------------------------------------

NAN, INFINITY, HUGE_FLOAT = Raw("NaN"), Raw("Infinity"), Raw("1e400")
LONG_INT = Raw("9" * 5000)
DEEP = Raw("[" * 100_000 + "]" * 100_000)
SURROGATE = "莲\ud800湾"
NUL = "莲\x00湾"
LONG_NAME = "莲" * 201
REFUSED_IN_NAMES = {
    "lt": "莲<花湾",
    "colon": "莲:花湾",
    "slash": "莲/花湾",
    "zwj": "莲\u200d花湾",
    "rtl": "莲\u202e花湾",
}
DIGITS_5000 = "9" * 5000

# ---- valid bodies (each case changes one thing) ----------------------------------------------------

CREATE = {
    "name": "莲花湾",
    "category": "07200",
    "geometry": POINT_NINGAN,
    "reason": "外业调查新增",
    "meaning": "因村旁莲花湖湾得名",
}
UPDATE = {"version": PLACE_VERSION, "reason": "补充", "history": "1950年代建村"}
NEW_NAME = {"kind": "alias", "name": "莲花屯", "version": PLACE_VERSION, "reason": "群众俗称"}
RETIRE = {"version": PLACE_VERSION, "reason": "村庄搬迁", "valid_to": "2026-12-01"}
REGISTER = {
    "version": PLACE_VERSION,
    "reason": "普查成果",
    "authority": "宁安市人民政府",
    "document_number": "宁政发〔2010〕1号",
    "decision_date": "2010-01-01",
}
EDIT = {"kind": "place", "key": PLACE, "version": PLACE_VERSION, "changes": {"history": "1950年代建村"}}
CHANGESET = {"reason": "外业核查", "edits": [EDIT]}
SUBMIT = {
    "kind": "rename",
    "place": PLACE,
    "county": NINGAN,
    "proposed_name": "莲花新湾",
    "reason": "恢复历史地名",
    "applicant": "宁安市人民政府",
    "meaning": "因莲花湖得名",
}
OPINION = {"expert": "王教授", "verdict": "agree", "comments": "符合命名原则", "version": REVIEW_VERSION}
NOTICE = {"start": TODAY.isoformat(), "days": 30, "version": REVIEW_VERSION}
APPROVE = {
    "authority": "宁安市人民政府",
    "decision_date": TODAY.isoformat(),
    "document_number": "宁政函〔2026〕3号",
    "effective_date": TODAY.isoformat(),
    "version": CLOSED_VERSION,
}
MAP = {"unit": "231004", "paper": "A4", "orientation": "landscape", "format": "pdf"}
CSV_HEADER = "name,category,lon,lat\n"


def csv_rows(*names: str) -> bytes:
    return (CSV_HEADER + "".join(f"{n},07200,129.47,44.34\n" for n in names)).encode("utf-8", "surrogatepass")


def import_form(
    content: bytes = b"", filename: bytes | str = "places.csv", *, commit: bool = False, **options: str
) -> Multipart:
    fields = dict(options)
    if commit:
        fields |= {"dry_run": "false", "reason": "导入外业成果"}
    return Multipart(
        fields=tuple(fields.items()),
        files=(Upload("file", filename, content or csv_rows("莲花湾"), "text/csv"),),
    )


def attachment(filename: bytes | str = "批复.pdf", title: str = "批复文件", content: bytes = b"%PDF-1.4\n%%EOF\n"):
    return Multipart(fields=(("title", title),), files=(Upload("file", filename, content, "application/pdf"),))


# ---- the case table ---------------------------------------------------------------------------------


ADDRESS_SEARCH = "/api/v1/places/search?q=%E5%A4%AA%E5%B9%B3%E8%B7%AF"  # 太平路: an address query follows


def case(id, method, path, status=400, who=None, body=NO_BODY, content_type=None, names=None):
    return pytest.param(Case(id, method, path, status, who, body, content_type, names), id=id)


def big(base: dict, key: str) -> dict:
    """``base`` with one text member past the 20 MB JSON limit."""
    return changed(base, **{key: "x" * (21 * MB)})


# A few shapes of broken JSON, the same for every endpoint that takes a body.
def broken_json(prefix: str, method: str, path: str, who: str, valid: dict, text_field: str):
    return [
        case(f"{prefix}-malformed-json", method, path, 400, who, b'{"reason": "x", "version": '),
        case(f"{prefix}-json-not-utf8", method, path, 400, who, b'{"reason": "\xff\xfe"}'),
        case(f"{prefix}-json-array", method, path, 400, who, [valid]),
        case(f"{prefix}-json-string", method, path, 400, who, "text"),
        case(f"{prefix}-json-null", method, path, 400, who, None),
        case(f"{prefix}-empty-body", method, path, 400, who, b""),
        case(f"{prefix}-nested-100000", method, path, 400, who, changed(valid, **{text_field: DEEP})),
        case(f"{prefix}-content-type-text", method, path, 415, who, valid, "text/plain"),
        case(f"{prefix}-content-type-form", method, path, 415, who, valid, "application/x-www-form-urlencoded"),
        case(f"{prefix}-body-over-20mb", method, path, 413, who, big(valid, text_field)),
    ]


PLACES = "/api/v1/places"
ONE = "/api/v1/places/{place}"
APPS = "/api/v1/naming-applications"
REVIEW = "/api/v1/naming-applications/{review}"
CLOSED = "/api/v1/naming-applications/{closed}"
IMPORT = "/api/v1/places/import"
JOBS = "/api/v1/map-jobs"

CREATE_CASES = [
    case("create-name-nul", "POST", PLACES, 400, "ningan", changed(CREATE, name=NUL), names="name"),
    case("create-name-surrogate", "POST", PLACES, 400, "ningan", changed(CREATE, name=SURROGATE), names="name"),
    case("create-name-201-chars", "POST", PLACES, 400, "ningan", changed(CREATE, name=LONG_NAME), names="name"),
    *[
        case(f"create-name-{key}", "POST", PLACES, 400, "ningan", changed(CREATE, name=value), names="name")
        for key, value in REFUSED_IN_NAMES.items()
    ],
    case("create-romanization-301", "POST", PLACES, 400, "ningan", changed(CREATE, romanization="a" * 301)),
    case("create-meaning-20001", "POST", PLACES, 400, "ningan", changed(CREATE, meaning="义" * 20_001)),
    case("create-meaning-surrogate", "POST", PLACES, 400, "ningan", changed(CREATE, meaning=SURROGATE)),
    case("create-key-surrogate", "POST", PLACES, 400, "ningan", changed(CREATE, **{"\ud800": "x"})),
    case("create-elevation-nan", "POST", PLACES, 400, "ningan", changed(CREATE, elevation_m=NAN)),
    case("create-elevation-infinity", "POST", PLACES, 400, "ningan", changed(CREATE, elevation_m=INFINITY)),
    case("create-elevation-1e400", "POST", PLACES, 400, "ningan", changed(CREATE, elevation_m=HUGE_FLOAT)),
    case("create-elevation-5000-digits", "POST", PLACES, 400, "ningan", changed(CREATE, elevation_m=LONG_INT)),
    case("create-elevation-string", "POST", PLACES, 400, "ningan", changed(CREATE, elevation_m="100")),
    case(
        "create-lon-181",
        "POST",
        PLACES,
        400,
        "ningan",
        changed(CREATE, geometry={"type": "Point", "coordinates": [181, 44.34]}),
    ),
    case(
        "create-lat-91",
        "POST",
        PLACES,
        400,
        "ningan",
        changed(CREATE, geometry={"type": "Point", "coordinates": [129.47, 91]}),
    ),
    case(
        "create-lon-nan",
        "POST",
        PLACES,
        400,
        "ningan",
        changed(CREATE, geometry={"type": "Point", "coordinates": [NAN, 44.34]}),
    ),
    case(
        "create-valid-to-before-from",
        "POST",
        PLACES,
        400,
        "ningan",
        changed(CREATE, valid_from="2020-01-01", valid_to="2019-01-01"),
    ),
    case("create-named-on-feb-30", "POST", PLACES, 400, "ningan", changed(CREATE, named_on="2020-02-30")),
    case("create-valid-from-year-1", "POST", PLACES, 400, "ningan", changed(CREATE, valid_from="0001-01-01")),
    case("create-is-public-string", "POST", PLACES, 400, "ningan", changed(CREATE, is_public="false")),
    case("create-unknown-field", "POST", PLACES, 400, "ningan", changed(CREATE, colour="red")),
    *broken_json("create", "POST", PLACES, "ningan", CREATE, "meaning"),
    case("create-anonymous", "POST", PLACES, 401, None, CREATE),
    case("create-bad-token", "POST", PLACES, 401, "bad-token", CREATE),
    case("create-approver", "POST", PLACES, 403, "approver", CREATE),
    case("create-cartographer", "POST", PLACES, 403, "carto", CREATE),
    case("create-other-county-officer", "POST", PLACES, 403, "hailin", CREATE),
    # The point lies in the officer's county, the unit is 东宁市's: the record would be another county's.
    # A unit that does not hold the geometry is a data error (400) found before any rights are asked.
    case("create-unit-of-another-county", "POST", PLACES, 400, "ningan", changed(CREATE, unit=DONGNING), names="unit"),
    case("create-put", "PUT", PLACES, 405, "ningan", CREATE),
]

UPDATE_CASES = [
    case("patch-version-string", "PATCH", ONE, 400, "ningan", changed(UPDATE, version="1"), names="version"),
    case("patch-version-float", "PATCH", ONE, 400, "ningan", changed(UPDATE, version=1.5), names="version"),
    case("patch-version-bool", "PATCH", ONE, 400, "ningan", changed(UPDATE, version=True), names="version"),
    case("patch-version-nan", "PATCH", ONE, 400, "ningan", changed(UPDATE, version=NAN)),
    case("patch-version-infinity", "PATCH", ONE, 400, "ningan", changed(UPDATE, version=INFINITY)),
    case("patch-version-5000-digits", "PATCH", ONE, 400, "ningan", changed(UPDATE, version=LONG_INT)),
    case("patch-version-missing", "PATCH", ONE, 400, "ningan", changed(UPDATE, version=DROP), names="version"),
    case("patch-version-stale", "PATCH", ONE, 409, "ningan", changed(UPDATE, version=99)),
    case("patch-history-nul", "PATCH", ONE, 400, "ningan", changed(UPDATE, history=NUL), names="history"),
    case("patch-history-surrogate", "PATCH", ONE, 400, "ningan", changed(UPDATE, history=SURROGATE)),
    case("patch-reason-nul", "PATCH", ONE, 400, "ningan", changed(UPDATE, reason=NUL), names="reason"),
    case("patch-romanization-301", "PATCH", ONE, 400, "ningan", changed(UPDATE, romanization="a" * 301)),
    case("patch-elevation-1e400", "PATCH", ONE, 400, "ningan", changed(UPDATE, elevation_m=HUGE_FLOAT)),
    case(
        "patch-valid-to-before-from",
        "PATCH",
        ONE,
        400,
        "ningan",
        changed(UPDATE, valid_from="2020-01-01", valid_to="2019-01-01"),
    ),
    # The record is valid from 2020-01-01 (hostile_helpers): an end before it is refused.
    case("patch-valid-to-before-records-start", "PATCH", ONE, 400, "ningan", changed(UPDATE, valid_to="2010-01-01")),
    case("patch-valid-to-year-9999", "PATCH", ONE, 400, "ningan", changed(UPDATE, valid_to="9999-12-31")),
    case("patch-is-public-string", "PATCH", ONE, 400, "ningan", changed(UPDATE, is_public="true")),
    case(
        "patch-heritage-reason-nul",
        "PATCH",
        ONE,
        400,
        "ningan",
        changed(UPDATE, heritage_reason=NUL),
        names="heritage_reason",
    ),
    case("patch-heritage-listed-9999", "PATCH", ONE, 400, "ningan", changed(UPDATE, heritage_listed_on="9999-12-31")),
    case("patch-unknown-field", "PATCH", ONE, 400, "ningan", changed(UPDATE, histroy="1950年代建村")),
    *broken_json("patch", "PATCH", ONE, "ningan", UPDATE, "history"),
    case("patch-anonymous", "PATCH", ONE, 401, None, UPDATE),
    case("patch-other-county-officer", "PATCH", ONE, 403, "hailin", UPDATE),
    case("patch-approver", "PATCH", ONE, 403, "approver", UPDATE),
    case("patch-unknown-code", "PATCH", "/api/v1/places/00000000000000000000", 404, "ningan", UPDATE),
    case("place-delete", "DELETE", ONE, 405, "ningan"),
]

NAME_CASES = [
    case("names-name-colon", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, name="莲:花屯"), names="name"),
    case("names-name-zwj", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, name="莲\u200d花屯")),
    case("names-name-rtl", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, name="莲\u202e花屯")),
    case("names-name-nul", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, name=NUL)),
    case("names-name-201-chars", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, name=LONG_NAME)),
    case("names-note-surrogate", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, note=SURROGATE)),
    case("names-kind-standard", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, kind="standard")),
    case("names-version-nan", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, version=NAN)),
    case("names-version-string", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, version="x")),
    case("names-version-5000-digits", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, version=LONG_INT)),
    case("names-version-stale", "POST", ONE + "/names", 409, "ningan", changed(NEW_NAME, version=99)),
    case(
        "names-valid-to-before-from",
        "POST",
        ONE + "/names",
        400,
        "ningan",
        changed(NEW_NAME, valid_from="2021-01-01", valid_to="2020-01-01"),
    ),
    case("names-valid-from-feb-30", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, valid_from="2020-02-30")),
    case("names-unknown-field", "POST", ONE + "/names", 400, "ningan", changed(NEW_NAME, alias="莲花屯")),
    case("names-malformed-json", "POST", ONE + "/names", 400, "ningan", b'{"kind": "alias",'),
    case("names-content-type-text", "POST", ONE + "/names", 415, "ningan", NEW_NAME, "text/plain"),
    case("names-empty-body", "POST", ONE + "/names", 400, "ningan", b""),
    case("names-anonymous", "POST", ONE + "/names", 401, None, NEW_NAME),
    case("names-other-county-officer", "POST", ONE + "/names", 403, "hailin", NEW_NAME),
    case("names-get", "GET", ONE + "/names", 405, "ningan"),
]

RETIRE_CASES = [
    case(
        "retire-valid-to-before-records-start",
        "POST",
        ONE + "/retire",
        400,
        "ningan",
        changed(RETIRE, valid_to="2019-12-31"),
    ),
    case("retire-valid-to-year-9999", "POST", ONE + "/retire", 400, "ningan", changed(RETIRE, valid_to="9999-12-31")),
    case("retire-valid-to-feb-30", "POST", ONE + "/retire", 400, "ningan", changed(RETIRE, valid_to="2020-02-30")),
    case("retire-version-5000-digits", "POST", ONE + "/retire", 400, "ningan", changed(RETIRE, version=LONG_INT)),
    case("retire-version-null", "POST", ONE + "/retire", 400, "ningan", changed(RETIRE, version=None)),
    case("retire-version-stale", "POST", ONE + "/retire", 409, "ningan", changed(RETIRE, version=99)),
    case("retire-reason-nul", "POST", ONE + "/retire", 400, "ningan", changed(RETIRE, reason=NUL)),
    case("retire-unknown-field", "POST", ONE + "/retire", 400, "ningan", changed(RETIRE, valid_until="2026-12-01")),
    case("retire-json-true", "POST", ONE + "/retire", 400, "ningan", True),
    case("retire-content-type-form", "POST", ONE + "/retire", 415, "ningan", RETIRE, "multipart/form-data"),
    case("retire-anonymous", "POST", ONE + "/retire", 401, None, RETIRE),
    case("retire-other-county-officer", "POST", ONE + "/retire", 403, "hailin", RETIRE),
    case("retire-get", "GET", ONE + "/retire", 405, "ningan"),
]
REGISTER_CASES = [
    case(
        "register-authority-blank", "POST", ONE + "/register-standard", 400, "ningan", changed(REGISTER, authority=" ")
    ),
    case("register-authority-nul", "POST", ONE + "/register-standard", 400, "ningan", changed(REGISTER, authority=NUL)),
    case(
        "register-date-future",
        "POST",
        ONE + "/register-standard",
        400,
        "ningan",
        changed(REGISTER, decision_date="2999-01-01"),
    ),
    case(
        "register-date-feb-30",
        "POST",
        ONE + "/register-standard",
        400,
        "ningan",
        changed(REGISTER, decision_date="2010-02-30"),
    ),
    case(
        "register-document-long",
        "POST",
        ONE + "/register-standard",
        400,
        "ningan",
        changed(REGISTER, document_number="号" * 101),
    ),
    case("register-version-stale", "POST", ONE + "/register-standard", 409, "ningan", changed(REGISTER, version=99)),
    case(
        "register-unknown-field",
        "POST",
        ONE + "/register-standard",
        400,
        "ningan",
        changed(REGISTER, standing="standard"),
    ),
    case("register-anonymous", "POST", ONE + "/register-standard", 401, None, REGISTER),
    case("register-other-county-officer", "POST", ONE + "/register-standard", 403, "hailin", REGISTER),
    case("register-get", "GET", ONE + "/register-standard", 405, "ningan"),
]

READ_CASES = [
    # records
    case("list-name-nul", "GET", PLACES + "?name=%E8%8E%B2%00"),
    case("list-limit-minus-1", "GET", PLACES + "?limit=-1", names="limit"),
    case("list-limit-0", "GET", PLACES + "?limit=0", names="limit"),
    case("list-limit-10e9", "GET", PLACES + "?limit=1000000000", names="limit"),
    case("list-limit-5000-digits", "GET", PLACES + f"?limit={DIGITS_5000}", names="limit"),
    case("list-offset-minus-5", "GET", PLACES + "?offset=-5", names="offset"),
    case("list-offset-10e20", "GET", PLACES + "?offset=100000000000000000000", names="offset"),
    case("list-status-unknown", "GET", PLACES + "?status=lost", names="status"),
    case("list-unit-unknown", "GET", PLACES + "?unit=999999", names="unit"),
    case("list-geometry-unknown", "GET", PLACES + "?geometry=c", names="geometry"),
    case("list-unknown-parameter-ignored", "GET", PLACES + "?colour=red&limit=1", 200),
    case("detail-at-9999-12-31", "GET", ONE + "?at=9999-12-31", names="at"),
    case("detail-at-0001-01-01", "GET", ONE + "?at=0001-01-01", names="at"),
    case("detail-at-2020-02-30", "GET", ONE + "?at=2020-02-30", names="at"),
    case("detail-at-nul", "GET", ONE + "?at=2020-01-01%00"),
    case("detail-at-empty", "GET", ONE + "?at=", names="at"),
    case("detail-code-nul", "GET", "/api/v1/places/2310%00"),
    case("detail-code-5000-chars", "GET", "/api/v1/places/" + DIGITS_5000, 404),
    case("detail-unknown-code", "GET", "/api/v1/places/00000000000000000000", 404),
    case("detail-unknown-parameter-ignored", "GET", ONE + "?colour=red", 200),
    case("history-nul", "GET", ONE + "/history?x=%00"),
    case("history-post", "POST", ONE + "/history", 405, "ningan", {}),
    case("categories-nul", "GET", "/api/v1/categories?x=%00"),
    case("categories-post", "POST", "/api/v1/categories", 405, "admin", {}),
    # search, suggestions, reverse lookup, romanization
    case("search-q-nul", "GET", "/api/v1/places/search?q=%E5%AE%81%00%E5%AE%89"),
    case("search-q-1000-chars", "GET", "/api/v1/places/search?q=" + "a" * 1000, names="q"),
    case("search-limit-minus-1", "GET", "/api/v1/places/search?q=ningan&limit=-1", names="limit"),
    case("search-limit-0", "GET", "/api/v1/places/search?q=ningan&limit=0", names="limit"),
    case("search-limit-10e9", "GET", "/api/v1/places/search?q=ningan&limit=1000000000", names="limit"),
    case("search-limit-5000-digits", "GET", f"/api/v1/places/search?q=ningan&limit={DIGITS_5000}", names="limit"),
    case("search-at-9999-12-31", "GET", "/api/v1/places/search?q=ningan&at=9999-12-31", names="at"),
    case("search-at-0001-01-01", "GET", "/api/v1/places/search?q=ningan&at=0001-01-01", names="at"),
    case("search-at-2020-02-30", "GET", "/api/v1/places/search?q=ningan&at=2020-02-30", names="at"),
    case("search-at-empty", "GET", "/api/v1/places/search?at=", names="at"),
    case("search-near-nan", "GET", "/api/v1/places/search?q=ningan&near=nan,nan", names="near"),
    case("search-near-inf", "GET", "/api/v1/places/search?q=ningan&near=inf,-inf", names="near"),
    case("search-near-lon-181", "GET", "/api/v1/places/search?q=ningan&near=181,44.5", names="near"),
    case("search-near-one-number", "GET", "/api/v1/places/search?q=ningan&near=129.6", names="near"),
    case("search-unit-nul", "GET", "/api/v1/places/search?q=ningan&unit=231084%00"),
    case("search-unknown-parameter-ignored", "GET", "/api/v1/places/search?q=ningan&colour=red", 200),
    case("search-post", "POST", "/api/v1/places/search?q=ningan", 405, "ningan", {}),
    # an address query (太平路…号): a number past any column, a long sub-number, a NUL inside
    case("search-address-30-digits", "GET", ADDRESS_SEARCH + "9" * 30 + "%E5%8F%B7", 200),
    case("search-address-long-suffix", "GET", ADDRESS_SEARCH + "12-99999999%E5%8F%B7", 200),
    case("search-address-nul", "GET", ADDRESS_SEARCH + "12%00%E5%8F%B7"),
    case("suggest-address-30-digits", "GET", "/api/v1/places/suggest?q=%E5%A4%AA%E5%B9%B3%E8%B7%AF" + "9" * 30, 200),
    case("suggest-q-nul", "GET", "/api/v1/places/suggest?q=%00"),
    case("suggest-limit-0", "GET", "/api/v1/places/suggest?q=mdj&limit=0", names="limit"),
    case("suggest-near-nan", "GET", "/api/v1/places/suggest?q=mdj&near=nan,nan", names="near"),
    case("reverse-nan", "GET", "/api/v1/reverse?lon=nan&lat=nan"),
    case("reverse-inf", "GET", "/api/v1/reverse?lon=inf&lat=44.58"),
    case("reverse-1e400", "GET", "/api/v1/reverse?lon=1e400&lat=44.58"),
    case("reverse-lon-181", "GET", "/api/v1/reverse?lon=181&lat=44.58"),
    case("reverse-lat-minus-91", "GET", "/api/v1/reverse?lon=129.6&lat=-91"),
    case("reverse-lon-nul", "GET", "/api/v1/reverse?lon=129.6%00&lat=44.58"),
    case("reverse-limit-minus-1", "GET", "/api/v1/reverse?lon=129.6&lat=44.58&limit=-1", names="limit"),
    case("reverse-missing-lat", "GET", "/api/v1/reverse?lon=129.6"),
    case("romanize-nul", "GET", "/api/v1/romanize?name=%E7%89%A1%00%E4%B8%B9"),
    case("romanize-101-chars", "GET", "/api/v1/romanize?name=" + "%E8%8E%B2" * 101, names="name"),
    case("romanize-lt", "GET", "/api/v1/romanize?name=%E8%8E%B2%3C%E8%8A%B1", names="name"),
    case("romanize-rtl", "GET", "/api/v1/romanize?name=%E8%8E%B2%E2%80%AE%E8%8A%B1", names="name"),
    case("romanize-unknown-parameter-ignored", "GET", "/api/v1/romanize?name=%E7%A9%86%E6%A3%B1%E5%B8%82&x=1", 200),
    case("romanize-post", "POST", "/api/v1/romanize?name=x", 405, None, {}),
    # units
    case("units-parent-nul", "GET", "/api/v1/units?parent=2310%0084"),
    case("units-level-unknown", "GET", "/api/v1/units?level=galaxy"),
    case("units-geometry-unknown", "GET", "/api/v1/units?geometry=lots"),
    case("units-parent-unknown", "GET", "/api/v1/units?parent=999999", 404),
    case("units-delete", "DELETE", "/api/v1/units", 405, "admin"),
    case("unit-code-nul", "GET", "/api/v1/units/2310%0084"),
    case("unit-geometry-nul", "GET", "/api/v1/units/231084?geometry=full%00"),
    case("unit-unknown", "GET", "/api/v1/units/999999", 404),
    case("unit-history-post", "POST", "/api/v1/units/231084/history", 405, "admin", {}),
    # files out: exports and open data (with a token: the anonymous limit for files is 10 a minute)
    case("export-format-rot13", "GET", "/api/v1/places/export?format=rot13", who="carto", names="format"),
    case("export-format-nul", "GET", "/api/v1/places/export?format=csv%00", who="carto"),
    case("export-unit-unknown", "GET", "/api/v1/places/export?format=csv&unit=999999", who="carto", names="unit"),
    case("export-status-unknown", "GET", "/api/v1/places/export?format=csv&status=lost", who="carto"),
    case("export-put", "PUT", "/api/v1/places/export", 405, "carto", {}),
    case("open-data-nul", "GET", "/api/v1/open-data?x=%00"),
    case("open-data-post", "POST", "/api/v1/open-data", 405, "admin", {}),
    case("open-data-csv-nul", "GET", "/api/v1/open-data/places.csv?x=%00", who="carto"),
    case("open-data-geojson-post", "POST", "/api/v1/open-data/places.geojson", 405, "admin", {}),
    case("open-data-unknown-format", "GET", "/api/v1/open-data/places.shp", 404, "carto"),
    case("open-data-csv-unknown-parameter-ignored", "GET", "/api/v1/open-data/places.csv?colour=red", 200, "carto"),
    # vector tiles
    case("tile-z-25", "GET", "/tiles/25/0/0.mvt", 404),
    case("tile-x-out-of-range", "GET", "/tiles/3/8/0.mvt", 404),
    case("tile-y-out-of-range", "GET", "/tiles/3/0/8.mvt", 404),
    case("tile-z-negative", "GET", "/tiles/-1/0/0.mvt", 404),
    case("tile-x-20-digits", "GET", "/tiles/3/99999999999999999999/0.mvt", 404),
    case("tile-z-5000-digits", "GET", f"/tiles/{DIGITS_5000}/0/0.mvt", 404),
    case("tile-nul", "GET", "/tiles/0/0/0.mvt?x=%00"),
    case("tile-post", "POST", "/tiles/0/0/0.mvt", 405, None, {}),
    case("tilejson-nul", "GET", "/tiles/tiles.json?callback=%00"),
    case("tilejson-post", "POST", "/tiles/tiles.json", 405, None, {}),
    case("tilejson-unknown-parameter-ignored", "GET", "/tiles/tiles.json?colour=red", 200),
    case("unknown-api-path", "GET", "/api/v1/nothing-here", 404),
]

IMPORT_CASES = [
    case("import-encoding-rot13", "POST", IMPORT, 400, "ningan", import_form(encoding="rot13"), names="encoding"),
    case("import-format-exe", "POST", IMPORT, 400, "ningan", import_form(format="exe"), names="format"),
    case("import-crs-unknown", "POST", IMPORT, 400, "ningan", import_form(crs="EPSG:999999"), names="crs"),
    case("import-datum-unknown", "POST", IMPORT, 400, "ningan", import_form(datum="MARS2000"), names="datum"),
    case("import-category-unknown", "POST", IMPORT, 400, "ningan", import_form(category="99999"), names="category"),
    case("import-dry-run-maybe", "POST", IMPORT, 400, "ningan", import_form(dry_run="maybe"), names="dry_run"),
    case("import-option-nul", "POST", IMPORT, 400, "ningan", import_form(encoding="utf-8\x00")),
    case(
        "import-reason-surrogate",
        "POST",
        IMPORT,
        400,
        "ningan",
        Multipart(
            fields=(("dry_run", "false"), ("reason", "导入\ud800")),
            files=(Upload("file", "places.csv", csv_rows("莲花湾"), "text/csv"),),
        ),
    ),
    case(
        "import-commit-without-reason",
        "POST",
        IMPORT,
        400,
        "ningan",
        Multipart(fields=(("dry_run", "false"),), files=(Upload("file", "p.csv", csv_rows("莲花湾"), "text/csv"),)),
        names="reason",
    ),
    case("import-filename-300-bytes", "POST", IMPORT, 400, "ningan", import_form(filename="名" * 100 + ".csv")),
    case("import-filename-nul", "POST", IMPORT, 400, "ningan", import_form(filename=b"places\x00.csv")),
    case(
        "import-file-not-utf8",
        "POST",
        IMPORT,
        400,
        "ningan",
        import_form(CSV_HEADER.encode() + b"\xff\xfe,07200,129.47,44.34\n", encoding="utf-8"),
    ),
    case("import-row-nul", "POST", IMPORT, 400, "ningan", import_form(csv_rows(NUL), commit=True)),
    case("import-row-surrogate", "POST", IMPORT, 400, "ningan", import_form(csv_rows("莲\ud800湾"), commit=True)),
    case("import-row-201-chars", "POST", IMPORT, 400, "ningan", import_form(csv_rows(LONG_NAME), commit=True)),
    *[
        case(f"import-row-{key}", "POST", IMPORT, 400, "ningan", import_form(csv_rows("莲花湾", value), commit=True))
        for key, value in REFUSED_IN_NAMES.items()
    ],
    case(
        "import-row-lon-inf",
        "POST",
        IMPORT,
        400,
        "ningan",
        import_form((CSV_HEADER + "莲花湾,07200,inf,44.34\n").encode(), commit=True),
    ),
    case(
        "import-row-lat-nan",
        "POST",
        IMPORT,
        400,
        "ningan",
        import_form((CSV_HEADER + "莲花湾,07200,129.47,nan\n").encode(), commit=True),
    ),
    case(
        "import-row-valid-to-before-from",
        "POST",
        IMPORT,
        400,
        "ningan",
        import_form(
            "name,category,lon,lat,valid_from,valid_to\n莲花湾,07200,129.47,44.34,2020-01-01,2019-01-01\n".encode(),
            commit=True,
        ),
    ),
    case(
        "import-geojson-nested-100000",
        "POST",
        IMPORT,
        400,
        "ningan",
        import_form(encode_json({"type": "FeatureCollection", "features": DEEP}), "p.geojson"),
    ),
    case(
        "import-geojson-nan",
        "POST",
        IMPORT,
        400,
        "ningan",
        import_form(
            encode_json(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"name": "莲花湾", "category": "07200"},
                            "geometry": {"type": "Point", "coordinates": [NAN, 44.3]},
                        }
                    ],
                }
            ),
            "p.geojson",
            commit=True,
        ),
    ),
    case(
        "import-geojson-geometrycollection",
        "POST",
        IMPORT,
        400,
        "ningan",
        import_form(
            encode_json(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"name": "莲花湾", "category": "07200"},
                            "geometry": {"type": "GeometryCollection", "coordinates": []},
                        }
                    ],
                }
            ),
            "p.geojson",
        ),
    ),
    case(
        "import-geojson-key-surrogate",
        "POST",
        IMPORT,
        400,
        "ningan",
        import_form(
            encode_json(
                {
                    "type": "FeatureCollection",
                    "features": [{"type": "Feature", "geometry": None, "properties": {"\udfff": "x"}}],
                }
            ),
            "p.geojson",
        ),
    ),
    case("import-no-file", "POST", IMPORT, 400, "ningan", Multipart(fields=(("dry_run", "true"),)), names="file"),
    case("import-empty-body", "POST", IMPORT, 400, "ningan", b"", "multipart/form-data; boundary=nothing"),
    case("import-json-body", "POST", IMPORT, 415, "ningan", {"file": "name,category\n"}),
    case(
        "import-field-over-20mb",
        "POST",
        IMPORT,
        413,
        "ningan",
        Multipart(fields=(("reason", "x" * (21 * MB)),), files=(Upload("file", "p.csv", csv_rows("莲花湾")),)),
    ),
    case("import-anonymous", "POST", IMPORT, 401, None, import_form()),
    case("import-cartographer", "POST", IMPORT, 403, "carto", import_form()),
    case("import-approver", "POST", IMPORT, 403, "approver", import_form()),
    case("import-get", "GET", IMPORT, 405, "ningan"),
]

SUBMIT_CASES = [
    case("apply-proposed-name-lt", "POST", APPS, 400, "ningan", changed(SUBMIT, proposed_name="莲<花湾")),
    case("apply-proposed-name-rtl", "POST", APPS, 400, "ningan", changed(SUBMIT, proposed_name="莲\u202e花湾")),
    case("apply-proposed-name-slash", "POST", APPS, 400, "ningan", changed(SUBMIT, proposed_name="莲/花湾")),
    case("apply-proposed-name-zwj", "POST", APPS, 400, "ningan", changed(SUBMIT, proposed_name="莲\u200d花湾")),
    case("apply-proposed-name-201-chars", "POST", APPS, 400, "ningan", changed(SUBMIT, proposed_name=LONG_NAME)),
    case("apply-proposed-name-surrogate", "POST", APPS, 400, "ningan", changed(SUBMIT, proposed_name=SURROGATE)),
    case(
        "apply-applicant-201-chars",
        "POST",
        APPS,
        400,
        "ningan",
        changed(SUBMIT, applicant="申" * 201),
        names="applicant",
    ),
    case("apply-applicant-nul", "POST", APPS, 400, "ningan", changed(SUBMIT, applicant=NUL), names="applicant"),
    case("apply-contact-surrogate", "POST", APPS, 400, "ningan", changed(SUBMIT, applicant_contact=SURROGATE)),
    case("apply-kind-unknown", "POST", APPS, 400, "ningan", changed(SUBMIT, kind="delete"), names="kind"),
    case("apply-county-is-the-city", "POST", APPS, 400, "ningan", changed(SUBMIT, county="231000"), names="county"),
    case("apply-county-number", "POST", APPS, 400, "ningan", changed(SUBMIT, county=231084), names="county"),
    case(
        "apply-geometry-nan",
        "POST",
        APPS,
        400,
        "ningan",
        changed(
            SUBMIT, kind="name", place=DROP, category="07200", geometry={"type": "Point", "coordinates": [NAN, 44.34]}
        ),
    ),
    case(
        "apply-geometry-lon-181",
        "POST",
        APPS,
        400,
        "ningan",
        changed(
            SUBMIT, kind="name", place=DROP, category="07200", geometry={"type": "Point", "coordinates": [181, 44.34]}
        ),
    ),
    case("apply-unknown-field", "POST", APPS, 400, "ningan", changed(SUBMIT, urgent=True)),
    *broken_json("apply", "POST", APPS, "ningan", SUBMIT, "meaning"),
    case("apply-anonymous", "POST", APPS, 401, None, SUBMIT),
    case("apply-other-county-officer", "POST", APPS, 403, "hailin", SUBMIT),
    case("apply-approver", "POST", APPS, 403, "approver", SUBMIT),
    # An officer of 宁安市 renaming a record of 东宁市 while declaring their own county: the declared county
    # is wrong for the record (400, naming the record's county), so their own county's rights never apply.
    case(
        "apply-rename-another-countys-record",
        "POST",
        APPS,
        400,
        "ningan",
        changed(SUBMIT, place="{dongning}"),
        names="county",
    ),
    case("apply-list-anonymous", "GET", APPS, 401),
    case("apply-list-status-nul", "GET", APPS + "?status=%00", 400, "ningan"),
    case("apply-list-status-unknown", "GET", APPS + "?status=lost", 400, "ningan", names="status"),
    case("apply-patch", "PATCH", APPS, 405, "ningan", SUBMIT),
    case("apply-detail-unknown", "GET", APPS + "/231084-2026-9999", 404, "ningan"),
    case("apply-detail-nul", "GET", APPS + "/231084%00", 400, "ningan"),
    case("apply-detail-other-county", "GET", REVIEW, 404, "hailin"),
]

BATCH_NAME = {"kind": "name", "proposed_name": "莲花新湾", "category": "07200", "geometry": POINT_NINGAN}
BATCH = {
    "county": NINGAN,
    "reason": "批量命名",
    "applicant": "宁安市人民政府",
    "names": [BATCH_NAME, changed(BATCH_NAME, proposed_name="荷花新湾")],
}
BATCH_PATH = APPS + "/batch"
BATCH_CASES = [
    case("batch-one-name", "POST", BATCH_PATH, 400, "ningan", changed(BATCH, names=[BATCH_NAME]), names="names"),
    case("batch-201-names", "POST", BATCH_PATH, 400, "ningan", changed(BATCH, names=[BATCH_NAME] * 201)),
    case("batch-names-not-a-list", "POST", BATCH_PATH, 400, "ningan", changed(BATCH, names=BATCH_NAME)),
    case("batch-same-name-twice", "POST", BATCH_PATH, 400, "ningan", changed(BATCH, names=[BATCH_NAME] * 2)),
    case(
        "batch-name-nul",
        "POST",
        BATCH_PATH,
        400,
        "ningan",
        changed(BATCH, names=[BATCH_NAME, changed(BATCH_NAME, proposed_name=NUL)]),
    ),
    case(
        "batch-name-unknown-field",
        "POST",
        BATCH_PATH,
        400,
        "ningan",
        changed(BATCH, names=[BATCH_NAME, changed(BATCH_NAME, urgent=True)]),
    ),
    case(
        "batch-name-in-another-county",
        "POST",
        BATCH_PATH,
        400,
        "ningan",
        changed(BATCH, names=[BATCH_NAME, changed(BATCH_NAME, proposed_name="荷花新湾", geometry=POINT_HAILIN)]),
    ),
    *broken_json("batch", "POST", BATCH_PATH, "ningan", BATCH, "reason"),
    case("batch-anonymous", "POST", BATCH_PATH, 401, None, BATCH),
    case("batch-other-county-officer", "POST", BATCH_PATH, 403, "hailin", BATCH),
    case("batch-approver", "POST", BATCH_PATH, 403, "approver", BATCH),
    case("batch-get", "GET", BATCH_PATH, 405, "ningan"),
]

STEP_CASES = [
    case("step-unknown", "POST", REVIEW + "/explode", 404, "ningan", OPINION),
    case("step-unknown-application", "POST", APPS + "/231084-2026-9999/opinions", 404, "ningan", OPINION),
    case(
        "opinions-expert-101-chars",
        "POST",
        REVIEW + "/opinions",
        400,
        "ningan",
        changed(OPINION, expert="王" * 101),
        names="expert",
    ),
    case("opinions-expert-nul", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, expert=NUL)),
    case("opinions-expert-number", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, expert=42)),
    case(
        "opinions-comments-surrogate", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, comments=SURROGATE)
    ),
    case("opinions-verdict-unknown", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, verdict="maybe")),
    case("opinions-version-string", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, version="abc")),
    case("opinions-version-bool", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, version=True)),
    case("opinions-version-nan", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, version=NAN)),
    case(
        "opinions-version-5000-digits", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, version=LONG_INT)
    ),
    case("opinions-version-stale", "POST", REVIEW + "/opinions", 409, "ningan", changed(OPINION, version=999)),
    case("opinions-unknown-field", "POST", REVIEW + "/opinions", 400, "ningan", changed(OPINION, experts="王教授")),
    *broken_json("opinions", "POST", REVIEW + "/opinions", "ningan", OPINION, "comments"),
    case("opinions-anonymous", "POST", REVIEW + "/opinions", 401, None, OPINION),
    case("opinions-approver", "POST", REVIEW + "/opinions", 403, "approver", OPINION),
    case("opinions-other-county-officer", "POST", REVIEW + "/opinions", 404, "hailin", OPINION),
    case("opinions-get", "GET", REVIEW + "/opinions", 405, "ningan"),
    case(
        "notice-start-in-the-past",
        "POST",
        REVIEW + "/notice",
        400,
        "ningan",
        changed(NOTICE, start=(TODAY - dt.timedelta(days=10)).isoformat()),
        names="start",
    ),
    case("notice-days-negative", "POST", REVIEW + "/notice", 400, "ningan", changed(NOTICE, days=-5), names="days"),
    case("notice-days-zero", "POST", REVIEW + "/notice", 400, "ningan", changed(NOTICE, days=0), names="days"),
    case("notice-days-1e400", "POST", REVIEW + "/notice", 400, "ningan", changed(NOTICE, days=HUGE_FLOAT)),
    case("notice-days-5000-digits", "POST", REVIEW + "/notice", 400, "ningan", changed(NOTICE, days=LONG_INT)),
    case("notice-start-9999-12-31", "POST", REVIEW + "/notice", 400, "ningan", changed(NOTICE, start="9999-12-31")),
    case("notice-start-feb-30", "POST", REVIEW + "/notice", 400, "ningan", changed(NOTICE, start="2026-02-30")),
    case(
        "comments-commenter-101-chars",
        "POST",
        REVIEW + "/comments",
        400,
        "ningan",
        {"commenter": "张" * 101, "comment": "赞成", "received_on": TODAY.isoformat()},
        names="commenter",
    ),
    case(
        "approve-document-number-101",
        "POST",
        CLOSED + "/approve",
        400,
        "approver",
        changed(APPROVE, document_number="号" * 101),
        names="document_number",
    ),
    case("approve-authority-nul", "POST", CLOSED + "/approve", 400, "approver", changed(APPROVE, authority=NUL)),
    case(
        "approve-effective-before-decision",
        "POST",
        CLOSED + "/approve",
        400,
        "approver",
        changed(APPROVE, effective_date=(TODAY - dt.timedelta(days=1)).isoformat()),
    ),
    case(
        "approve-decision-year-1",
        "POST",
        CLOSED + "/approve",
        400,
        "approver",
        changed(APPROVE, decision_date="0001-01-01"),
    ),
    case(
        "approve-effective-year-9999",
        "POST",
        CLOSED + "/approve",
        400,
        "approver",
        changed(APPROVE, effective_date="9999-12-31"),
    ),
    case("approve-version-stale", "POST", CLOSED + "/approve", 409, "approver", changed(APPROVE, version=999)),
    case("approve-by-officer", "POST", CLOSED + "/approve", 403, "ningan", APPROVE),
    case("approve-anonymous", "POST", CLOSED + "/approve", 401, None, APPROVE),
    case("reject-reason-nul", "POST", CLOSED + "/reject", 400, "approver", {"reason": NUL, "version": CLOSED_VERSION}),
    case("attach-filename-300-bytes", "POST", REVIEW + "/attachments", 400, "ningan", attachment("名" * 100 + ".pdf")),
    # (A NUL in an uploaded file's name never reaches the view: Django's multipart parser drops it.)
    case("attach-title-nul", "POST", REVIEW + "/attachments", 400, "ningan", attachment(title=NUL)),
    case("attach-title-201-chars", "POST", REVIEW + "/attachments", 400, "ningan", attachment(title="题" * 201)),
    case("attach-type-exe", "POST", REVIEW + "/attachments", 400, "ningan", attachment("setup.exe")),
    case("attach-no-file", "POST", REVIEW + "/attachments", 400, "ningan", Multipart(fields=(("title", "批复"),))),
    case("attach-json-body", "POST", REVIEW + "/attachments", 415, "ningan", {"title": "批复"}),
    case("attach-anonymous", "POST", REVIEW + "/attachments", 401, None, attachment()),
    case("attach-other-county-officer", "POST", REVIEW + "/attachments", 404, "hailin", attachment()),
    case("attach-get", "GET", REVIEW + "/attachments", 405, "ningan"),
    case("notice-pdf-unpublished", "GET", REVIEW + "/notice.pdf", 404),
    case("notice-pdf-nul", "GET", REVIEW + "/notice.pdf?x=%00"),
    case("notice-unknown-format", "GET", REVIEW + "/notice.exe", 404),
    case("notice-pdf-post", "POST", REVIEW + "/notice.pdf", 405, "ningan", {}),
]

MAP_CASES = [
    case("map-unit-nul", "POST", JOBS, 400, "carto", changed(MAP, unit="231004\x00")),
    case("map-unit-surrogate", "POST", JOBS, 400, "carto", changed(MAP, unit="\ud800")),
    case("map-unit-number", "POST", JOBS, 400, "carto", changed(MAP, unit=231004)),
    case("map-unit-nan", "POST", JOBS, 400, "carto", changed(MAP, unit=NAN)),
    case("map-unit-village", "POST", JOBS, 400, "carto", changed(MAP, unit="231084100200")),
    case("map-paper-a9", "POST", JOBS, 400, "carto", changed(MAP, paper="A9")),
    case("map-format-exe", "POST", JOBS, 400, "carto", changed(MAP, format="exe")),
    case("map-at-9999-12-31", "POST", JOBS, 400, "carto", changed(MAP, at="9999-12-31")),
    case("map-at-0001-01-01", "POST", JOBS, 400, "carto", changed(MAP, at="0001-01-01")),
    case("map-at-2020-02-30", "POST", JOBS, 400, "carto", changed(MAP, at="2020-02-30")),
    case("map-unknown-field", "POST", JOBS, 400, "carto", changed(MAP, scale=5000)),
    *broken_json("map", "POST", JOBS, "carto", MAP, "paper"),
    case("map-anonymous", "POST", JOBS, 401, None, MAP),
    case("map-list-anonymous", "GET", JOBS, 401),
    case("map-put", "PUT", JOBS, 405, "carto", MAP),
    case("map-job-unknown", "GET", JOBS + "/999999999", 404, "carto"),
    case("map-job-20-digits", "GET", JOBS + "/99999999999999999999", 404, "carto"),
    case("map-cancel-unknown", "POST", JOBS + "/999999999/cancel", 404, "carto", {}),
    case("map-cancel-get", "GET", JOBS + "/999999999/cancel", 405, "carto"),
    case("map-file-unknown", "GET", JOBS + "/999999999/file", 404, "carto"),
    # a set of maps as one zip (GET /api/v1/map-jobs/files.zip?ids=1,2,3)
    case("map-zip-anonymous", "GET", JOBS + "/files.zip?ids=1", 401),
    case("map-zip-bad-token", "GET", JOBS + "/files.zip?ids=1", 401, "bad-token"),
    case("map-zip-ids-missing", "GET", JOBS + "/files.zip", 400, "carto", names="ids"),
    case("map-zip-ids-empty", "GET", JOBS + "/files.zip?ids=", 400, "carto", names="ids"),
    case("map-zip-ids-commas", "GET", JOBS + "/files.zip?ids=,,,", 400, "carto", names="ids"),
    case("map-zip-ids-letters", "GET", JOBS + "/files.zip?ids=abc", 400, "carto", names="ids"),
    case("map-zip-ids-nul", "GET", JOBS + "/files.zip?ids=1%00", 400, "carto", names="ids"),
    case("map-zip-ids-surrogate", "GET", JOBS + "/files.zip?ids=%ED%A0%80", 400, "carto", names="ids"),
    case("map-zip-ids-negative", "GET", JOBS + "/files.zip?ids=-1", 400, "carto", names="ids"),
    case("map-zip-ids-5000-digits", "GET", JOBS + "/files.zip?ids=" + "9" * 5000, 400, "carto", names="ids"),
    case("map-zip-ids-20-digits", "GET", JOBS + "/files.zip?ids=99999999999999999999", 400, "carto", names="ids"),
    case("map-zip-ids-51", "GET", JOBS + "/files.zip?ids=" + ",".join(map(str, range(1, 52))), 400, "carto"),
    case("map-zip-unknown", "GET", JOBS + "/files.zip?ids=999999999", 404, "carto"),
    case("map-zip-unknown-repeated", "GET", JOBS + "/files.zip?ids=999999998&ids=999999999", 404, "carto"),
    # an officer has no job of their own here: any number is another's or none, the same 404
    case("map-zip-another-users-job", "GET", JOBS + "/files.zip?ids=1,2,3", 404, "ningan"),
    case("map-zip-post", "POST", JOBS + "/files.zip?ids=1", 405, "carto", {}),
]

CHANGESETS = "/api/v1/changesets"


def edited(**overrides) -> dict:
    """The changeset with its one edit changed (``changes`` members merged into the edit's changes)."""
    changes = {**EDIT["changes"], **overrides.pop("changes", {})}
    return {**CHANGESET, "edits": [changed(EDIT, changes=changes, **overrides)]}


CHANGESET_CASES = [
    case("changeset-history-nul", "POST", CHANGESETS, 400, "ningan", edited(changes={"history": NUL}), names="history"),
    case("changeset-history-surrogate", "POST", CHANGESETS, 400, "ningan", edited(changes={"history": SURROGATE})),
    case("changeset-elevation-1e400", "POST", CHANGESETS, 400, "ningan", edited(changes={"elevation_m": HUGE_FLOAT})),
    case("changeset-unknown-field", "POST", CHANGESETS, 400, "ningan", edited(changes={"histroy": "x"})),
    case("changeset-name-change", "POST", CHANGESETS, 400, "ningan", edited(changes={"name": "莲花湾"}), names="name"),
    case(
        "changeset-geometry-not-lonlat",
        "POST",
        CHANGESETS,
        400,
        "ningan",
        edited(changes={"geometry": {"type": "Point", "coordinates": [510000, 4910000]}}),
        names="geometry",
    ),
    case("changeset-version-nan", "POST", CHANGESETS, 400, "ningan", edited(version=NAN)),
    case("changeset-version-string", "POST", CHANGESETS, 400, "ningan", edited(version="1"), names="version"),
    case("changeset-version-5000-digits", "POST", CHANGESETS, 400, "ningan", edited(version=LONG_INT)),
    case("changeset-version-stale", "POST", CHANGESETS, 409, "ningan", edited(version=99)),
    case("changeset-kind-unknown", "POST", CHANGESETS, 400, "ningan", edited(kind="road"), names="kind"),
    case("changeset-kind-a-list", "POST", CHANGESETS, 400, "ningan", edited(kind=["place"]), names="kind"),
    case("changeset-kind-an-object", "POST", CHANGESETS, 400, "ningan", edited(kind={"a": 1}), names="kind"),
    case("changeset-key-unknown", "POST", CHANGESETS, 404, "ningan", edited(key="0" * 20)),
    case("changeset-edit-unknown-member", "POST", CHANGESETS, 400, "ningan", edited(note="x")),
    case("changeset-edits-not-a-list", "POST", CHANGESETS, 400, "ningan", {**CHANGESET, "edits": EDIT}, names="edits"),
    case("changeset-edits-501", "POST", CHANGESETS, 400, "ningan", {**CHANGESET, "edits": [EDIT] * 501}, names="edits"),
    case("changeset-edited-twice", "POST", CHANGESETS, 400, "ningan", {**CHANGESET, "edits": [EDIT, EDIT]}),
    case(
        "changeset-reason-missing", "POST", CHANGESETS, 400, "ningan", changed(CHANGESET, reason=DROP), names="reason"
    ),
    case("changeset-reason-blank", "POST", CHANGESETS, 400, "ningan", changed(CHANGESET, reason="  "), names="reason"),
    *broken_json("changeset", "POST", CHANGESETS, "ningan", CHANGESET, "reason"),
    case("changeset-anonymous", "POST", CHANGESETS, 401, None, CHANGESET),
    case("changeset-bad-token", "POST", CHANGESETS, 401, "bad-token", CHANGESET),
    case("changeset-other-county-officer", "POST", CHANGESETS, 403, "hailin", CHANGESET),
    case("changeset-approver", "POST", CHANGESETS, 403, "approver", CHANGESET),
    case(
        "changeset-unit-by-officer",
        "POST",
        CHANGESETS,
        403,
        "ningan",
        {**CHANGESET, "edits": [{"kind": "unit", "key": NINGAN, "version": 1, "changes": {"name": "宁安"}}]},
    ),
    case("changeset-get", "GET", CHANGESETS, 405, "ningan"),
    case(
        "changeset-unit-geometry-a-point",
        "POST",
        CHANGESETS,
        400,
        "admin",
        {**CHANGESET, "edits": [{"kind": "unit", "key": NINGAN, "version": 1, "changes": {"geometry": POINT_NINGAN}}]},
        names="geometry",
    ),
    case(
        "changeset-unit-name-nul",
        "POST",
        CHANGESETS,
        400,
        "admin",
        {**CHANGESET, "edits": [{"kind": "unit", "key": NINGAN, "version": 1, "changes": {"name": NUL}}]},
        names="name",
    ),
]

MARKERS = "/api/v1/boundary-markers"
MARKER = "/api/v1/boundary-markers/{marker}"
MARKER_CREATE = {
    "line": "231083-231084",
    "kind": "Q",
    "geometry": MARKER_POINT,
    "reason": "联检补设界桩",
    "position_description": "位于公路西侧",
}
REFERENCES = [{"name": f"示例树{n}", "bearing_deg": 100.0 * n, "distance_m": 30} for n in (1, 2, 3)]
MARKER_UPDATE = {"version": MARKER_VERSION, "reason": "联检发现损坏", "status": "damaged"}
MARKER_ABOLISH = {"version": MARKER_VERSION, "reason": "界线调整", "abolished_on": "2026-06-01"}


def with_reference(**changes) -> dict:
    """MARKER_CREATE with three reference objects, the first one changed."""
    return changed(MARKER_CREATE, reference_objects=[changed(REFERENCES[0], **changes), *REFERENCES[1:]])


PROPOSALS = "/api/v1/topology/proposals"
PROPOSAL = {
    "edge": 1,
    "geometry": {"type": "LineString", "coordinates": [[129.4, 44.4], [129.5, 44.5]]},
    "version": 1,
    "reason": "x",
}
PROPOSAL_CASES = [
    case("proposal-anonymous", "POST", PROPOSALS, 401, None, PROPOSAL),
    case("proposal-edge-text", "POST", PROPOSALS, 400, "ningan", changed(PROPOSAL, edge="1")),
    case("proposal-edge-zero", "POST", PROPOSALS, 400, "ningan", changed(PROPOSAL, edge=0)),
    case("proposal-edge-unknown", "POST", PROPOSALS, 404, "ningan", changed(PROPOSAL, edge=2**31 - 1)),
    case(
        "proposal-geometry-crs",
        "POST",
        PROPOSALS,
        400,
        "ningan",
        changed(PROPOSAL, geometry={**PROPOSAL["geometry"], "crs": {}}),
    ),
    case("proposal-reason-empty", "POST", PROPOSALS, 400, "ningan", changed(PROPOSAL, reason="")),
    case("proposal-unknown-member", "POST", PROPOSALS, 400, "ningan", changed(PROPOSAL, applied=True)),
    case("proposal-list-anonymous", "GET", PROPOSALS, 401, None),
    case("proposal-unknown-number", "GET", PROPOSALS + "/BJ-2026-9999", 404, "ningan"),
    case(
        "proposal-approve-unknown",
        "POST",
        PROPOSALS + "/BJ-2026-9999/approve",
        404,
        "approver",
        {"party": "bureau", "version": 1},
    ),
    case(
        "proposal-approve-bad-party",
        "POST",
        PROPOSALS + "/BJ-2026-9999/approve",
        400,
        "approver",
        {"party": "mayor", "version": 1},
    ),
    case(
        "proposal-reject-no-note", "POST", PROPOSALS + "/BJ-2026-9999/reject", 400, "ningan", {"note": "", "version": 1}
    ),
    case("validation-anonymous", "GET", "/api/v1/topology/validation", 401, None),
    case("edges-line-too-long", "GET", "/api/v1/topology/edges?line=" + "9" * 41, 400, "ningan"),
]

MARKER_CASES = [
    case("marker-create-anonymous", "POST", MARKERS, 401, None, MARKER_CREATE),
    case("marker-create-bad-token", "POST", MARKERS, 401, "bad-token", MARKER_CREATE),
    case("marker-create-approver", "POST", MARKERS, 403, "approver", MARKER_CREATE),
    case("marker-create-cartographer", "POST", MARKERS, 403, "carto", MARKER_CREATE),
    # 绥芬河市—东宁市线: neither is 宁安市 (the rights are asked before where the marker stands)
    case(
        "marker-create-other-county-officer",
        "POST",
        MARKERS,
        403,
        "ningan",
        changed(MARKER_CREATE, line="231081-231086"),
    ),
    case("marker-create-kind-x", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, kind="X"), names="kind"),
    case("marker-create-kind-c-no-tri-point", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, kind="C")),
    case("marker-create-sequence-1000", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, sequence=1000)),
    case("marker-create-sequence-string", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, sequence="7")),
    case("marker-create-sequence-bool", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, sequence=True)),
    case("marker-create-line-unknown", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, line="x"), names="line"),
    case("marker-create-line-nul", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, line=NUL), names="line"),
    case(
        "marker-create-line-41-chars",
        "POST",
        MARKERS,
        400,
        "ningan",
        changed(MARKER_CREATE, line="2" * 41),
        names="line",
    ),
    case(
        "marker-create-geometry-linestring",
        "POST",
        MARKERS,
        400,
        "ningan",
        changed(MARKER_CREATE, geometry={"type": "LineString", "coordinates": [[129.4, 44.4], [129.5, 44.5]]}),
        names="geometry",
    ),
    case(
        "marker-create-lon-181",
        "POST",
        MARKERS,
        400,
        "ningan",
        changed(MARKER_CREATE, geometry={"type": "Point", "coordinates": [181, 44.34]}),
    ),
    case(
        "marker-create-off-line-without-reason",
        "POST",
        MARKERS,
        400,
        "ningan",
        changed(MARKER_CREATE, geometry=POINT_NINGAN),  # 13 km from the line
        names="off_line_reason",
    ),
    case("marker-create-elevation-nan", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, elevation_m=NAN)),
    case("marker-create-elevation-inf", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, elevation_m=INFINITY)),
    case(
        "marker-create-elevation-1e400", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, elevation_m=HUGE_FLOAT)
    ),
    case(
        "marker-create-elevation-5000-digits",
        "POST",
        MARKERS,
        400,
        "ningan",
        changed(MARKER_CREATE, elevation_m=LONG_INT),
    ),
    case("marker-create-elevation-bool", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, elevation_m=True)),
    case(
        "marker-create-description-surrogate",
        "POST",
        MARKERS,
        400,
        "ningan",
        changed(MARKER_CREATE, position_description=SURROGATE),
    ),
    case(
        "marker-create-description-nul",
        "POST",
        MARKERS,
        400,
        "ningan",
        changed(MARKER_CREATE, position_description=NUL),
    ),
    case("marker-create-reason-20001", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, reason="因" * 20_001)),
    case("marker-create-set-on-feb-30", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, set_on="2020-02-30")),
    case("marker-create-set-on-year-1", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, set_on="0001-01-01")),
    case("marker-create-ref-bearing-360", "POST", MARKERS, 400, "ningan", with_reference(bearing_deg=360)),
    case("marker-create-ref-bearing-nan", "POST", MARKERS, 400, "ningan", with_reference(bearing_deg=NAN)),
    case("marker-create-ref-bearing-bool", "POST", MARKERS, 400, "ningan", with_reference(bearing_deg=True)),
    case("marker-create-ref-distance-0", "POST", MARKERS, 400, "ningan", with_reference(distance_m=0)),
    case("marker-create-ref-name-201-chars", "POST", MARKERS, 400, "ningan", with_reference(name="树" * 201)),
    case("marker-create-ref-unknown-field", "POST", MARKERS, 400, "ningan", with_reference(colour="red")),
    case(
        "marker-create-refs-only-two",
        "POST",
        MARKERS,
        400,
        "ningan",
        changed(MARKER_CREATE, reference_objects=REFERENCES[:2]),
        names="reference_objects",
    ),
    case("marker-create-unknown-field", "POST", MARKERS, 400, "ningan", changed(MARKER_CREATE, colour="red")),
    *broken_json("marker-create", "POST", MARKERS, "ningan", MARKER_CREATE, "position_description"),
    case("marker-create-put", "PUT", MARKERS, 405, "ningan", MARKER_CREATE),
    case("marker-list-limit-0", "GET", f"{MARKERS}?limit=0", 400),
    case("marker-list-limit-501", "GET", f"{MARKERS}?limit=501", 400),
    case("marker-list-offset-negative", "GET", f"{MARKERS}?offset=-1", 400),
    case("marker-list-status-x", "GET", f"{MARKERS}?status=x", 400),
    case("marker-real-anonymous-404", "GET", MARKER, 404),
    case("marker-unknown-404", "GET", f"{MARKERS}/no-such-marker001Q", 404, "admin"),
    case("marker-update-anonymous", "PATCH", MARKER, 401, None, MARKER_UPDATE),
    case("marker-update-cartographer", "PATCH", MARKER, 403, "carto", MARKER_UPDATE),
    case("marker-update-version-stale", "PATCH", MARKER, 409, "ningan", changed(MARKER_UPDATE, version=99)),
    case("marker-update-version-0", "PATCH", MARKER, 400, "ningan", changed(MARKER_UPDATE, version=0)),
    case("marker-update-version-string", "PATCH", MARKER, 400, "ningan", changed(MARKER_UPDATE, version="1")),
    case("marker-update-version-missing", "PATCH", MARKER, 400, "ningan", changed(MARKER_UPDATE, version=DROP)),
    case(
        "marker-update-status-abolished",
        "PATCH",
        MARKER,
        400,
        "ningan",
        changed(MARKER_UPDATE, status="abolished"),
        names="status",
    ),
    case("marker-update-grade-null", "PATCH", MARKER, 400, "ningan", changed(MARKER_UPDATE, grade=None)),
    case(
        "marker-update-moved-off-line",
        "PATCH",
        MARKER,
        400,
        "ningan",
        changed(MARKER_UPDATE, status=DROP, geometry=POINT_NINGAN),
        names="off_line_reason",
    ),
    case("marker-update-unknown-field", "PATCH", MARKER, 400, "ningan", changed(MARKER_UPDATE, number="1")),
    *broken_json("marker-update", "PATCH", MARKER, "ningan", MARKER_UPDATE, "reason"),
    case("marker-update-unknown-404", "PATCH", f"{MARKERS}/no-such-marker001Q", 404, "ningan", MARKER_UPDATE),
    case("marker-update-delete", "DELETE", MARKER, 405, "ningan"),
    case("marker-abolish-anonymous", "POST", f"{MARKER}/abolish", 401, None, MARKER_ABOLISH),
    case("marker-abolish-approver", "POST", f"{MARKER}/abolish", 403, "approver", MARKER_ABOLISH),
    case(
        "marker-abolish-version-stale", "POST", f"{MARKER}/abolish", 409, "ningan", changed(MARKER_ABOLISH, version=99)
    ),
    case(
        "marker-abolish-feb-30",
        "POST",
        f"{MARKER}/abolish",
        400,
        "ningan",
        changed(MARKER_ABOLISH, abolished_on="2026-02-30"),
    ),
    case("marker-abolish-get", "GET", f"{MARKER}/abolish", 405, "ningan"),
    # the marker forms (boundaries.api_marker_forms): a real marker's form is the staff's, the table too
    case("marker-form-pdf-real-anonymous-404", "GET", f"{MARKER}/form.pdf", 404),
    case("marker-form-xlsx-real-anonymous-404", "GET", f"{MARKER}/form.xlsx", 404),
    case("marker-form-pdf-unknown-404", "GET", f"{MARKERS}/no-such-marker001Q/form.pdf", 404, "admin"),
    case("marker-form-xlsx-number-nul", "GET", f"{MARKERS}/x%00001Q/form.xlsx", 400, "admin"),
    case("marker-form-pdf-post", "POST", f"{MARKER}/form.pdf", 405, "ningan", {}),
    case("marker-table-xlsx-anonymous", "GET", "/api/v1/boundary-lines/231083-231084/markers.xlsx", 401),
    case("marker-table-xlsx-unknown-404", "GET", "/api/v1/boundary-lines/no-such-line/markers.xlsx", 404, "ningan"),
    case("marker-table-xlsx-41-chars", "GET", f"/api/v1/boundary-lines/{'9' * 41}/markers.xlsx", 400, "ningan"),
    case("marker-table-xlsx-delete", "DELETE", "/api/v1/boundary-lines/231083-231084/markers.xlsx", 405, "ningan"),
]

EVENTS = "/api/v1/marker-events"
MARKER_EVENT_CASES = [
    case("marker-event-list-anonymous", "GET", EVENTS, 401, None),
    case("marker-event-list-status-x", "GET", f"{EVENTS}?status=x", 400, "ningan"),
    case("marker-event-list-limit-0", "GET", f"{EVENTS}?limit=0", 400, "ningan"),
    case("marker-event-list-line-nul", "GET", f"{EVENTS}?line=%00", 400, "ningan"),
    case("marker-event-unknown", "GET", f"{EVENTS}/JZ-2026-9999", 404, "ningan"),
    case("marker-event-approve-anonymous", "POST", f"{EVENTS}/JZ-2026-9999/approve", 401, None, {"party": "bureau"}),
    case(
        "marker-event-approve-unknown",
        "POST",
        f"{EVENTS}/JZ-2026-9999/approve",
        404,
        "approver",
        {"party": "bureau", "version": 1},
    ),
    case(
        "marker-event-approve-bad-party",
        "POST",
        f"{EVENTS}/JZ-2026-9999/approve",
        400,
        "approver",
        {"party": "mayor", "version": 1},
        names="party",
    ),
    case(
        "marker-event-approve-version-string",
        "POST",
        f"{EVENTS}/JZ-2026-9999/approve",
        400,
        "approver",
        {"party": "bureau", "version": "1"},
    ),
    case(
        "marker-event-approve-unknown-field",
        "POST",
        f"{EVENTS}/JZ-2026-9999/approve",
        400,
        "approver",
        {"party": "bureau", "version": 1, "applied": True},
    ),
    case(
        "marker-event-reject-no-note",
        "POST",
        f"{EVENTS}/JZ-2026-9999/reject",
        400,
        "ningan",
        {"note": "", "version": 1},
    ),
    case("marker-event-reject-get", "GET", f"{EVENTS}/JZ-2026-9999/reject", 405, "ningan"),
]

DRAFTS = "/api/v1/division-drafts"
DRAFT_UNKNOWN = DRAFTS + "/QH-2026-9999"
DRAFT = {
    "kind": "transfer",
    "title": "海林农场并入海林镇",
    "reason": "x",
    "steps": [{"op": "fold", "unit": "231083500", "to": "231083100"}],
}
DRAFT_BASIS = {"authority": "黑龙江省人民政府", "document": "黑政函〔2026〕12号", "date": "2026-05-20", "version": 1}
DRAFT_CASES = [
    case("draft-create-anonymous", "POST", DRAFTS, 401, None, DRAFT),
    case("draft-create-unknown-field", "POST", DRAFTS, 400, "hailin", changed(DRAFT, applied=True)),
    case("draft-create-kind-bad", "POST", DRAFTS, 400, "hailin", changed(DRAFT, kind="annex")),
    case("draft-create-steps-empty", "POST", DRAFTS, 400, "hailin", changed(DRAFT, steps=[])),
    case("draft-create-step-op-bad", "POST", DRAFTS, 400, "hailin", changed(DRAFT, steps=[{"op": "annex"}])),
    case("draft-create-title-nul", "POST", DRAFTS, 400, "hailin", changed(DRAFT, title="x\u0000y")),
    case("draft-create-title-201-chars", "POST", DRAFTS, 400, "hailin", changed(DRAFT, title="名" * 201)),
    case("draft-create-effective-feb-30", "POST", DRAFTS, 400, "hailin", changed(DRAFT, effective_date="2026-02-30")),
    case(
        "draft-create-unit-unknown",
        "POST",
        DRAFTS,
        400,
        "hailin",
        changed(DRAFT, steps=[{"op": "transfer", "unit": "231083999999", "to": "231083100"}]),
    ),
    case(
        "draft-create-wrong-tier",
        "POST",
        DRAFTS,
        400,
        "hailin",
        changed(DRAFT, steps=[{"op": "transfer", "unit": "231083500402", "to": "231083"}]),
    ),
    case("draft-create-other-county", "POST", DRAFTS, 403, "ningan", DRAFT),
    case("draft-list-anonymous", "GET", DRAFTS, 401, None),
    case("draft-list-status-bad", "GET", DRAFTS + "?status=lost", 400, "hailin"),
    case("draft-unknown-number", "GET", DRAFT_UNKNOWN, 404, "hailin"),
    case("draft-preview-unknown", "GET", DRAFT_UNKNOWN + "/preview", 404, "hailin"),
    case("draft-patch-version-text", "PATCH", DRAFT_UNKNOWN, 400, "hailin", {"title": "x", "version": "1"}),
    case("draft-patch-unknown", "PATCH", DRAFT_UNKNOWN, 404, "hailin", {"title": "x", "version": 1}),
    case("draft-approve-unknown", "POST", DRAFT_UNKNOWN + "/approve", 404, "approver", DRAFT_BASIS),
    case(
        "draft-approve-9999-12-31",
        "POST",
        DRAFT_UNKNOWN + "/approve",
        400,
        "approver",
        changed(DRAFT_BASIS, date="9999-12-31"),
    ),
    case("draft-reject-no-note", "POST", DRAFT_UNKNOWN + "/reject", 400, "approver", {"note": "", "version": 1}),
    case("draft-delete", "DELETE", DRAFT_UNKNOWN, 405, "admin"),
]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def declared_png(width: int, height: int) -> bytes:
    """A PNG that declares width x height pixels of one bit and holds a few rows (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + width // 8) * 8)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def small_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 80, 40)).save(out, "JPEG")
    return out.getvalue()


PHOTOS = MARKER + "/photos"
JPEG_BYTES = small_jpeg()


def photo_form(content: bytes = JPEG_BYTES, filename: str = "界桩.jpg", **fields: str) -> Multipart:
    fields = {"reason": "联检拍照", **fields}
    return Multipart(
        fields=tuple((k, v) for k, v in fields.items() if v is not None),
        files=(Upload("file", filename, content, "image/jpeg"),),
    )


PHOTO_CASES = [
    case("photo-add-anonymous", "POST", PHOTOS, 401, None, photo_form()),
    case("photo-add-bad-token", "POST", PHOTOS, 401, "bad-token", photo_form()),
    case("photo-add-cartographer", "POST", PHOTOS, 403, "carto", photo_form()),
    case("photo-add-approver", "POST", PHOTOS, 403, "approver", photo_form()),
    case("photo-add-text-named-jpg", "POST", PHOTOS, 400, "ningan", photo_form(b"not a photo\n" * 50), names="file"),
    case("photo-add-gif", "POST", PHOTOS, 400, "ningan", photo_form(b"GIF89a" + b"\0" * 200), names="file"),
    case("photo-add-truncated-jpeg", "POST", PHOTOS, 400, "ningan", photo_form(JPEG_BYTES[:300]), names="file"),
    case(
        "photo-add-bomb-20000x20000",
        "POST",
        PHOTOS,
        400,
        "ningan",
        photo_form(declared_png(20_000, 20_000), "bomb.png"),
        names="decompression bomb",
    ),
    case("photo-add-empty-file", "POST", PHOTOS, 400, "ningan", photo_form(b""), names="file"),
    case(
        "photo-add-over-15mb", "POST", PHOTOS, 413, "ningan", photo_form(JPEG_BYTES + b"\0" * (15 * MB)), names="file"
    ),
    case("photo-add-no-file", "POST", PHOTOS, 400, "ningan", Multipart(fields=(("reason", "联检"),)), names="file"),
    case("photo-add-no-reason", "POST", PHOTOS, 400, "ningan", photo_form(reason=None), names="reason"),
    case("photo-add-reason-nul", "POST", PHOTOS, 400, "ningan", photo_form(reason=NUL)),
    case(
        "photo-add-caption-1000-chars", "POST", PHOTOS, 400, "ningan", photo_form(caption="说" * 1000), names="caption"
    ),
    case("photo-add-source-phone", "POST", PHOTOS, 400, "ningan", photo_form(source="phone"), names="source"),
    case("photo-add-json-body", "POST", PHOTOS, 415, "ningan", {"reason": "联检"}),
    case("photo-add-unknown-marker", "POST", MARKERS + "/no-such-marker001Q/photos", 404, "ningan", photo_form()),
    case("photo-add-put", "PUT", PHOTOS, 405, "ningan", photo_form()),
    case("photo-list-real-anonymous-404", "GET", PHOTOS, 404),
    case("photo-list-delete", "DELETE", PHOTOS, 405, "ningan"),
    case("photo-original-anonymous-404", "GET", PHOTOS + "/1", 404),
    case("photo-original-id-0", "GET", PHOTOS + "/0", 400, "admin", names="photo_id"),
    case("photo-original-id-text", "GET", PHOTOS + "/abc", 400, "admin", names="photo_id"),
    case("photo-original-id-5000-digits", "GET", PHOTOS + "/" + DIGITS_5000, 400, "admin", names="photo_id"),
    case("photo-original-unknown-404", "GET", PHOTOS + "/" + str(2**62), 404, "admin"),
    case("photo-public-real-404", "GET", PHOTOS + "/1/public", 404),
    case("photo-retire-anonymous", "POST", PHOTOS + "/1/retire", 401, None, {"reason": "重拍"}),
    case("photo-retire-cartographer", "POST", PHOTOS + "/1/retire", 403, "carto", {"reason": "重拍"}),
    case("photo-retire-unknown-404", "POST", PHOTOS + f"/{2**62}/retire", 404, "ningan", {"reason": "重拍"}),
    case("photo-retire-reason-empty", "POST", PHOTOS + "/1/retire", 400, "ningan", {"reason": ""}, names="reason"),
    case("photo-retire-unknown-field", "POST", PHOTOS + "/1/retire", 400, "ningan", {"reason": "x", "deleted": True}),
    *broken_json("photo-retire", "POST", PHOTOS + "/1/retire", "ningan", {"reason": "重拍"}, "reason"),
    case("photo-retire-get", "GET", PHOTOS + "/1/retire", 405, "ningan"),
]

INSPECTIONS = "/api/v1/inspections"
UNKNOWN_INSPECTION = INSPECTIONS + "/LJ-2026-9999"
INSPECTION_NEW = {"line": "231083-231084", "year": 2026, "reason": "例行联检"}
PLAN = {"start": "2026-06-01", "end": "2026-06-10", "teams": [], "version": 1, "reason": "方案"}
CHECK = {
    "client_id": "3f1d8c1e-7d2a-4a55-9a52-5b2f6d1e9c01",
    "marker": "231083-231084001Q",
    "found": "intact",
    "checked_on": "2026-06-02",
}
STRETCH = {
    "client_id": "3f1d8c1e-7d2a-4a55-9a52-5b2f6d1e9c02",
    "from_m": 0,
    "to_m": 100,
    "condition": "as_agreed",
    "checked_on": "2026-06-02",
}
INSPECTION_CASES = [
    case("inspection-list-anonymous", "GET", INSPECTIONS, 401, None),
    case("inspection-list-bad-token", "GET", INSPECTIONS, 401, "bad-token"),
    case("inspection-list-county-unknown", "GET", INSPECTIONS + "?county=999999", 400, "ningan", names="county"),
    case("inspection-list-year-text", "GET", INSPECTIONS + "?year=abc", 400, "ningan", names="year"),
    case("inspection-list-status-bad", "GET", INSPECTIONS + "?status=done", 400, "ningan", names="status"),
    case("inspection-due-no-year", "GET", INSPECTIONS + "/due", 400, "ningan", names="year"),
    case("inspection-summary-year-1000", "GET", INSPECTIONS + "/summary?year=1000", 400, "ningan", names="year"),
    case("inspection-summary-pdf-anonymous", "GET", INSPECTIONS + "/summary.pdf?year=2026", 401, None),
    case("inspection-unknown", "GET", UNKNOWN_INSPECTION, 404, "ningan"),
    case("inspection-number-too-long", "GET", INSPECTIONS + "/" + "L" * 40, 400, "ningan"),
    case("inspection-report-unknown", "GET", UNKNOWN_INSPECTION + "/report.pdf", 404, "ningan"),
    case("inspection-delete", "DELETE", UNKNOWN_INSPECTION, 405, "ningan"),
    case("inspection-raise-anonymous", "POST", INSPECTIONS, 401, None, INSPECTION_NEW),
    case(
        "inspection-raise-unknown-line",
        "POST",
        INSPECTIONS,
        400,
        "ningan",
        changed(INSPECTION_NEW, line="9-9"),
        names="line",
    ),
    case(
        "inspection-raise-year-text",
        "POST",
        INSPECTIONS,
        400,
        "ningan",
        changed(INSPECTION_NEW, year="2026"),
        names="year",
    ),
    case(
        "inspection-raise-year-3000",
        "POST",
        INSPECTIONS,
        400,
        "ningan",
        changed(INSPECTION_NEW, year=3000),
        names="year",
    ),
    case(
        "inspection-raise-occasion-bad",
        "POST",
        INSPECTIONS,
        400,
        "ningan",
        changed(INSPECTION_NEW, occasion="whim"),
        names="occasion",
    ),
    case(
        "inspection-raise-reason-empty",
        "POST",
        INSPECTIONS,
        400,
        "ningan",
        changed(INSPECTION_NEW, reason=""),
        names="reason",
    ),
    case(
        "inspection-raise-unknown-member", "POST", INSPECTIONS, 400, "ningan", changed(INSPECTION_NEW, status="closed")
    ),
    # 绥芬河市—东宁市线: 宁安市 is not a side of it
    case(
        "inspection-raise-other-county",
        "POST",
        INSPECTIONS,
        400,
        "ningan",
        changed(INSPECTION_NEW, line="231081-231086"),
        names="only the officers",
    ),
    case("inspection-raise-cartographer", "POST", INSPECTIONS, 400, "carto", INSPECTION_NEW, names="only the officers"),
    *broken_json("inspection-raise", "POST", INSPECTIONS, "ningan", INSPECTION_NEW, "reason"),
    case("inspection-plan-unknown", "POST", UNKNOWN_INSPECTION + "/plan", 404, "ningan", PLAN),
    case(
        "inspection-plan-day-bad",
        "POST",
        UNKNOWN_INSPECTION + "/plan",
        400,
        "ningan",
        changed(PLAN, start="2026-02-30"),
        names="start",
    ),
    case(
        "inspection-plan-teams-string",
        "POST",
        UNKNOWN_INSPECTION + "/plan",
        400,
        "ningan",
        changed(PLAN, teams="both"),
        names="teams",
    ),
    case(
        "inspection-review-empty",
        "POST",
        UNKNOWN_INSPECTION + "/office-review",
        400,
        "ningan",
        {"notes": "", "version": 1},
        names="notes",
    ),
    case("inspection-check-unknown", "POST", UNKNOWN_INSPECTION + "/marker-checks", 404, "ningan", CHECK),
    case("inspection-check-anonymous", "POST", UNKNOWN_INSPECTION + "/marker-checks", 401, None, CHECK),
    case(
        "inspection-check-client-id-short",
        "POST",
        UNKNOWN_INSPECTION + "/marker-checks",
        400,
        "ningan",
        changed(CHECK, client_id="abc"),
        names="client_id",
    ),
    case(
        "inspection-check-found-bad",
        "POST",
        UNKNOWN_INSPECTION + "/marker-checks",
        400,
        "ningan",
        changed(CHECK, found="gone"),
        names="found",
    ),
    case(
        "inspection-check-repainted-text",
        "POST",
        UNKNOWN_INSPECTION + "/marker-checks",
        400,
        "ningan",
        changed(CHECK, inscription_repainted="yes"),
        names="inscription_repainted",
    ),
    case(
        "inspection-check-measured-crs",
        "POST",
        UNKNOWN_INSPECTION + "/marker-checks",
        400,
        "ningan",
        changed(CHECK, measured={"type": "Point", "coordinates": [129.5, 44.5], "crs": {}}),
    ),
    *broken_json("inspection-check", "POST", UNKNOWN_INSPECTION + "/marker-checks", "ningan", CHECK, "client_id"),
    case(
        "inspection-stretch-float",
        "POST",
        UNKNOWN_INSPECTION + "/stretch-checks",
        400,
        "ningan",
        changed(STRETCH, from_m=1.5),
        names="from_m",
    ),
    case(
        "inspection-stretch-negative",
        "POST",
        UNKNOWN_INSPECTION + "/stretch-checks",
        400,
        "ningan",
        changed(STRETCH, to_m=-5),
        names="to_m",
    ),
    case(
        "inspection-sign-unknown",
        "POST",
        UNKNOWN_INSPECTION + "/sign",
        404,
        "ningan",
        {"side": "231084", "signed_by": "局长", "signed_on": "2026-06-20", "version": 1},
    ),
    case("inspection-task-unknown", "PATCH", "/api/v1/inspection-tasks/2147483647", 404, "ningan", {"version": 1}),
    case("inspection-task-id-0", "PATCH", "/api/v1/inspection-tasks/0", 400, "ningan", {"version": 1}, names="task_id"),
    case(
        "inspection-task-status-bad",
        "PATCH",
        "/api/v1/inspection-tasks/1",
        400,
        "ningan",
        {"status": "open", "version": 1},
        names="status",
    ),
]

# ---- the bureau's township file (POST /api/v1/units/{code}/townships/import) --------------------------

TOWNSHIPS = "/api/v1/units/231083/townships/import"


def township_zip(*, crs: str | None = "EPSG:4490", cpg: bool = True, square=(100.0, 10.0)) -> bytes:
    """A one-feature shapefile (CODE, NAME in GBK) zipped; without .prj when ``crs`` is None. Its square
    lies far from 海林市 unless moved: nothing in the suite may be written."""
    import tempfile
    from pathlib import Path

    import numpy as np
    import pyogrio.raw
    import shapely

    x, y = square
    polygon = shapely.MultiPolygon([shapely.box(x, y, x + 0.1, y + 0.1)])
    with tempfile.TemporaryDirectory() as folder:
        shp = Path(folder) / "乡镇.shp"
        fields = [np.array(["231083100"], dtype=object), np.array(["海林镇"], dtype=object)]
        wkb = np.array([shapely.to_wkb(polygon)], dtype=object)
        pyogrio.raw.write(
            shp, wkb, fields, ["CODE", "NAME"], driver="ESRI Shapefile", crs=crs or "EPSG:4490", encoding="GBK",
            geometry_type="MultiPolygon",
        )  # fmt: skip
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for part in sorted(Path(folder).iterdir()):
                if (part.suffix != ".prj" or crs) and (part.suffix != ".cpg" or cpg):
                    archive.write(part, part.name)
        return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_unpacking_to(size: int) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("乡镇.dbf", "w", force_zip64=True) as w,
    ):
        for _ in range(size // MB + 1):
            w.write(b"\0" * MB)
    return out.getvalue()


def township_form(content: bytes | None = None, filename: str = "乡镇.zip", **fields: str) -> Multipart:
    return Multipart(
        fields=tuple((k, v) for k, v in {"dry_run": "true", **fields}.items() if v is not None),
        files=(Upload("file", filename, township_zip() if content is None else content, "application/zip"),),
    )


GOOD_TOWNSHIPS = township_zip()
TOWNSHIP_CASES = [
    case("township-import-anonymous", "POST", TOWNSHIPS, 401, None, township_form(GOOD_TOWNSHIPS)),
    case("township-import-cartographer", "POST", TOWNSHIPS, 403, "carto", township_form(GOOD_TOWNSHIPS)),
    case("township-import-other-county", "POST", TOWNSHIPS, 403, "ningan", township_form(GOOD_TOWNSHIPS)),
    case("township-import-unknown-county", "POST", "/api/v1/units/999999/townships/import", 404, "admin"),
    case("township-import-code-5000-digits", "POST", f"/api/v1/units/{DIGITS_5000}/townships/import", 400, "admin"),
    case("township-import-json-body", "POST", TOWNSHIPS, 415, "hailin", {"dry_run": "true"}),
    case("township-import-no-file", "POST", TOWNSHIPS, 400, "hailin", Multipart(fields=(("dry_run", "true"),))),
    case("township-import-bad-zip", "POST", TOWNSHIPS, 400, "hailin", township_form(b"PK\x03\x04" + b"\x00" * 200)),
    case("township-import-text-named-zip", "POST", TOWNSHIPS, 400, "hailin", township_form(b"CODE,NAME\n" * 50)),
    case(
        "township-import-not-a-shapefile",
        "POST",
        TOWNSHIPS,
        400,
        "hailin",
        township_form(zip_of({"乡镇.shp": b"not a shapefile" * 20, "乡镇.shx": b"x" * 100, "乡镇.dbf": b"x" * 100})),
        names="shapefile",
    ),
    case("township-import-exe", "POST", TOWNSHIPS, 400, "hailin", township_form(b"MZ" + b"\0" * 300, "乡镇.exe")),
    case(
        "township-import-no-prj", "POST", TOWNSHIPS, 400, "hailin", township_form(township_zip(crs=None)), names="prj"
    ),
    case(
        "township-import-beijing-1954",
        "POST",
        TOWNSHIPS,
        400,
        "hailin",
        township_form(township_zip(crs="EPSG:4214")),
        names="CGCS2000",
    ),
    case(
        "township-import-gbk-names-no-cpg-rot13",
        "POST",
        TOWNSHIPS,
        400,
        "hailin",
        township_form(township_zip(cpg=False), encoding="rot13"),
        names="encoding",
    ),
    case(
        "township-import-gbk-names-far-away",
        "POST",
        TOWNSHIPS,
        400,
        "hailin",
        township_form(township_zip(cpg=False), dry_run="false", reason="入库"),
        names="coordinate system",
    ),
    case(
        "township-import-dry-run-maybe",
        "POST",
        TOWNSHIPS,
        400,
        "hailin",
        township_form(GOOD_TOWNSHIPS, dry_run="maybe"),
    ),
    case("township-import-reason-nul", "POST", TOWNSHIPS, 400, "hailin", township_form(GOOD_TOWNSHIPS, reason=NUL)),
    case(
        "township-import-code-field-1000-chars",
        "POST",
        TOWNSHIPS,
        400,
        "hailin",
        township_form(GOOD_TOWNSHIPS, code_field="说" * 1000),
        names="code_field",
    ),
    case(
        "township-import-commit-without-reason",
        "POST",
        TOWNSHIPS,
        400,
        "hailin",
        township_form(GOOD_TOWNSHIPS, dry_run="false"),
        names="reason",
    ),
    case(
        "township-import-unpacks-to-over-limit",
        "POST",
        TOWNSHIPS,
        413,
        "hailin",
        township_form(zip_unpacking_to(201 * MB)),
    ),
    case("township-import-get", "GET", TOWNSHIPS, 405, "hailin"),
]

EDGE_EDIT = {"kind": "edge", "key": "1", "version": 1, "changes": {"geometry": PROPOSAL["geometry"]}}
EDGE_EDIT_CASES = [
    case("changeset-edge-anonymous", "POST", "/api/v1/changesets", 401, None, {"reason": "x", "edits": [EDGE_EDIT]}),
    case(
        "changeset-edge-key-text",
        "POST",
        "/api/v1/changesets",
        404,
        "ningan",
        {"reason": "x", "edits": [changed(EDGE_EDIT, key="abc")]},
    ),
]

SIGNS = "/api/v1/signs"
UNKNOWN_SIGN = SIGNS + "/BZ-2026-999999"
SIGN_CREATE = {"kind": "village", "place": "no-such-place", "geometry": POINT_NINGAN, "reason": "hostile"}
SIGN_CAMPAIGNS = "/api/v1/sign-campaigns"
SIGN_CAMPAIGN_NEW = {"year": 2026, "title": "标志更新", "criteria": {"conditions": ["faded"]}, "reason": "hostile"}
SIGN_CASES = [
    case("sign-list-limit-0", "GET", SIGNS + "?limit=0", 400, None, names="limit"),
    case("sign-list-offset-negative", "GET", SIGNS + "?offset=-1", 400, None, names="offset"),
    case("sign-list-kind-bad", "GET", SIGNS + "?kind=billboard", 400, None, names="kind"),
    case("sign-list-county-unknown", "GET", SIGNS + "?county=999999", 400, None, names="county"),
    case("sign-list-condition-anonymous", "GET", SIGNS + "?condition=faded", 403, None),
    case("sign-list-place-nul", "GET", SIGNS + "?place=%00", 400, None),
    case("sign-unknown", "GET", UNKNOWN_SIGN, 404, None),
    case("sign-number-41-chars", "GET", SIGNS + "/" + "B" * 41, 400, None),
    case("sign-history-anonymous", "GET", UNKNOWN_SIGN + "/history", 401, None),
    case("sign-delete", "DELETE", UNKNOWN_SIGN, 405, "ningan"),
    case("sign-put", "PUT", SIGNS, 405, "ningan", SIGN_CREATE),
    case("sign-create-anonymous", "POST", SIGNS, 401, None, SIGN_CREATE),
    case("sign-create-bad-token", "POST", SIGNS, 401, "bad-token", SIGN_CREATE),
    case("sign-create-place-unknown", "POST", SIGNS, 400, "ningan", SIGN_CREATE, names="place"),
    case("sign-create-place-nul", "POST", SIGNS, 400, "ningan", changed(SIGN_CREATE, place=NUL), names="place"),
    case("sign-create-kind-bad", "POST", SIGNS, 400, "ningan", changed(SIGN_CREATE, kind="x"), names="kind"),
    case("sign-create-text-unknown-field", "POST", SIGNS, 400, "ningan", changed(SIGN_CREATE, text="泰平路")),
    case("sign-create-facing-nan", "POST", SIGNS, 400, "ningan", b'{"kind": "village", "facing_deg": NaN}'),
    case("sign-create-facing-360", "POST", SIGNS, 400, "ningan", changed(SIGN_CREATE, facing_deg=360)),
    case("sign-create-width-bool", "POST", SIGNS, 400, "ningan", changed(SIGN_CREATE, width_mm=True)),
    case("sign-create-width-1e400", "POST", SIGNS, 400, "ningan", b'{"kind": "village", "width_mm": 1e400}'),
    case("sign-create-installed-feb-30", "POST", SIGNS, 400, "ningan", changed(SIGN_CREATE, installed_on="2020-02-30")),
    case("sign-create-maker-201-chars", "POST", SIGNS, 400, "ningan", changed(SIGN_CREATE, maker="厂" * 201)),
    case("sign-create-maker-surrogate", "POST", SIGNS, 400, "ningan", changed(SIGN_CREATE, maker=SURROGATE)),
    case(
        "sign-create-geometry-linestring",
        "POST",
        SIGNS,
        400,
        "ningan",
        changed(SIGN_CREATE, geometry={"type": "LineString", "coordinates": [[129.47, 44.34], [129.48, 44.35]]}),
    ),
    case("sign-create-json-array", "POST", SIGNS, 400, "ningan", [SIGN_CREATE]),
    case("sign-create-empty-body", "POST", SIGNS, 400, "ningan", b""),
    case("sign-create-content-type-text", "POST", SIGNS, 415, "ningan", SIGN_CREATE, content_type="text/plain"),
    case("sign-update-unknown", "PATCH", UNKNOWN_SIGN, 404, "ningan", {"version": 1, "reason": "x"}),
    case("sign-update-version-0", "PATCH", UNKNOWN_SIGN, 400, "ningan", {"version": 0, "reason": "x"}),
    case(
        "sign-remove-on-9999-12-31",
        "POST",
        UNKNOWN_SIGN + "/remove",
        400,
        "ningan",
        {"on": "9999-12-31", "version": 1, "reason": "x"},
    ),
    case("sign-remake-anonymous", "POST", UNKNOWN_SIGN + "/remake", 401, None, {"version": 1, "reason": "x"}),
    case("sign-campaign-list-anonymous", "GET", SIGN_CAMPAIGNS, 401, None),
    case("sign-campaign-list-cartographer", "GET", SIGN_CAMPAIGNS + "/HX-2026-9999", 404, "carto"),
    case("sign-campaign-open-approver", "POST", SIGN_CAMPAIGNS, 403, "approver", SIGN_CAMPAIGN_NEW),
    case("sign-campaign-open-nothing-due", "POST", SIGN_CAMPAIGNS, 400, "ningan", SIGN_CAMPAIGN_NEW, names="criteria"),
    case("sign-campaign-open-year-1000", "POST", SIGN_CAMPAIGNS, 400, "ningan", changed(SIGN_CAMPAIGN_NEW, year=1000)),
    case(
        "sign-campaign-open-unit-unknown",
        "POST",
        SIGN_CAMPAIGNS,
        400,
        "ningan",
        changed(SIGN_CAMPAIGN_NEW, criteria={"unit": "999999"}),
        names="unit",
    ),
    case(
        "sign-campaign-open-unknown-field",
        "POST",
        SIGN_CAMPAIGNS,
        400,
        "ningan",
        changed(SIGN_CAMPAIGN_NEW, criteria={"colour": "red"}),
    ),
    case(
        "sign-campaign-orders-unknown",
        "POST",
        SIGN_CAMPAIGNS + "/HX-2026-9999/orders",
        404,
        "ningan",
        {"on": "2026-01-01", "maker": "甲厂", "version": 1, "reason": "x"},
    ),
    case("sign-order-csv-anonymous", "GET", "/api/v1/sign-orders/DD-2026-9999/list.csv", 401, None),
    case("sign-order-unknown", "GET", "/api/v1/sign-orders/DD-2026-9999", 404, "ningan"),
    case(
        "sign-renewal-unknown",
        "PATCH",
        "/api/v1/sign-renewals/999999",
        404,
        "ningan",
        {"step": "made", "on": "2026-01-01", "version": 1},
    ),
    case(
        "sign-renewal-step-ordered",
        "PATCH",
        "/api/v1/sign-renewals/1",
        400,
        "ningan",
        {"step": "ordered", "on": "2026-01-01", "version": 1},
        names="step",
    ),
    case("sign-dashboard-year-text", "GET", "/api/v1/sign-dashboard?year=abc", 400, "ningan", names="year"),
    case("sign-dashboard-anonymous", "GET", "/api/v1/sign-dashboard", 401, None),
]

ROADS = "/api/v1/roads"
NO_ROAD = ROADS + "/23108400008100999999"
ENTRANCES = {"entrances": [{"geometry": POINT_NINGAN}], "reason": "门牌编制"}
RULE = {"odd_side": "right", "reason": "本路单号在南侧", "version": 1}
ADDRESS_CASES = [
    case("roads-limit-text", "GET", ROADS + "?limit=abc", 400, None, names="limit"),
    case("roads-limit-huge", "GET", ROADS + "?limit=100000", 400, None, names="limit"),
    case("roads-class-bad", "GET", ROADS + "?road_class=motorway", 400, None, names="road_class"),
    case("road-unknown", "GET", NO_ROAD, 404, None),
    case("road-code-5000-digits", "GET", ROADS + "/" + DIGITS_5000, 400, None),
    case("road-delete", "DELETE", NO_ROAD, 405, "ningan"),
    case("road-rule-anonymous", "PATCH", NO_ROAD, 401, None, RULE),
    case("road-rule-unknown", "PATCH", NO_ROAD, 404, "ningan", RULE),
    case("road-rule-side-bad", "PATCH", NO_ROAD, 400, "ningan", changed(RULE, odd_side="north"), names="odd_side"),
    case("road-rule-interval-zero", "PATCH", NO_ROAD, 400, "ningan", changed(RULE, interval_m=0), names="interval_m"),
    case("road-rule-reserved-string", "PATCH", NO_ROAD, 400, "ningan", changed(RULE, reserved="1-9"), names="reserved"),
    case(
        "road-rule-reserved-float",
        "PATCH",
        NO_ROAD,
        400,
        "ningan",
        changed(RULE, reserved=[{"from": 1.5, "to": 9}]),
        names="reserved",
    ),
    case("road-rule-version-text", "PATCH", NO_ROAD, 400, "ningan", changed(RULE, version="1"), names="version"),
    *broken_json("road-rule", "PATCH", NO_ROAD, "ningan", RULE, "reason"),
    case("number-anonymous", "POST", NO_ROAD + "/house-numbers", 401, None, ENTRANCES),
    case("number-unknown-road", "POST", NO_ROAD + "/house-numbers", 404, "ningan", ENTRANCES),
    case("number-no-entrances", "POST", NO_ROAD + "/house-numbers", 400, "ningan", changed(ENTRANCES, entrances=[])),
    case(
        "number-501-entrances",
        "POST",
        NO_ROAD + "/house-numbers",
        400,
        "ningan",
        changed(ENTRANCES, entrances=[{"geometry": POINT_NINGAN}] * 501),
        names="entrances",
    ),
    case(
        "number-entrance-not-geojson",
        "POST",
        NO_ROAD + "/house-numbers",
        400,
        "ningan",
        changed(ENTRANCES, entrances=[{"geometry": {"type": "Point", "coordinates": [999, 999]}}]),
    ),
    case(
        "number-status-in-use",
        "POST",
        NO_ROAD + "/house-numbers",
        400,
        "ningan",
        changed(ENTRANCES, status="in_use"),
        names="status",
    ),
    case(
        "number-owner-nul",
        "POST",
        NO_ROAD + "/house-numbers",
        400,
        "ningan",
        changed(ENTRANCES, entrances=[{"geometry": POINT_NINGAN, "owner": NUL}]),
    ),
    *broken_json("number", "POST", NO_ROAD + "/house-numbers", "ningan", ENTRANCES, "reason"),
    case(
        "issue-number-zero",
        "POST",
        NO_ROAD + "/house-numbers/issue",
        400,
        "ningan",
        {"geometry": POINT_NINGAN, "number": 0, "reason": "x"},
        names="number",
    ),
    case(
        "issue-number-text",
        "POST",
        NO_ROAD + "/house-numbers/issue",
        400,
        "ningan",
        {"geometry": POINT_NINGAN, "number": "12", "reason": "x"},
        names="number",
    ),
    case("house-number-zero", "GET", "/api/v1/house-numbers/0", 400, None),
    case("house-number-huge", "GET", "/api/v1/house-numbers/" + DIGITS_5000, 400, None),
    case("house-number-unknown", "GET", "/api/v1/house-numbers/2147483647", 404, None),
    case(
        "house-number-patch-anonymous",
        "PATCH",
        "/api/v1/house-numbers/2147483647",
        401,
        None,
        {"room_no": "301", "reason": "x", "version": 1},
    ),
    case(
        "house-number-patch-status-retired",
        "PATCH",
        "/api/v1/house-numbers/2147483647",
        400,
        "ningan",
        {"status": "retired", "reason": "x", "version": 1},
        names="status",
    ),
    case(
        "house-number-retire-no-reason",
        "POST",
        "/api/v1/house-numbers/2147483647/retire",
        400,
        "ningan",
        {"reason": "", "version": 1},
        names="reason",
    ),
    case("renumbering-anonymous", "GET", "/api/v1/renumberings/MZ-2026-9999", 401, None),
    case("renumbering-unknown", "GET", "/api/v1/renumberings/MZ-2026-9999", 404, "ningan"),
    case("renumbering-propose-unknown-road", "POST", NO_ROAD + "/renumbering", 404, "ningan", {"reason": "整顿"}),
    case("renumbering-propose-no-reason", "POST", NO_ROAD + "/renumbering", 400, "ningan", {"reason": ""}),
    case(
        "renumbering-approve-version-text",
        "POST",
        "/api/v1/renumberings/MZ-2026-9999/approve",
        400,
        "ningan",
        {"version": "1"},
        names="version",
    ),
]

NUMBERING_REQUESTS = "/api/v1/numbering-requests"
UNKNOWN_REQUEST = NUMBERING_REQUESTS + "/MQ-2026-9999"
REQUEST_NEW = {
    "road": "23108400008100999999",
    "geometry": POINT_NINGAN,
    "applicant": "宁安置业有限公司",
    "applicant_kind": "developer",
    "documents": [{"kind": "不动产权证", "number": "黑(2026)宁安市不动产权第0001号"}],
    "reason": "申请门牌",
}
SITE_CHECK = {
    "conditions": {"lawful_building": True, "ground_floor_finished": True, "entrance_fixed": True},
    "notes": "现场核查",
    "version": 1,
}
NUMBERING_REQUEST_CASES = [
    case("numbering-request-list-anonymous", "GET", NUMBERING_REQUESTS, 401, None),
    case("numbering-request-list-bad-token", "GET", NUMBERING_REQUESTS, 401, "bad-token"),
    case(
        "numbering-request-list-status-bad", "GET", NUMBERING_REQUESTS + "?status=done", 400, "ningan", names="status"
    ),
    case(
        "numbering-request-list-county-unknown",
        "GET",
        NUMBERING_REQUESTS + "?county=999999",
        400,
        "ningan",
        names="county",
    ),
    case("numbering-request-unknown", "GET", UNKNOWN_REQUEST, 404, "ningan"),
    case("numbering-request-anonymous", "GET", UNKNOWN_REQUEST, 401, None),
    case("numbering-request-number-5000-digits", "GET", NUMBERING_REQUESTS + "/" + DIGITS_5000, 400, "ningan"),
    case("numbering-request-certificate-unknown", "GET", UNKNOWN_REQUEST + "/certificate.pdf", 404, "ningan"),
    case("numbering-request-certificate-anonymous", "GET", UNKNOWN_REQUEST + "/certificate.pdf", 401, None),
    case("numbering-request-delete", "DELETE", UNKNOWN_REQUEST, 405, "ningan"),
    case("numbering-request-submit-anonymous", "POST", NUMBERING_REQUESTS, 401, None, REQUEST_NEW),
    case("numbering-request-submit-unknown-road", "POST", NUMBERING_REQUESTS, 400, "ningan", REQUEST_NEW, names="road"),
    case(
        "numbering-request-submit-kind-bad",
        "POST",
        NUMBERING_REQUESTS,
        400,
        "ningan",
        changed(REQUEST_NEW, applicant_kind="tenant"),
        names="applicant_kind",
    ),
    case(
        "numbering-request-submit-reason-empty",
        "POST",
        NUMBERING_REQUESTS,
        400,
        "ningan",
        changed(REQUEST_NEW, reason=""),
        names="reason",
    ),
    case(
        "numbering-request-submit-applicant-nul",
        "POST",
        NUMBERING_REQUESTS,
        400,
        "ningan",
        changed(REQUEST_NEW, applicant=NUL),
        names="applicant",
    ),
    case(
        "numbering-request-submit-contact-201-chars",
        "POST",
        NUMBERING_REQUESTS,
        400,
        "ningan",
        changed(REQUEST_NEW, applicant_contact="1" * 201),
        names="applicant_contact",
    ),
    case(
        "numbering-request-submit-documents-string",
        "POST",
        NUMBERING_REQUESTS,
        400,
        "ningan",
        changed(REQUEST_NEW, documents="不动产权证"),
        names="documents",
    ),
    case(
        "numbering-request-submit-unknown-field",
        "POST",
        NUMBERING_REQUESTS,
        400,
        "ningan",
        changed(REQUEST_NEW, status="certified"),
    ),
    case(
        "numbering-request-submit-line",
        "POST",
        NUMBERING_REQUESTS,
        400,
        "ningan",
        changed(REQUEST_NEW, geometry={"type": "Point", "coordinates": [129.47, 44.34], "crs": {}}),
    ),
    *broken_json("numbering-request-submit", "POST", NUMBERING_REQUESTS, "ningan", REQUEST_NEW, "reason"),
    case("numbering-request-check-unknown", "POST", UNKNOWN_REQUEST + "/check", 404, "ningan", SITE_CHECK),
    case("numbering-request-check-anonymous", "POST", UNKNOWN_REQUEST + "/check", 401, None, SITE_CHECK),
    case(
        "numbering-request-check-condition-bool",
        "POST",
        UNKNOWN_REQUEST + "/check",
        400,
        "ningan",
        changed(SITE_CHECK, conditions={**SITE_CHECK["conditions"], "entrance_fixed": "yes"}),
        names="entrance_fixed",
    ),
    case(
        "numbering-request-check-notes-empty",
        "POST",
        UNKNOWN_REQUEST + "/check",
        400,
        "ningan",
        changed(SITE_CHECK, notes=""),
        names="notes",
    ),
    case(
        "numbering-request-check-version-text",
        "POST",
        UNKNOWN_REQUEST + "/check",
        400,
        "ningan",
        changed(SITE_CHECK, version="1"),
        names="version",
    ),
    case(
        "numbering-request-number-version-0",
        "POST",
        UNKNOWN_REQUEST + "/number",
        400,
        "ningan",
        {"version": 0},
        names="version",
    ),
    case("numbering-request-certify-unknown", "POST", UNKNOWN_REQUEST + "/certify", 404, "ningan", {"version": 1}),
    case(
        "numbering-request-reject-reason-empty",
        "POST",
        UNKNOWN_REQUEST + "/reject",
        400,
        "ningan",
        {"version": 1, "reason": ""},
        names="reason",
    ),
    case("numbering-request-withdraw-get", "GET", UNKNOWN_REQUEST + "/withdraw", 405, "ningan"),
]

SIGN_SURVEYS = UNKNOWN_SIGN + "/surveys"
SIGN_SURVEY = {"client_id": "3f1d8c1e-7d2a-4a55-9a52-5b2f6d1e9c03", "condition": "faded", "surveyed_on": "2026-01-05"}
SIGN_SURVEY_CASES = [
    case("sign-survey-anonymous", "POST", SIGN_SURVEYS, 401, None, SIGN_SURVEY),
    case("sign-survey-bad-token", "POST", SIGN_SURVEYS, 401, "bad-token", SIGN_SURVEY),
    case("sign-survey-unknown-sign", "POST", SIGN_SURVEYS, 404, "ningan", SIGN_SURVEY),
    case(
        "sign-survey-condition-bad",
        "POST",
        SIGN_SURVEYS,
        400,
        "ningan",
        changed(SIGN_SURVEY, condition="x"),
        names="condition",
    ),
    case(
        "sign-survey-client-id-short",
        "POST",
        SIGN_SURVEYS,
        400,
        "ningan",
        changed(SIGN_SURVEY, client_id="1"),
        names="client_id",
    ),
    case("sign-survey-day-feb-30", "POST", SIGN_SURVEYS, 400, "ningan", changed(SIGN_SURVEY, surveyed_on="2026-02-30")),
    case("sign-survey-notes-surrogate", "POST", SIGN_SURVEYS, 400, "ningan", changed(SIGN_SURVEY, notes=SURROGATE)),
    case("sign-survey-unknown-field", "POST", SIGN_SURVEYS, 400, "ningan", changed(SIGN_SURVEY, sign="BZ-1")),
    case(
        "sign-survey-position-nan",
        "POST",
        SIGN_SURVEYS,
        400,
        "ningan",
        b'{"position": {"type": "Point", "coordinates": [NaN, 1]}}',
    ),
    case("sign-survey-list-anonymous", "GET", SIGN_SURVEYS, 401, None),
    case("sign-survey-list-unknown", "GET", SIGN_SURVEYS, 404, "carto"),
    case("sign-survey-delete", "DELETE", SIGN_SURVEYS, 405, "ningan"),
    case("sign-survey-photo-anonymous", "POST", SIGN_SURVEYS + "/" + SIGN_SURVEY["client_id"] + "/photos", 401, None),
    *broken_json("sign-survey", "POST", SIGN_SURVEYS, "ningan", SIGN_SURVEY, "notes"),
]

SIGN_PHOTOS = UNKNOWN_SIGN + "/photos"
SIGN_PHOTO_CASES = [
    case("sign-photo-add-anonymous", "POST", SIGN_PHOTOS, 401, None, photo_form()),
    case("sign-photo-add-bad-token", "POST", SIGN_PHOTOS, 401, "bad-token", photo_form()),
    case("sign-photo-add-unknown-sign", "POST", SIGN_PHOTOS, 404, "ningan", photo_form()),
    case("sign-photo-add-put", "PUT", SIGN_PHOTOS, 405, "ningan", photo_form()),
    case("sign-photo-list-unknown", "GET", SIGN_PHOTOS, 404),
    case("sign-photo-list-delete", "DELETE", SIGN_PHOTOS, 405, "ningan"),
    case("sign-photo-original-anonymous-404", "GET", SIGN_PHOTOS + "/1", 404),
    case("sign-photo-original-id-0", "GET", SIGN_PHOTOS + "/0", 400, "admin", names="photo_id"),
    case("sign-photo-original-id-5000-digits", "GET", SIGN_PHOTOS + "/" + DIGITS_5000, 400, "admin", names="photo_id"),
    case("sign-photo-public-unknown-404", "GET", SIGN_PHOTOS + "/1/public", 404),
    case("sign-photo-retire-anonymous", "POST", SIGN_PHOTOS + "/1/retire", 401, None, {"reason": "重拍"}),
    case(
        "sign-photo-retire-unknown-field", "POST", SIGN_PHOTOS + "/1/retire", 400, "ningan", {"reason": "x", "gone": 1}
    ),
    case("sign-photo-retire-reason-empty", "POST", SIGN_PHOTOS + "/1/retire", 400, "ningan", {"reason": ""}),
]

ALL_CASES = [
    *CREATE_CASES,
    *UPDATE_CASES,
    *NAME_CASES,
    *RETIRE_CASES,
    *REGISTER_CASES,
    *READ_CASES,
    *IMPORT_CASES,
    *SUBMIT_CASES,
    *BATCH_CASES,
    *STEP_CASES,
    *MAP_CASES,
    *CHANGESET_CASES,
    *MARKER_CASES,
    *PROPOSAL_CASES,
    *DRAFT_CASES,
    *MARKER_EVENT_CASES,
    *PHOTO_CASES,
    *INSPECTION_CASES,
    *EDGE_EDIT_CASES,
    *TOWNSHIP_CASES,
    *SIGN_CASES,
    *NUMBERING_REQUEST_CASES,
    *ADDRESS_CASES,
    *SIGN_SURVEY_CASES,
    *SIGN_PHOTO_CASES,
]


# ---- running a case -------------------------------------------------------------------------------


@pytest.mark.parametrize("c", ALL_CASES)
def test_hostile_input_is_refused_cleanly(world, c: Case):
    """One row of the table: the status and error it names, nothing written, /healthz 200 after."""
    path, body, headers = request_for(c, world)
    before = row_counts(world.blocker)
    reply = send(world.port, c.method, path, body=body, headers=headers)
    written = count_changes(before, row_counts(world.blocker))
    health = healthy(world.port)

    problems = status_problems(c, reply, world)
    if written:
        problems.append(f"rows written: {written}")
    if health.status != 200:
        problems.append(f"/healthz afterwards: {health.describe()}")
    assert not problems, f"{c.method} {c.path}: " + "; ".join(problems)


def test_the_table_covers_every_class_on_several_endpoints():
    """The classes of hostile input the brief names, each on at least three endpoints (by id)."""
    ids = [p.values[0].id for p in ALL_CASES]
    endpoints = {}
    for p in ALL_CASES:
        endpoints.setdefault(p.values[0].id, p.values[0].path.split("?")[0])
    classes = {
        "nul": "-nul",
        "surrogate": "surrogate",
        "too long": ("-201-chars", "-301", "-101", "-20001", "300-bytes", "1000-chars"),
        "refused names": ("-lt", "-colon", "-slash", "-zwj", "-rtl"),
        "nan/inf/1e400": ("-nan", "-infinity", "-inf", "-1e400"),
        "deep nesting": "nested-100000",
        "5000 digits": "5000-digits",
        "malformed json": ("malformed-json", "not-utf8"),
        "not an object": ("json-array", "json-string", "json-null", "json-true"),
        "content type": ("content-type-", "json-body"),
        "empty body": "empty-body",
        "paging": ("limit-", "offset-"),
        "dates": ("9999-12-31", "0001-01-01", "feb-30", "2020-02-30", "year-1", "year-9999"),
        "end before start": ("before-from", "before-records-start", "days-negative", "in-the-past", "before-decision"),
        "versions": ("version-",),
        "unknown fields": "unknown-field",
        "booleans as strings": ("-bool", "is-public-string", "dry-run-maybe"),
        "wrong methods": ("-put", "-delete", "-get", "-post", "-patch"),
        "anonymous": "anonymous",
        "other county": ("other-county", "another-county"),
        "too large": "over-20mb",
    }
    thin = {}
    for name, markers in classes.items():
        markers = (markers,) if isinstance(markers, str) else markers
        paths = {endpoints[i] for i in ids if any(m in i for m in markers)}
        if len(paths) < 3:
            thin[name] = sorted(paths)
    assert not thin, thin
    assert len(ids) == len(set(ids)) and len(ids) >= 80


# ---- rate limit ------------------------------------------------------------------------------------
# The session's server has its limits lifted (tests/live_server.py), so the limits are tried on a
# server of their own (hostile_helpers.limited_server: api 5, tiles 5, files 2 a minute).

LIMITED = [
    pytest.param("/api/v1/romanize?name=%E7%A9%86%E6%A3%B1%E5%B8%82", 5, id="api"),
    pytest.param("/tiles/tiles.json", 5, id="tiles"),
    pytest.param("/api/v1/places/export?format=no-such-format", 2, id="files"),
]


@pytest.mark.parametrize(("path", "limit"), LIMITED)
def test_an_anonymous_client_over_its_limit_gets_a_json_429(world, limited_server, path, limit):
    """Past its limit an anonymous client gets a JSON 429 with Retry-After, whatever it claims in
    X-Forwarded-For; nothing is written, other clients and token clients are not held back. The
    limit counts per minute, so 2 x limit + 2 requests cross it even when a minute turns midway."""
    client = random_loopback()
    before = row_counts(world.blocker)
    replies = [
        send(limited_server.port, "GET", path, source=client, headers={"X-Forwarded-For": random_loopback()})
        for _ in range(2 * limit + 2)
    ]
    statuses = [r.status for r in replies]
    assert 429 in statuses, statuses
    refused = replies[statuses.index(429)]
    assert refused.content_type.startswith(JSON), refused.describe()
    error = refused.json()["error"]
    assert error["status"] == 429 and error["message"].strip(), refused.describe()
    assert int(refused.headers.get("retry-after", "-1")) >= 0, refused.headers
    assert all(s < 500 for s in statuses), statuses
    assert count_changes(before, row_counts(world.blocker)) == {}
    assert send(limited_server.port, "GET", path).status != 429  # another client
    with_token = send(limited_server.port, "GET", path, source=client, headers=world.headers("carto"))
    assert with_token.status != 429, with_token.describe()
    assert healthy(limited_server.port).status == 200
