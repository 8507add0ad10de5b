"""Place-name romanization: the rules, the reference tables, the command, the API and the real names."""

from __future__ import annotations

import csv
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import resolve

from gazetteer.romanization import Part, romanize
from gazetteer.romanization.engine import HOW, known_readings
from gazetteer.romanization.generics import GENERICS_CSV, load_generics
from gazetteer.romanization.readings import READINGS_CSV, TableError, load_readings, toneless

COUNTY_LEVEL = {
    "东安区": "Dong'an Qu",
    "阳明区": "Yangming Qu",
    "爱民区": "Aimin Qu",
    "西安区": "Xi'an Qu",
    "林口县": "Linkou Xian",
    "绥芬河市": "Suifenhe Shi",
    "海林市": "Hailin Shi",
    "宁安市": "Ning'an Shi",
    "穆棱市": "Muling Shi",
    "东宁市": "Dongning Shi",
}

EXAMPLES = {
    "牡丹江市": "Mudanjiang Shi",
    "镜泊湖": "Jingpo Hu",
    "黑龙江省": "Heilongjiang Sheng",
    "横道河子镇": "Hengdaohezi Zhen",
    "江南朝鲜族满族乡": "Jiangnan Chaoxianzu Manzu Xiang",
    "福禄朝鲜族满族乡": "Fulu Chaoxianzu Manzu Xiang",
    "卧龙朝鲜族乡": "Wolong Chaoxianzu Xiang",
    "新安朝鲜族镇": "Xin'an Chaoxianzu Zhen",
    "延边朝鲜族自治州": "Yanbian Chaoxianzu Zizhizhou",
    "经五路": "Jing 5 Lu",
    "纬十二路": "Wei 12 Lu",
    "五一路": "Wuyi Lu",
    "泰山": "Tai Shan",
    "三岔口镇": "Sanchakou Zhen",
    "磨刀石镇": "Modaoshi Zhen",
    "大肚川镇": "Daduchuan Zhen",
    "长汀镇": "Changting Zhen",
    "长安街道": "Chang'an Jiedao",
    "宁安农场农业管理区": "Ning'an Nongchang Nongye Guanliqu",
    "七峰林场生活区": "Qifeng Linchang Shenghuoqu",
    "开发区（城北新区）社区居委会": "Kaifaqu (Chengbei Xinqu) Shequ Juweihui",
}

WELL_KNOWN_POLYPHONIC = {
    "长治市": "Changzhi Shi",
    "长子县": "Zhangzi Xian",
    "六安市": "Lu'an Shi",
    "蚌埠市": "Bengbu Shi",
    "丽水市": "Lishui Shi",
    "番禺区": "Panyu Qu",
    "乐亭县": "Laoting Xian",
    "乐清市": "Yueqing Shi",
    "东阿县": "Dong'e Xian",
    "铅山县": "Yanshan Xian",
    "句容市": "Jurong Shi",
    "单县": "Shan Xian",
    "莘县": "Shen Xian",
    "大埔县": "Dabu Xian",
    "厦门市": "Xiamen Shi",
    "重庆市": "Chongqing Shi",
    "朝阳市": "Chaoyang Shi",
    "台州市": "Taizhou Shi",
    "天台县": "Tiantai Xian",
    "洪洞县": "Hongtong Xian",
    "蔚县": "Yu Xian",
    "涡阳县": "Guoyang Xian",
    "歙县": "She Xian",
    "浚县": "Xun Xian",
    "犍为县": "Qianwei Xian",
    "阆中市": "Langzhong Shi",
    "珲春市": "Hunchun Shi",
    "济南市": "Jinan Shi",
}

COMMITTEE_FORMS = {
    "东兴村委会": "Dongxing Cunweihui",
    "东兴村": "Dongxing Cun",
    "一村村委会": "Yicun Cunweihui",
    "东新村村委会": "Dongxin Cun Cunweihui",
    "柴市社区居委会": "Chaishi Shequ Juweihui",
    "柴市社区": "Chaishi Shequ",
    "三道社区居民委员会": "Sandao Shequ Jumin Weiyuanhui",
    "友谊村民委员会": "Youyi Cunmin Weiyuanhui",
    "第一居委会": "Diyi Juweihui",
    "东街办事处第一居民委员会": "Dongjie Banshichu Diyi Jumin Weiyuanhui",
    "依兰岗满族村委会": "Yilangang Manzu Cunweihui",
}


@pytest.mark.parametrize(("name", "expected"), [*COUNTY_LEVEL.items(), *EXAMPLES.items()])
def test_names_are_romanized_by_the_rules(name, expected):
    assert romanize(name).romanization == expected


@pytest.mark.parametrize(("name", "expected"), WELL_KNOWN_POLYPHONIC.items())
def test_well_known_polyphonic_names_take_their_official_reading(name, expected):
    assert romanize(name).romanization == expected


@pytest.mark.parametrize(("name", "expected"), COMMITTEE_FORMS.items())
def test_committees_and_their_stripped_forms(name, expected):
    assert romanize(name).romanization == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("穆棱市", "Mùlíng Shì"),
        ("牡丹江市", "Mǔdānjiāng Shì"),
        ("西安区", "Xī'ān Qū"),
        ("横道河子镇", "Héngdàohézi Zhèn"),
        ("长子县", "Zhǎngzǐ Xiàn"),
        ("绿地社区", "Lǜdì Shèqū"),
    ],
)
def test_tone_form(name, expected):
    assert romanize(name).romanization_tones == expected


def test_muling_is_not_muleng_and_the_table_says_why():
    result = romanize("穆棱市")
    assert "Muleng" not in result.romanization
    ling = next(d for d in result.decisions if d.char == "棱")
    assert (ling.reading, ling.how) == ("líng", "word")
    assert "民政部" in ling.source


def test_parts_and_roles():
    assert romanize("牡丹江市").parts == (
        Part("牡丹江", "proper", "Mudanjiang", "Mǔdānjiāng"),
        Part("市", "generic", "Shi", "Shì"),
    )
    parts = [(p.text, p.role, p.romanization) for p in romanize("福禄朝鲜族满族乡").parts]
    assert parts == [
        ("福禄", "proper", "Fulu"),
        ("朝鲜族", "generic", "Chaoxianzu"),
        ("满族", "generic", "Manzu"),
        ("乡", "generic", "Xiang"),
    ]
    # A generic inside the proper name stays proper.
    assert [(p.text, p.role) for p in romanize("绥芬河市").parts] == [("绥芬河", "proper"), ("市", "generic")]
    # A name that is only a generic word is one proper word.
    assert [(p.text, p.role) for p in romanize("农场村委会").parts] == [("农场", "proper"), ("村委会", "generic")]


def test_one_decision_per_chinese_character_and_none_by_default_here():
    result = romanize("横道河子镇")
    assert [d.char for d in result.decisions] == list("横道河子镇")
    assert all(d.how in HOW and d.how != "default" for d in result.decisions)
    zi = result.decisions[3]
    assert (zi.reading, zi.how, zi.source) == ("zi", "rule", "")


def test_an_undecided_heteronym_is_reported_as_default():
    # 行 has several readings and no entry outside 特别行政区: the decision must say so.
    decision = next(d for d in romanize("行口村").decisions if d.char == "行")
    assert decision.how == "default"


def test_apostrophe_only_inside_a_word():
    assert romanize("安达市").romanization == "Anda Shi"
    assert romanize("东阿县").romanization == "Dong'e Xian"
    assert romanize("第二居委会").romanization == "Di'er Juweihui"


def test_natural_settlement_is_one_word():
    assert romanize("石河").romanization == "Shi He"
    assert romanize("石河", natural_settlement=True).romanization == "Shihe"
    assert romanize("兴华").romanization == "Xinghua"


def test_latin_letters_and_digits_pass_through():
    assert romanize("A区").romanization == "A Qu"
    assert romanize("经5路").romanization == "Jing 5 Lu"


@pytest.mark.parametrize("name", ["", "   ", "牡丹江市!", "☃"])
def test_unwritable_names_are_refused(name):
    with pytest.raises(ValueError):
        romanize(name)


def test_as_dict_has_exactly_the_public_keys():
    data = romanize("镜泊湖").as_dict()
    assert set(data) == {"name", "romanization", "romanization_tones", "parts"}
    assert data["parts"][0] == {
        "text": "镜泊",
        "role": "proper",
        "romanization": "Jingpo",
        "romanization_tones": "Jìngpō",
    }


# The reference tables ------------------------------------------------------------------------------


def _write(tmp_path, text: str):
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "kind,text,pinyin_tones,source,note\n"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("word,穆棱,mù líng,src,\nphrase,长治,cháng zhì,src,\n", ":3: unknown kind 'phrase'"),
        ("word,穆棱,mù,src,\n", ":2: '穆棱' has 2 characters but 1 syllables"),
        ("char,场,chǎng cháng,src,\n", ":2: '场' has 1 characters but 2 syllables"),
        ("char,场,chang3,src,\n", ":2: 'chang3' is not a pinyin syllable"),
        ("word,穆棱,mù líng,,\n", ":2: '穆棱' has no source"),
        ("char,场,chǎng,src,\nchar,场,cháng,src,\n", ":3: duplicate char entry '场'"),
        ("char,长治,cháng zhì,src,\n", ":2: a char entry cannot have 2 character(s)"),
        ("word,穆棱,mù líng,src\n", ":2: expected 5 fields"),
    ],
)
def test_reading_loader_refuses_a_malformed_file(tmp_path, rows, message):
    with pytest.raises(TableError, match=re.escape(message)):
        load_readings(_write(tmp_path, HEADER + rows))


def test_reading_loader_refuses_a_wrong_header(tmp_path):
    with pytest.raises(TableError, match=":1: header"):
        load_readings(_write(tmp_path, "kind,text,pinyin,source,note\n"))


def test_generic_loader_refuses_a_malformed_file(tmp_path):
    path = _write(tmp_path, "term,pinyin_tones,kind,note\n市,shì,admin,basis\n湖,hú,lake,basis\n")
    with pytest.raises(TableError, match=":3: unknown kind 'lake'"):
        load_generics(path)


def test_a_custom_table_is_used(tmp_path):
    from gazetteer.romanization.engine import Tables

    readings = load_readings(_write(tmp_path, HEADER + "word,穆棱,mù léng,a test table,\n"))
    tables = Tables(readings, load_generics())
    assert romanize("穆棱市", tables=tables).romanization_tones == "Mùléng Shì"


def _rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_reference_tables_are_sorted_and_sourced():
    readings = _rows(READINGS_CSV)
    assert [(r["kind"], r["text"]) for r in readings] == sorted((r["kind"], r["text"]) for r in readings)
    assert all(r["source"].strip() for r in readings)
    generics = _rows(GENERICS_CSV)
    keys = [(r["kind"], r["term"].replace(" ", "")) for r in generics]
    assert keys == sorted(keys)
    table = load_readings()
    assert len(table.words) >= 40


def test_table_readings_are_readings_the_character_has():
    # pypinyin lacks the place-name reading lào of 乐 (乐亭 Laoting, 乐陵 Laoling); nothing else.
    missing_from_pypinyin = {("乐", "lào")}
    table = load_readings()
    for entry in table.chars.values():
        assert entry.syllables[0] in known_readings(entry.text), entry.text
    for entry in table.words.values():
        for ch, syllable in zip(entry.text, entry.syllables, strict=True):
            known = {toneless(r) for r in known_readings(ch)}
            assert toneless(syllable) in known or (ch, syllable) in missing_from_pypinyin, (entry.text, ch)


# Command and API -----------------------------------------------------------------------------------


def test_romanize_command_prints_one_line_per_name_in_order():
    out = StringIO()
    call_command("romanize", "穆棱市", "牡丹江市", "经五路", stdout=out)
    assert out.getvalue().splitlines() == ["Muling Shi", "Mudanjiang Shi", "Jing 5 Lu"]
    out = StringIO()
    call_command("romanize", "穆棱市", "西安区", "--tones", stdout=out)
    assert out.getvalue().splitlines() == ["Mùlíng Shì", "Xī'ān Qū"]


def test_romanize_command_refuses_an_unwritable_name():
    with pytest.raises(CommandError, match="cannot be romanized"):
        call_command("romanize", "牡丹江市!", stdout=StringIO())


def romanize_view(request):
    """The view served at /api/v1/romanize (config.api), method check and parameter checks included."""
    return resolve("/api/v1/romanize").func(request)


def test_romanize_view_answers_json():
    response = romanize_view(RequestFactory().get("/api/v1/romanize", {"name": "宁安市"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert (body["romanization"], body["romanization_tones"]) == ("Ning'an Shi", "Níng'ān Shì")


@pytest.mark.parametrize(
    "query", [{}, {"name": ""}, {"name": "  "}, {"name": "牡" * 101}, {"name": "123"}, {"name": "!?"}]
)
def test_romanize_view_refuses_a_bad_name_with_400(query):
    response = romanize_view(RequestFactory().get("/api/v1/romanize", query))
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["parameter"] == "name"


def test_romanize_view_allows_only_get():
    response = romanize_view(RequestFactory().post("/api/v1/romanize", {"name": "宁安市"}))
    assert response.status_code == 405


@pytest.mark.django_db  # every anonymous request is counted by the rate limit (core.ratelimit)
def test_romanize_endpoint(client):
    """Needs the endpoint declared in gazetteer/api/romanize.py (config.api mounts it)."""
    response = client.get("/api/v1/romanize", {"name": "穆棱市"})
    assert response.status_code == 200
    assert response.json() == romanize("穆棱市").as_dict()
    assert client.get("/api/v1/romanize").status_code == 400


# The real names ------------------------------------------------------------------------------------

STRIPPED_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村村委会", "村"),
    ("村民委员会", "村"),
    ("村委会", "村"),
)


def committee_stripped(name: str) -> str | None:
    """The village-level name the gazetteer keeps: 东兴村委会 -> 东兴村, 柴市社区居委会 -> 柴市社区."""
    for suffix, replacement in STRIPPED_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return None


@pytest.mark.django_db
def test_every_loaded_name_is_read_without_falling_back_to_pypinyin_defaults():
    from boundaries.models import AdminUnit, UnitName
    from gazetteer.models import Place

    names = (
        set(AdminUnit.objects.values_list("name", flat=True))
        | set(Place.objects.values_list("name", flat=True))
        | set(UnitName.objects.values_list("name", flat=True))
    )
    assert len(names) > 1000, "the base data is not loaded"
    names |= {stripped for name in names if (stripped := committee_stripped(name))}
    defaults = sorted(
        (name, decision.char) for name in names for decision in romanize(name).decisions if decision.how == "default"
    )
    assert defaults == [], f"{len(defaults)} characters read by pypinyin's default: {defaults}"
