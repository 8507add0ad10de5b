"""The public record page /places/<code> (server-rendered, readable without JavaScript) and the
portal's language switch, through Django's test client on the real base data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

from accounts.models import Role
from accounts.services import create_officer
from core.history import open_changeset
from core.models import Changeset
from core.srid import STORAGE_SRID
from gazetteer.models import Category, Place, PlaceName
from gazetteer.services import places as place_service
from web import i18n

pytestmark = pytest.mark.django_db

TOWN = "23108410104300000001"  # 东京城镇, 宁安市
COUNTY = "23108600004200000001"  # 东宁市, former name 东宁县
GEONAMES_SETTLEMENT = "23108300007000000001"  # 石河, from GeoNames (CC BY 4.0)
EVIL_NAME = "<img src=x onerror=window.__pwned=1>"
EVIL_TEXT = "<script>window.__pwned=2</script>"


def _changeset(reason: str = "portal page test") -> Changeset:
    return open_changeset(Changeset.Kind.EDIT, reason, label="tests.test_portal_pages")


def _new_place(name: str, **fields) -> Place:
    """A settlement near 东京城镇, made through the place service (rolled back after the test)."""
    return place_service.create_place(
        changeset=_changeset(),
        name=name,
        category=Category.objects.get(code="07200"),
        geom=Point(129.3, 44.0, srid=STORAGE_SRID),
        **fields,
    )


def _text(html: str) -> str:
    """The visible text of the main part of a page, tags dropped and spaces squeezed."""
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<script\b.*?</script>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_record_page_shows_the_record_as_the_api_gives_it(client):
    response = client.get(f"/places/{TOWN}")
    assert response.status_code == 200
    html = response.content.decode()
    props = client.get(f"/api/v1/places/{TOWN}").json()["properties"]
    text = _text(html)
    for value in (props["name"], props["romanization"], props["romanization_tones"], props["cite_as"], TOWN):
        assert value in text
    assert "Dongjingcheng Zhen" in text and "Dōngjīngchéng Zhèn" in text
    assert "乡级行政区" in text  # the category
    for unit in props["unit_path"]:  # each unit of the path is a link
        assert f'<a href="/divisions#{unit["code"]}">{unit["name"]}</a>' in html
    assert [u["name"] for u in props["unit_path"]] == ["牡丹江市", "宁安市", "东京城镇"]
    assert f'href="/places/{TOWN}"' in html and f"{settings.GAZETTEER_URL}/places/{TOWN}" in text  # permalink
    assert props["source"]["attribution"] in text and props["source"]["licence"] in text
    assert "44.11426°N, 129.21003°E" in text  # readable without the map
    assert 'id="place-geometry"' in html and "/static/js/place." in html


def test_meaning_origin_history_and_description_are_shown(client):
    place = _new_place(
        "柳树屯",
        meaning="因屯旁多柳树得名。",
        origin="清末有人在此建屯。",
        history="1956年属东京城区。",
        description="位于东京城镇西南。",
    )
    text = _text(client.get(f"/places/{place.code}").content.decode())
    for label, value in [
        ("地名含义", "因屯旁多柳树得名。"),
        ("地名来历", "清末有人在此建屯。"),
        ("历史沿革", "1956年属东京城区。"),
        ("地理实体描述", "位于东京城镇西南。"),
    ]:
        assert f"{label} {value}" in text


def test_former_names_and_aliases_with_their_dates(client):
    place = Place.objects.get(code=TOWN)
    place = place_service.rename_place(
        place, "东京城新镇", changeset=_changeset("rename for the page test"), effective=dt.date(2020, 1, 1)
    )
    place_service.add_name(
        place,
        "渤海镇",
        PlaceName.Kind.ALIAS,
        valid_from=dt.date(1990, 5, 1),
        changeset=_changeset("alias for the page test"),
    )
    html = client.get(f"/places/{TOWN}").content.decode()
    assert '<span class="record-name" lang="zh-Hans">东京城新镇</span>' in html
    rows = re.findall(r'<tr class="name-row kind-(\w+)">(.*?)</tr>', html, flags=re.S)
    by_kind = {kind: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).split() for kind, row in rows}
    assert by_kind["former"][0] == "东京城镇" and "曾用名" in by_kind["former"] and "2020-01-01" in by_kind["former"]
    assert by_kind["alias"][0] == "渤海镇" and "别名" in by_kind["alias"] and "1990-05-01" in by_kind["alias"]


def test_at_shows_the_record_as_it_stood_that_day(client):
    place = Place.objects.get(code=TOWN)
    place_service.rename_place(
        place, "东京城新镇", changeset=_changeset("rename for the ?at= test"), effective=dt.date(2020, 1, 1)
    )
    html = client.get(f"/places/{TOWN}?at=2019-06-01").content.decode()
    api = client.get(f"/api/v1/places/{TOWN}?at=2019-06-01").json()["properties"]
    assert '<span class="record-name" lang="zh-Hans">东京城镇</span>' in html
    assert "东京城新镇" not in _text(html)  # a name given later is not shown
    assert "显示 2019-06-01 时的状态" in html
    assert api["cite_as"] in _text(html)
    assert 'value="2019-06-01"' in html  # the date form keeps the day
    later = client.get(f"/places/{TOWN}?at=2021-06-01").content.decode()
    assert '<span class="record-name" lang="zh-Hans">东京城新镇</span>' in later


def test_at_before_the_place_existed_and_a_bad_date(client):
    place = _new_place("新设屯", valid_from=dt.date(2010, 1, 1))
    before = client.get(f"/places/{place.code}?at=2005-01-01")
    assert before.status_code == 404
    assert "2005-01-01" in before.content.decode()
    assert client.get(f"/places/{place.code}?at=2011-01-01").status_code == 200
    bad = client.get(f"/places/{place.code}?at=yesterday")
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.content.decode()


def test_unknown_and_non_public_records_are_404(client):
    unknown = client.get("/places/23108499999999999999")
    assert unknown.status_code == 404
    assert "23108499999999999999" in unknown.content.decode()
    assert client.get("/places/2310841010430000000").status_code == 404  # 19 digits: no such page
    hidden = _new_place("内部屯", is_public=False)
    assert client.get(f"/places/{hidden.code}").status_code == 404
    assert client.get(f"/api/v1/places/{hidden.code}").status_code == 404  # the API agrees
    officer, _ = create_officer("page_officer", role=Role.OFFICER, counties=["231084"])
    client.force_login(officer)
    assert client.get(f"/places/{hidden.code}").status_code == 200  # staff read every record


def test_geonames_record_carries_its_cc_by_attribution(client):
    text = _text(client.get(f"/places/{GEONAMES_SETTLEMENT}").content.decode())
    assert "GeoNames" in text and "CC BY 4.0" in text


def test_a_record_of_the_bureau_names_the_publisher_and_licence(client):
    place = _new_place("本局屯")
    text = _text(client.get(f"/places/{place.code}").content.decode())
    assert settings.GAZETTEER_PUBLISHER in text and settings.GAZETTEER_LICENCE in text


def test_names_and_texts_are_escaped(client):
    place = _new_place("转义测试", romanization=("Zhuanyi Ceshi", "Zhuǎnyì Cèshì"), description=EVIL_TEXT)
    # The register refuses such a name today; a record from before the rule may still hold one.
    Place.objects.filter(pk=place.pk).update(name=EVIL_NAME)
    html = client.get(f"/places/{place.code}").content.decode()
    assert "<img src=x" not in html and "<script>window" not in html
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in html
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "path", ["/", "/divisions", f"/places/{TOWN}", f"/places/{COUNTY}?lang=en", f"/places/{GEONAMES_SETTLEMENT}"]
)
def test_pages_link_and_load_nothing_outside_the_server(client, path):
    html = client.get(path).content.decode()
    for url in re.findall(r'(?:src|href|action)="([^"]*)"', html):
        assert url.startswith(("/", "#", "?", "data:")), url
    outside = re.findall(r"https?://[^\s\"'<]+", html)
    assert all(url.startswith(settings.GAZETTEER_URL) for url in outside), outside


def test_english_switch_sets_a_cookie_that_holds_across_pages(client):
    chinese = client.get(f"/places/{TOWN}").content.decode()
    assert '<html lang="zh-Hans">' in chinese and "罗马字母拼写" in chinese
    assert f'href="/places/{TOWN}?lang=en"' in chinese  # the switch
    english = client.get(f"/places/{TOWN}?lang=en")
    assert english.cookies[i18n.COOKIE].value == "en"
    html = english.content.decode()
    assert '<html lang="en">' in html and "Romanization" in html and "Cite as" in html
    assert "东京城镇" in html and "Dongjingcheng Zhen" in html  # names stay Chinese with their romanization
    assert "township-level areas" in html and "county-level city" in html  # category and level in English
    assert "Place-name search" in client.get("/").content.decode()  # the cookie carries to other pages
    assert "Administrative divisions" in client.get("/divisions").content.decode()
    assert client.get("/?lang=zh").cookies[i18n.COOKIE].value == "zh"
    assert "地名查询" in client.get("/divisions").content.decode()


def test_the_switch_keeps_the_other_query_parameters(client):
    html = client.get(f"/places/{TOWN}?at=2019-06-01").content.decode()
    assert f'href="/places/{TOWN}?at=2019-06-01&amp;lang=en"' in html


def test_both_languages_have_every_string():
    assert set(i18n.ZH) == set(i18n.EN)
    for key, value in i18n.ZH.items():
        if isinstance(value, dict):
            assert set(value) == set(i18n.EN[key]), key


def test_unknown_pages_get_the_portal_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "返回地名查询" in response.content.decode()


def test_no_base_map_by_default_and_the_configured_one_when_set(client, settings):
    html = client.get("/").content.decode()
    assert 'data-basemap=""' in html and "不加载外部底图" in html
    settings.PORTAL_BASEMAP_URL = "/tiles/base/{z}/{x}/{y}.png"
    settings.PORTAL_BASEMAP_ATTRIBUTION = "本局底图"
    html = client.get(f"/places/{TOWN}").content.decode()
    assert 'data-basemap="/tiles/base/{z}/{x}/{y}.png"' in html
    assert "底图：本局底图" in html and "不加载外部底图" not in html


def test_a_records_history_reads_as_words_with_the_bureau_as_author(client, django_user_model):
    from core.history import open_changeset
    from core.models import Changeset
    from gazetteer.models import Place
    from gazetteer.services.places import update_place

    place = Place.objects.filter(is_public=True, valid_to__isnull=True).order_by("code").first()
    officer = django_user_model.objects.create_user("history_officer")
    changeset = open_changeset(Changeset.Kind.EDIT, "核实来历 checked the origin", author=officer)
    update_place(place, changeset=changeset, changes={"origin": "清末建村"}, expected_version=place.version)
    page = client.get(f"/places/{place.code}").content.decode()
    assert "变更记录" in page and "核实来历 checked the origin" in page
    assert "地名来历" in page and "清末建村" in page  # the field by its name, the new value
    assert "history_officer" not in page  # the public sees the bureau, not the staff member
    changes = page[page.index("变更记录") : page.index("</ol>", page.index("变更记录"))]
    assert "{" not in changes and "&quot;" not in changes  # words, no raw JSON


def test_staff_see_who_changed_a_record(client, django_user_model):
    from accounts.models import Role
    from accounts.services import create_officer
    from core.history import open_changeset
    from core.models import Changeset
    from gazetteer.models import Place
    from gazetteer.services.places import update_place

    place = Place.objects.filter(is_public=True, valid_to__isnull=True).order_by("code").first()
    officer, _ = create_officer("history_staff", role=Role.APPROVER, counties=[], password="pw-12345-abc")
    changeset = open_changeset(Changeset.Kind.EDIT, "核实", author=officer)
    update_place(place, changeset=changeset, changes={"description": "新描述"}, expected_version=place.version)
    client.force_login(officer)
    assert "history_staff" in client.get(f"/places/{place.code}").content.decode()
