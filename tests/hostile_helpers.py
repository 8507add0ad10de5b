"""Black-box helpers for the hostile-input and schema suites: raw HTTP to the live server, committed
throwaway accounts and records, row counts of the written tables, and the clean-up afterwards.

Everything here talks to the server over HTTP (http.client), as any client would, so the suites
survive a rewrite of the API layer. The database is touched only to set up accounts (which have no
API), to count rows before and after a request, and to remove what the suites made.

Each request leaves from an address of its own in 127.0.0.0/8 (the whole block is loopback on
Linux), so that the anonymous rate limit, which counts per client address, never mixes the requests
of one case with those of another test or of an earlier run in the same minute.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

NINGAN, HAILIN, DONGNING = "231084", "231083", "231086"
POINT_NINGAN = {"type": "Point", "coordinates": [129.47, 44.34]}
FIXTURE_REASON = "hostile-input suite: throwaway record"

# Tables an API request may write to. A refused request must leave every one as it was.
# (Caches and counters are left out: tiles_cachedtile, core_rate_counter, core_serial, sessions.)
WRITTEN_TABLES = (
    "gazetteer_place",
    "gazetteer_placename",
    "gazetteer_placeversion",
    "gazetteer_searchentry",
    "gazetteer_namingapplication",
    "gazetteer_applicationevent",
    "gazetteer_expertopinion",
    "gazetteer_noticecomment",
    "gazetteer_applicationattachment",
    "core_changeset",
    "core_job",
    "core_importrun",
    "boundaries_adminunit",
    "boundaries_adminunitversion",
    "boundaries_importconflict",
    "boundaries_boundarymarker",
    "boundaries_boundarymarkerversion",
    "boundaries_referenceobject",
    "boundaries_divisiondraft",
    "boundaries_markerevent",
    "boundaries_markereventapproval",
    "boundaries_markerphoto",
    "boundaries_inspectioncampaign",
    "boundaries_markercheck",
    "boundaries_stretchcheck",
    "boundaries_inspectiontask",
    "boundaries_inspectionsignature",
    "boundaries_replacementcampaign",
    "boundaries_replacementitem",
    "boundaries_proposalgroup",
    "gazetteer_sign",
    "gazetteer_signversion",
    "gazetteer_signphoto",
    "gazetteer_renewalcampaign",
    "gazetteer_productionorder",
    "gazetteer_renewalitem",
    "gazetteer_numberingrequest",
    "gazetteer_road",
    "gazetteer_roadversion",
    "gazetteer_housenumber",
    "gazetteer_housenumberversion",
    "gazetteer_renumberingproposal",
    "gazetteer_signsurvey",
    "gazetteer_numberingrequestversion",
)
MARKER_LINE = "231083-231084"  # 海林市—宁安市线: the throwaway marker's line


# ---- HTTP ----------------------------------------------------------------------------------------


def random_loopback() -> str:
    """A client address of its own: 127.x.y.z, never 127.0.0.1 (the other tests' address)."""
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def describe(self, limit: int = 400) -> str:
        text = self.body[:limit].decode("utf-8", errors="replace")
        return f"{self.status} {self.content_type or '(no content type)'}: {text!r}"


def send(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    source: str | None = None,
    timeout: float = 120.0,
) -> Reply:
    """One request to 127.0.0.1:port; the body is sent in chunks, and a server that answers before it
    has read the whole body (413) is still heard."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source or random_loopback(), 0)
    )
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        sent = {k.lower(): v for k, v in (headers or {}).items()}
        if body is not None and "content-length" not in sent:
            sent["content-length"] = str(len(body))
        for name, value in sent.items():
            conn.putheader(name, value)
        conn.endheaders()
        if body:
            try:
                view = memoryview(body)
                for start in range(0, len(body), 1 << 20):
                    conn.send(view[start : start + (1 << 20)])
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered early and closed; its answer is read below
        try:
            response = conn.getresponse()
            data = response.read()
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as exc:
            return Reply(0, {}, f"connection dropped without an answer: {exc!r}".encode())
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    except TimeoutError:
        return Reply(0, {}, f"no answer within {timeout:.0f} s".encode())
    finally:
        conn.close()


def healthy(port: int) -> Reply:
    return send(port, "GET", "/healthz", timeout=15)


# ---- bodies --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """JSON text put into a body as it is (NaN, 1e400, a 5,000-digit number, deep nesting)."""

    text: str

    def __repr__(self) -> str:
        return f"Raw({self.text[:20]}{'…' if len(self.text) > 20 else ''})"


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()  # in an override: leave the member out


def changed(base: dict, **changes) -> dict:
    """``base`` with some members changed (or dropped with DROP): a request one step from a valid one."""
    out = dict(base)
    for key, value in changes.items():
        if value is DROP:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def encode_json(value) -> bytes:
    """JSON with ASCII escapes (so lone surrogates travel as \\ud800), Raw pieces spliced in."""
    raws: list[str] = []

    def walk(item):
        if isinstance(item, Raw):
            raws.append(item.text)
            return f"@@RAW{len(raws) - 1}@@"
        if isinstance(item, dict):
            return {key: walk(v) for key, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    text = json.dumps(walk(value), ensure_ascii=True)
    for number, raw in enumerate(raws):
        text = text.replace(f'"@@RAW{number}@@"', raw, 1)
    return text.encode("ascii")


@dataclass(frozen=True)
class Upload:
    field: str
    filename: bytes | str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Multipart:
    fields: tuple[tuple[str, str | bytes], ...] = ()
    files: tuple[Upload, ...] = ()

    def encode(self) -> tuple[bytes, str]:
        boundary = "hostile" + uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in self.fields:
            data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + data + b"\r\n"
            )
        for upload in self.files:
            filename = upload.filename if isinstance(upload.filename, bytes) else upload.filename.encode("utf-8")
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{upload.field}"; filename="'.encode()
                + filename
                + f'"\r\nContent-Type: {upload.content_type}\r\n\r\n'.encode()
            )
            parts.append(head + upload.content + b"\r\n")
        return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# ---- the database, seen from the test's own connection ------------------------------------------


def row_counts(blocker) -> dict[str, int]:
    with blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in WRITTEN_TABLES))
        return dict(cursor.fetchall())


def count_changes(before: dict[str, int], after: dict[str, int]) -> dict[str, str]:
    return {t: f"{before[t]} -> {after[t]}" for t in before if before[t] != after[t]}


# ---- accounts and throwaway records ---------------------------------------------------------------

ROLES = {
    # key: (role, counties)
    "ningan": ("place_name_officer", [NINGAN]),
    "hailin": ("place_name_officer", [HAILIN]),
    "approver": ("approver", []),
    "admin": ("administrator", []),
    "carto": ("cartographer", []),
}


@dataclass
class World:
    """The live server and what the suites act on: tokens by account key, a throwaway place record
    of 宁安市 (code, created with valid_from 2020-01-01), two naming applications of it (one in expert
    review with an opinion, ready for its notice; one with its notice closed, ready for a decision), a
    record of 东宁市 from the base data, and a database blocker for counting rows."""

    port: int
    blocker: object
    server: object = None
    tokens: dict[str, str] = field(default_factory=dict)
    users: list = field(default_factory=list)
    place: str = ""
    dongning_place: str = ""
    review_app: str = ""
    closed_app: str = ""
    marker: str = ""

    def traceback(self, error_id: str, lines: int = 12) -> str:
        """The last lines of the server log's traceback for an error id (the exception itself)."""
        if self.server is None or not error_id:
            return ""
        log = self.server.output().splitlines()
        starts = [n for n, line in enumerate(log) if error_id in line]
        if not starts:
            return ""
        block = []
        for line in log[starts[-1] + 1 :]:
            if line.startswith(("[", "127.")) and block:
                break
            block.append(line)
        return "\n".join(block[-lines:])

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[who]}"} if who else {}

    def call(self, method: str, path: str, who: str | None = None, *, json_body=None, **kwargs) -> Reply:
        headers = {**self.headers(who), **kwargs.pop("headers", {})}
        body = kwargs.pop("body", None)
        if json_body is not None:
            body, headers["Content-Type"] = encode_json(json_body), "application/json"
        return send(self.port, method, path, body=body, headers=headers, **kwargs)

    def place_version(self) -> int:
        from gazetteer.models import Place

        with self.blocker.unblock():
            return Place.objects.get(code=self.place).version

    def marker_version(self) -> int:
        from boundaries.models import BoundaryMarker

        with self.blocker.unblock():
            return BoundaryMarker.objects.get(number=self.marker).version

    def application_version(self, number: str) -> int:
        from gazetteer.models import NamingApplication

        with self.blocker.unblock():
            return NamingApplication.objects.get(number=number).version


def _make_accounts(world: World) -> None:
    from accounts.services import create_officer

    tag = secrets.token_hex(3)
    with world.blocker.unblock(), transaction.atomic():
        for key, (role, counties) in ROLES.items():
            user, token = create_officer(f"hostile_{key}_{tag}", role=role, counties=counties, with_token=True)
            world.tokens[key], world.users = token, [*world.users, user]


def _expect(world: World, reply: Reply, status: int, what: str) -> dict:
    if reply.status != status:
        error_id = ""
        if reply.content_type.startswith("application/json"):
            error_id = str((reply.json().get("error") or {}).get("id", ""))
        pytest.fail(
            f"setting up the hostile suite: {what} answered {reply.describe(1000)}\n{world.traceback(error_id, 40)}"
        )
    return reply.json()


def _make_records(world: World) -> None:
    created = world.call(
        "POST",
        "/api/v1/places",
        "ningan",
        json_body={
            "name": "试验屯",
            "category": "07200",
            "geometry": POINT_NINGAN,
            "reason": FIXTURE_REASON,
            "valid_from": "2020-01-01",
        },
    )
    world.place = _expect(world, created, 201, "creating the throwaway record")["properties"]["code"]
    world.review_app = _application(world, "试验新屯")
    for step, data in (("review", {"note": "送专家论证"}), ("opinions", {"expert": "王教授", "verdict": "agree"})):
        _expect(
            world,
            world.call("POST", f"/api/v1/naming-applications/{world.review_app}/{step}", "ningan", json_body=data),
            200,
            f"step {step}",
        )
    world.closed_app = _application(world, "试验旧屯")
    _close_notice(world)
    world.marker = _marker(world)
    from gazetteer.models import Place

    with world.blocker.unblock():
        world.dongning_place = (
            Place.objects.filter(admin_unit__parent__code=DONGNING).order_by("code").values_list("code", flat=True)[0]
        )


def marker_point(blocker) -> list[float]:
    """[lon, lat] of the middle of the throwaway marker's line (on it)."""
    from boundaries.models import BoundaryLine
    from core.geometry import from_geos
    from core.metric import to_lonlat, to_metric

    with blocker.unblock():
        metric = to_metric(from_geos(BoundaryLine.objects.get(code=MARKER_LINE).geom))
    point = to_lonlat(metric.interpolate(metric.length / 2))
    return [point.x, point.y]


def _marker(world: World) -> str:
    body = {
        "line": MARKER_LINE,
        "kind": "Q",
        "geometry": {"type": "Point", "coordinates": marker_point(world.blocker)},
        "reason": FIXTURE_REASON,
    }
    reply = world.call("POST", "/api/v1/boundary-markers", "ningan", json_body=body)
    event = _expect(world, reply, 202, "proposing the throwaway marker")
    for need in event["awaiting"]:  # 海林市's officer and the approver (宁安市 approved by proposing)
        who = "hailin" if need["party"] == "county" else "approver"
        given = {"party": need["party"], "version": event["version"]} | ({"unit": need["unit"]} if need["unit"] else {})
        reply = world.call("POST", f"/api/v1/marker-events/{event['number']}/approve", who, json_body=given)
        event = _expect(world, reply, 200, f"approving the throwaway marker for {need}")
    return event["marker"]


def _application(world: World, proposed_name: str) -> str:
    reply = world.call(
        "POST",
        "/api/v1/naming-applications",
        "ningan",
        json_body={
            "kind": "rename",
            "place": world.place,
            "county": NINGAN,
            "proposed_name": proposed_name,
            "reason": FIXTURE_REASON,
            "applicant": "宁安市人民政府",
        },
    )
    return _expect(world, reply, 201, f"submitting the throwaway application {proposed_name}")["number"]


def _close_notice(world: World) -> None:
    """A notice cannot start in the past through the API, so one that ran is written directly."""
    import datetime as dt

    from django.db.models import F

    from gazetteer.models import NamingApplication

    today = dt.date.today()
    with world.blocker.unblock():
        NamingApplication.objects.filter(number=world.closed_app).update(
            status=NamingApplication.Status.NOTICE_CLOSED,
            notice_start=today - dt.timedelta(days=40),
            notice_end=today - dt.timedelta(days=11),
            version=F("version") + 1,
        )


def _serials(blocker) -> dict[str, int] | None:
    with blocker.unblock(), connection.cursor() as cursor:
        if "core_serial" not in connection.introspection.table_names(cursor):
            return None
        cursor.execute("SELECT scope, last FROM core_serial")
        return dict(cursor.fetchall())


def _restore_serials(blocker, saved: dict[str, int] | None) -> None:
    if saved is None:
        return
    with blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT scope FROM core_serial")
        for (scope,) in cursor.fetchall():
            if scope not in saved:
                cursor.execute("DELETE FROM core_serial WHERE scope = %s", [scope])
            else:
                cursor.execute("UPDATE core_serial SET last = %s WHERE scope = %s", [saved[scope], scope])


def purge(blocker, users: list) -> None:
    """Remove every row the suites' accounts made (records, names, versions, changesets, applications,
    jobs, files) and the accounts, so that the rest of the session sees the base data as it was."""
    from django.db.models import Q

    from core.models import Changeset, ImportRun, Job
    from gazetteer.models import (
        ApplicationAttachment,
        ApplicationEvent,
        ExpertOpinion,
        NamingApplication,
        NoticeComment,
        Place,
        PlaceName,
        PlaceVersion,
    )

    ids = [user.pk for user in users]
    _stop_jobs(blocker, ids)
    _purge_inspections(blocker, ids)
    _purge_markers(blocker, ids)
    _purge_numbering_requests(blocker, ids)
    _purge_signs(blocker, ids)
    _purge_addresses(blocker, ids)
    with blocker.unblock(), transaction.atomic():
        applications = list(NamingApplication.objects.filter(submitted_by__in=ids).values_list("pk", "place_id"))
        app_ids = [pk for pk, _ in applications]
        changesets = list(Changeset.objects.filter(author__in=ids).values_list("pk", flat=True))
        places = set(Place.objects.filter(registered_by__in=ids).values_list("pk", flat=True))
        for attachment in ApplicationAttachment.objects.filter(Q(application__in=app_ids) | Q(uploaded_by__in=ids)):
            attachment.file.delete(save=False)
            attachment.delete()
        ExpertOpinion.objects.filter(Q(application__in=app_ids) | Q(recorded_by__in=ids)).delete()
        NoticeComment.objects.filter(Q(application__in=app_ids) | Q(recorded_by__in=ids)).delete()
        ApplicationEvent.objects.filter(Q(application__in=app_ids) | Q(actor__in=ids)).delete()
        NamingApplication.objects.filter(pk__in=app_ids, batch__isnull=False).delete()  # a batch's members first
        NamingApplication.objects.filter(pk__in=app_ids).delete()
        PlaceVersion.objects.filter(Q(place__in=places) | Q(changeset__in=changesets)).delete()
        PlaceName.objects.filter(place__in=places).delete()
        ImportRun.objects.filter(changeset__in=changesets).delete()
        Place.objects.filter(pk__in=places).delete()
        Changeset.objects.filter(pk__in=changesets).delete()
        for job in Job.objects.filter(requested_by__in=ids):
            _remove_job_file(job)
            job.delete()
        for user in users:
            user.delete()


def _purge_inspections(blocker, ids: list[int]) -> None:
    """Inspections and replacement campaigns the suites' accounts raised, with everything under them."""
    from boundaries.models import (
        InspectionCampaign,
        InspectionCampaignVersion,
        InspectionSignature,
        InspectionTask,
        MarkerCheck,
        ReplacementCampaign,
        ReplacementItem,
        StretchCheck,
    )

    with blocker.unblock(), transaction.atomic():
        campaigns = InspectionCampaign.objects.filter(created_by__in=ids)
        InspectionTask.objects.filter(campaign__in=campaigns).delete()
        for check in MarkerCheck.objects.filter(campaign__in=campaigns):
            check.photos.clear()
            check.delete()
        StretchCheck.objects.filter(campaign__in=campaigns).delete()
        InspectionSignature.objects.filter(campaign__in=campaigns).delete()
        InspectionCampaignVersion.objects.filter(campaign__in=campaigns).delete()
        campaigns.delete()
        replacements = ReplacementCampaign.objects.filter(created_by__in=ids)
        ReplacementItem.objects.filter(campaign__in=replacements).delete()
        replacements.delete()


def _purge_signs(blocker, ids: list[int]) -> None:
    """Signs the suites' accounts registered or changed, their campaigns, orders, photos and versions."""
    from gazetteer.models import (
        ProductionOrder,
        RenewalCampaign,
        RenewalItem,
        Sign,
        SignPhoto,
        SignSurvey,
        SignVersion,
    )

    with blocker.unblock(), transaction.atomic():
        campaigns = RenewalCampaign.objects.filter(created_by__in=ids)
        RenewalItem.objects.filter(campaign__in=campaigns).delete()
        ProductionOrder.objects.filter(campaign__in=campaigns).delete()
        campaigns.delete()
        touched = SignVersion.objects.filter(changeset__author__in=ids).values_list("sign_id", flat=True)
        signs = list(Sign.objects.filter(pk__in=touched).values_list("pk", flat=True))
        for photo in SignPhoto.objects.filter(sign__in=signs) | SignPhoto.objects.filter(uploaded_by__in=ids):
            photo.file.delete(save=False)
            photo.public_file.delete(save=False)
            photo.delete()
        RenewalItem.objects.filter(sign__in=signs).delete()
        SignSurvey.objects.filter(sign__in=signs).delete()
        SignSurvey.objects.filter(surveyor__in=ids).delete()
        SignVersion.objects.filter(sign__in=signs).delete()
        Sign.objects.filter(pk__in=signs).delete()


def _purge_addresses(blocker, ids: list[int]) -> None:
    """Renumberings the suites' accounts proposed, the numbers they gave, the road records of the places
    they made (a road place gets one at once) and their versions of road rules."""
    from gazetteer.models import HouseNumber, HouseNumberVersion, Place, RenumberingProposal, Road, RoadVersion

    with blocker.unblock(), transaction.atomic():
        roads = Road.objects.filter(place__in=Place.objects.filter(registered_by__in=ids))
        RenumberingProposal.objects.filter(proposed_by__in=ids).delete()
        RenumberingProposal.objects.filter(road__in=roads).delete()
        touched = HouseNumberVersion.objects.filter(changeset__author__in=ids).values_list("house_number_id", flat=True)
        numbers = HouseNumber.objects.filter(pk__in=touched) | HouseNumber.objects.filter(road__in=roads)
        number_ids = list(numbers.values_list("pk", flat=True))
        HouseNumberVersion.objects.filter(house_number__in=number_ids).delete()
        HouseNumber.objects.filter(pk__in=number_ids).delete()
        RoadVersion.objects.filter(changeset__author__in=ids).delete()
        RoadVersion.objects.filter(road__in=roads).delete()
        roads.delete()


def _purge_numbering_requests(blocker, ids: list[int]) -> None:
    """Numbering requests the suites' accounts received, with their versions and the numbers they were given."""
    from gazetteer.models import HouseNumber, HouseNumberVersion, NumberingRequest, NumberingRequestVersion

    with blocker.unblock(), transaction.atomic():
        requests = NumberingRequest.objects.filter(submitted_by__in=ids)
        numbers = list(requests.exclude(house_number=None).values_list("house_number_id", flat=True))
        NumberingRequestVersion.objects.filter(request__in=requests).delete()
        requests.delete()
        HouseNumberVersion.objects.filter(house_number__in=numbers).delete()
        HouseNumber.objects.filter(pk__in=numbers).delete()


def _purge_markers(blocker, ids: list[int]) -> None:
    """The markers the suites' accounts registered or changed, with their versions and reference objects."""
    from boundaries.models import (
        BoundaryMarker,
        BoundaryMarkerVersion,
        MarkerEvent,
        MarkerEventApproval,
        ReferenceObject,
    )

    with blocker.unblock(), transaction.atomic():
        events = MarkerEvent.objects.filter(proposed_by__in=ids)
        MarkerEventApproval.objects.filter(event__in=events).delete()
        for event in events:
            event.counties.clear()
        events.delete()
        touched = BoundaryMarkerVersion.objects.filter(changeset__author__in=ids).values_list("marker_id", flat=True)
        markers = list(BoundaryMarker.objects.filter(pk__in=touched).values_list("pk", flat=True))
        _purge_marker_photos(markers, ids)
        ReferenceObject.objects.filter(marker__in=markers).delete()
        BoundaryMarkerVersion.objects.filter(marker__in=markers).delete()
        BoundaryMarker.objects.filter(pk__in=markers).delete()


def _purge_marker_photos(markers: list[int], ids: list[int]) -> None:
    """Photos of those markers, or uploaded by the suites' accounts, with their files."""
    from boundaries.models import MarkerPhoto

    for photo in MarkerPhoto.objects.filter(marker__in=markers) | MarkerPhoto.objects.filter(uploaded_by__in=ids):
        photo.file.delete(save=False)
        photo.public_file.delete(save=False)
        photo.delete()


def _remove_job_file(job) -> None:
    """The file a job made, and its folder if nothing else is in it (the test server writes into a media
    folder of its own, tests/live_server.py; this also covers a file under the configured MEDIA_ROOT)."""
    made = (job.result or {}).get("file")
    if not made:
        return
    path = Path(settings.MEDIA_ROOT) / made
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only when empty


def _stop_jobs(blocker, ids: list[int], wait_seconds: float = 120.0) -> None:
    """Print maps the suites queued by mistake: cancel the queued ones, let a running one end (the
    server's worker is shared by the session), so that their rows and files can go."""
    from core.models import Job

    with blocker.unblock():
        jobs = Job.objects.filter(requested_by__in=ids)
        jobs.filter(status=Job.Status.QUEUED).update(status=Job.Status.CANCELLED, message="cancelled by the test")
        deadline = time.monotonic() + wait_seconds
        while jobs.filter(status=Job.Status.RUNNING).exists() and time.monotonic() < deadline:
            time.sleep(0.5)


@pytest.fixture(scope="module", name="world")
def world_fixture(server, django_db_blocker):
    """Committed accounts and throwaway records the live server can see (the ``accounts`` fixture's
    rows live in the test's own transaction, which the server's connections cannot see); all removed
    afterwards."""
    test_database = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if connection.settings_dict["NAME"] != test_database:
        pytest.fail(
            f"the tests are connected to {connection.settings_dict['NAME']!r}, not the test database "
            f"{test_database!r}: mark the module django_db, or pytest-django creates no test database"
        )
    made = World(port=server.port, blocker=django_db_blocker, server=server)
    saved_serials = _serials(django_db_blocker)
    try:
        _make_accounts(made)
        _make_records(made)
        yield made
    finally:
        purge(django_db_blocker, made.users)
        _restore_serials(django_db_blocker, saved_serials)


# ---- cases of the hostile table: what to send, and what is wrong with an answer ---------------------

JSON = "application/json"


class Ref:
    """A value known only once the throwaway objects exist (a code, a current version)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


PLACE, PLACE_VERSION = Ref("PLACE"), Ref("PLACE_VERSION")
MARKER_VERSION, MARKER_POINT = Ref("MARKER_VERSION"), Ref("MARKER_POINT")
REVIEW_VERSION, CLOSED_VERSION = Ref("REVIEW_VERSION"), Ref("CLOSED_VERSION")


NO_BODY = object()


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    status: int
    who: str | None = None  # an account of hostile_helpers.ROLES, or None: anonymous
    body: object = NO_BODY  # dict/list/str/int: JSON; bytes: as is; Multipart: a form
    content_type: str | None = None  # default: JSON for JSON bodies, the form's for a Multipart
    names: str | None = None  # a word the error must name (its field/parameter, or in the message)


def resolve(value, world):
    if isinstance(value, Ref):
        return {
            "PLACE": lambda: world.place,
            "PLACE_VERSION": world.place_version,
            "REVIEW_VERSION": lambda: world.application_version(world.review_app),
            "CLOSED_VERSION": lambda: world.application_version(world.closed_app),
            "MARKER_VERSION": world.marker_version,
            "MARKER_POINT": lambda: {"type": "Point", "coordinates": marker_point(world.blocker)},
        }[value.name]()
    if isinstance(value, str) and value == "{dongning}":
        return world.dongning_place
    if isinstance(value, dict):
        return {key: resolve(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, world) for item in value]
    return value


def request_for(c: Case, world) -> tuple[str, bytes | None, dict[str, str]]:
    path = c.path.format(place=world.place, review=world.review_app, closed=world.closed_app, marker=world.marker)
    headers = {}
    if c.who == "bad-token":
        headers["Authorization"] = "Token not-a-real-token"
    elif c.who:
        headers |= world.headers(c.who)
    body = None
    if isinstance(c.body, Multipart):
        body, headers["Content-Type"] = c.body.encode()
    elif isinstance(c.body, bytes):
        body = c.body
        headers["Content-Type"] = JSON
    elif c.body is not NO_BODY:
        body = encode_json(resolve(c.body, world))
        headers["Content-Type"] = JSON
    if c.content_type is not None:
        headers["Content-Type"] = c.content_type
    return path, body, headers


def error_problems(c: Case, reply: Reply) -> list[str]:
    """What is wrong with an error answer's form: JSON, the shared shape, the status inside."""
    if not reply.content_type.startswith(JSON):
        return [f"not JSON: {reply.describe()}"]
    try:
        error = reply.json()["error"]
    except (ValueError, KeyError, TypeError):
        return [f"not the shared error shape: {reply.describe()}"]
    problems = []
    if not isinstance(error, dict) or error.get("status") != reply.status:
        problems.append(f"error.status is not {reply.status}: {reply.describe()}")
    elif not isinstance(error.get("message"), str) or not error["message"].strip():
        problems.append(f"no error.message: {reply.describe()}")
    elif c.names:
        named = {str(error.get(k)) for k in ("field", "parameter")} | {error["message"]}
        report = error.get("report") if isinstance(error.get("report"), dict) else {}
        for problem in report.get("errors") or []:  # an import's refusal names the problem in its report
            named |= {str(problem.get("field")), str(problem.get("message"))}
        if not any(c.names in text for text in named):
            problems.append(f"the error does not name {c.names!r}: {reply.describe()}")
    if reply.status == 405 and not reply.headers.get("allow"):
        problems.append("a 405 without an Allow header")
    return problems


def status_problems(c: Case, reply: Reply, world) -> list[str]:
    """What is wrong with the answer itself: a 500 (with the server's traceback), another status, the
    error's form, or an error body on a success."""
    if reply.status >= 500 or reply.status == 0:
        error_id = ""
        if reply.content_type.startswith(JSON):
            error_id = str((reply.json().get("error") or {}).get("id", ""))
        return [f"server error (id {error_id or 'none'}): {reply.describe()}\n{world.traceback(error_id)}"]
    problems = [] if reply.status == c.status else [f"expected {c.status}, got {reply.describe()}"]
    if c.status >= 400 and 400 <= reply.status < 500:
        problems += error_problems(c, reply)
    elif reply.status == c.status and reply.content_type.startswith(JSON):
        answer = reply.json()
        if isinstance(answer, dict) and "error" in answer:
            problems.append(f"a success with an error body: {reply.describe()}")
    return problems


# ---- a server of its own with low anonymous limits ---------------------------------------------------

LOW_LIMITS = {
    "MDJ_RATE_LIMIT_PER_MINUTE": "5",
    "MDJ_TILE_RATE_LIMIT_PER_MINUTE": "5",
    "MDJ_BULK_RATE_LIMIT_PER_MINUTE": "2",
    "MDJ_PAGE_RATE_LIMIT_PER_MINUTE": "5",
}


@pytest.fixture(scope="module", name="limited_server")
def limited_server_fixture(server, tmp_path_factory):
    """scripts/serve.sh once more, on the same test database, with low anonymous limits, one worker
    process and no job worker; stopped (its own process group) afterwards."""
    from tests.live_server import PROJECT_DIR, STARTUP_TIMEOUT, Server, _free_port

    var_dir = tmp_path_factory.mktemp("limited")
    for name in ("secret_key", "local.env"):
        shutil.copy(server.var_dir / name, var_dir / name)
    port = _free_port()
    env = {**server.env, **LOW_LIMITS, "MDJ_VAR_DIR": str(var_dir), "PORT": str(port)}
    env.update(WEB_WORKERS="1", MDJ_WORKER="0")
    log = var_dir / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(PROJECT_DIR / "scripts" / "serve.sh")],
            cwd=PROJECT_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    limited = Server(port, var_dir, env, process, log)
    try:
        deadline = time.monotonic() + 3 * STARTUP_TIMEOUT
        while healthy_or_none(port) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the rate-limited server did not start:\n{limited.output()}")
            time.sleep(0.3)
        yield limited
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def healthy_or_none(port: int) -> int | None:
    try:
        return send(port, "GET", "/healthz", timeout=2).status
    except OSError:
        return None
