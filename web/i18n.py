"""The portal's interface strings in Chinese (the default) and English, without a gettext toolchain.

The language is chosen by ``?lang=zh|en`` (remembered in a cookie by the page views) or the cookie;
Chinese otherwise. Place names stay in Chinese with their romanization in both languages.
Templates read the strings as ``t.key``; scripts read the same dictionary from the ``#i18n`` JSON block.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

DEFAULT = "zh"
COOKIE = "mdj_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
HTML_LANG = {"zh": "zh-Hans", "en": "en"}

ZH = {
    "site_title": "牡丹江市地名与行政区划信息系统",
    "nav_search": "地名查询",
    "nav_divisions": "行政区划",
    "nav_open_data": "开放数据",
    "nav_api": "接口文档",
    "nav_admin": "管理",
    "nav_print": "制图",
    "switch_label": "English",
    "switch_title": "Switch to English",
    "footer_sources": "数据来源",
    "colon": "：",
    "footer_own_map": "地图由本系统数据绘制，不加载外部底图。坐标系：CGCS2000。",
    "footer_basemap": "底图",
    "footer_crs": "坐标系：CGCS2000。",
    # the portal home page
    "portal_title": "标准地名查询",
    "portal_intro": "查询牡丹江市的标准地名，可输入汉字、拼音或首字母；点击地图查看该处所属行政区划和附近地名。",
    "search_label": "地名",
    "search_placeholder": "如 东京城镇、dongjingcheng、djc",
    "search_button": "查询",
    "filters": "筛选",
    "filter_county": "县级行政区",
    "filter_category": "类别",
    "filter_at": "历史日期",
    "filter_all": "全部",
    "suggestions_label": "候选地名",
    "results_label": "查询结果",
    "results_count": "共 {n} 条结果",
    "no_results": "未找到相关地名。",
    "no_location": "无坐标，未在地图上标出",
    "searching": "正在查询……",
    "rate_limited": "查询过于频繁，请稍后再试。",
    "search_failed": "查询失败",
    "matched": "匹配",
    "map_label": "地图",
    "here_title": "此处",
    "here_units": "所属行政区划",
    "here_nearest": "附近地名",
    "here_outside": "此处不在本市范围内。",
    "here_none": "附近没有已登记的地名。",
    "here_loading": "正在查询此处……",
    "here_failed": "无法查询此处",
    "close": "关闭",
    "open_record": "查看地名档案",
    "map_hint": "点击地图任意位置，查看该处所属行政区划和附近地名。",
    # the divisions browser
    "divisions_title": "行政区划",
    "divisions_breadcrumb": "层级",
    "children_title": "下级区划",
    "card_code": "代码",
    "card_level": "级别",
    "card_parent": "上级",
    "card_area": "面积",
    "card_children": "下级",
    "card_children_count": "{n} 个",
    "card_source": "来源",
    "card_no_boundary": "无界线数据",
    "card_former_name": "曾用名",
    "card_statistical_name": "统计用名",
    "card_former_code": "旧代码",
    "card_statistical_code": "统计代码",
    "card_statistical_badge": "统计用单位：民政区划名录未列",
    "cannot_read": "无法读取",
    # the record page
    "record": "地名档案",
    "code": "地名代码",
    "standard_name": "标准名称",
    "romanization": "罗马字母拼写",
    "romanization_tones": "带声调",
    "category": "类别",
    "unit_path": "所属行政区划",
    "status": "状态",
    "named_on": "命名时间",
    "valid_from": "设立时间",
    "valid_to": "废止时间",
    "elevation": "高程",
    "location": "位置",
    "meaning": "地名含义",
    "origin": "地名来历",
    "history": "历史沿革",
    "description": "地理实体描述",
    "sources_text": "资料来源",
    "other_names": "曾用名与别名",
    "no_other_names": "无曾用名或别名。",
    "name": "名称",
    "kind": "类型",
    "valid_from_short": "起",
    "valid_to_short": "止",
    "open_ended": "至今",
    "unknown_date": "不详",
    "permalink": "永久链接",
    "cite_as": "引用格式",
    "record_source": "数据来源与许可",
    "licence": "许可",
    "bureau_record": "本局登记的标准地名",
    "as_of": "显示 {date} 时的状态",
    "show_current": "查看现状",
    "at_label": "查看某日的状态",
    "at_submit": "查看",
    "synthetic": "演示数据，非真实记录",
    "geojson": "GeoJSON 数据",
    "change_history": "修改记录（JSON）",
    "version": "版本",
    "not_found_title": "未找到",
    "bad_request_title": "请求有误",
    "not_found": "没有代码为 {code} 的公开地名记录。",
    "page_not_found": "没有这个页面。",
    "not_on_date": "地名 {code} 在 {date} 时不存在（尚未设立或已废止）。",
    "bad_date": "日期应写作 YYYY-MM-DD，收到的是 {value}。",
    "back_home": "返回地名查询",
    "levels": {
        "city": "地级市",
        "district": "市辖区",
        "county": "县",
        "county_city": "县级市",
        "subdistrict": "街道",
        "town": "镇",
        "township": "乡",
        "community": "居委会/社区",
        "village": "村委会",
        "statistical": "统计用单位",
    },
    "name_kinds": {
        "standard": "标准名称",
        "former": "曾用名",
        "alias": "别名",
        "short": "简称",
        "map": "图上名称",
    },
    "match_forms": {
        "hanzi": "汉字",
        "pinyin": "拼音",
        "initials": "拼音首字母",
        "traditional": "繁体",
        "fuzzy": "近似",
        "context": "含所在区划",
    },
    "statuses": {"in_use": "现用", "historical": "历史地名", "proposed": "拟用"},
    "record_changes": "变更记录",
    "heritage": "地名文化遗产",
    "heritage_listed": "列入",
    "record_created": "登记",
    "names_began": "启用名称",
    "names_ended": "停用名称",
    "empty_value": "（空）",
    "history_fields": {
        "name": "标准名称",
        "category": "类别",
        "unit": "所属行政区",
        "romanization": "罗马字母拼写",
        "status": "状态",
        "named_on": "命名时间",
        "valid_from": "启用日期",
        "valid_to": "停用日期",
        "meaning": "地名含义",
        "origin": "地名来历",
        "history": "历史沿革",
        "description": "地理实体描述",
        "sources_text": "资料来源",
        "heritage_listed_on": "列入地名文化遗产",
        "heritage_reason": "列入理由",
        "elevation_m": "高程（米）",
    },
}

EN = {
    "site_title": "Mudanjiang Place Names and Administrative Divisions",
    "nav_search": "Place-name search",
    "nav_divisions": "Divisions",
    "nav_open_data": "Open data",
    "nav_api": "API",
    "nav_admin": "Staff",
    "nav_print": "Print maps",
    "switch_label": "中文",
    "switch_title": "切换到中文",
    "footer_sources": "Sources",
    "colon": ": ",
    "footer_own_map": "Maps are drawn from this system's own data; no outside base map. Coordinates: CGCS2000.",
    "footer_basemap": "Base map",
    "footer_crs": "Coordinates: CGCS2000.",
    "portal_title": "Standard place names",
    "portal_intro": (
        "Search the standard place names of Mudanjiang by Chinese characters, pinyin or initials; "
        "click the map to see the administrative units and the nearest named places at that point."
    ),
    "search_label": "Place name",
    "search_placeholder": "e.g. 东京城镇, dongjingcheng, djc",
    "search_button": "Search",
    "filters": "Filters",
    "filter_county": "County",
    "filter_category": "Category",
    "filter_at": "As of date",
    "filter_all": "All",
    "suggestions_label": "Suggestions",
    "results_label": "Results",
    "results_count": "{n} results",
    "no_results": "No place name found.",
    "no_location": "no coordinates: not on the map",
    "searching": "Searching…",
    "rate_limited": "Too many searches; please try again in a moment.",
    "search_failed": "Search failed",
    "matched": "Matched",
    "map_label": "Map",
    "here_title": "At this point",
    "here_units": "Administrative units",
    "here_nearest": "Nearest named places",
    "here_outside": "This point lies outside the city.",
    "here_none": "No registered place name nearby.",
    "here_loading": "Looking up this point…",
    "here_failed": "Could not look up this point",
    "close": "Close",
    "open_record": "Open the record",
    "map_hint": "Click anywhere on the map to see its administrative units and the nearest named places.",
    "divisions_title": "Administrative divisions",
    "divisions_breadcrumb": "Hierarchy",
    "children_title": "Subdivisions",
    "card_code": "Code",
    "card_level": "Level",
    "card_parent": "Parent",
    "card_area": "Area",
    "card_children": "Subdivisions",
    "card_children_count": "{n}",
    "card_source": "Source",
    "card_no_boundary": "no boundary data",
    "card_former_name": "Former name",
    "card_statistical_name": "Statistical name",
    "card_former_code": "Former code",
    "card_statistical_code": "Statistical code",
    "card_statistical_badge": "Statistical unit: not in the civil-affairs list",
    "cannot_read": "Cannot read",
    "record": "Place-name record",
    "code": "Place code",
    "standard_name": "Standard name",
    "romanization": "Romanization",
    "romanization_tones": "With tone marks",
    "category": "Category",
    "unit_path": "Administrative units",
    "status": "Status",
    "named_on": "Named on",
    "valid_from": "Established",
    "valid_to": "Abolished",
    "elevation": "Elevation",
    "location": "Location",
    "meaning": "Meaning",
    "origin": "Origin",
    "history": "History",
    "description": "Description",
    "sources_text": "Documentary sources",
    "other_names": "Former names and aliases",
    "no_other_names": "No former names or aliases.",
    "name": "Name",
    "kind": "Kind",
    "valid_from_short": "From",
    "valid_to_short": "Until",
    "open_ended": "today",
    "unknown_date": "unknown",
    "permalink": "Permalink",
    "cite_as": "Cite as",
    "record_source": "Source and licence",
    "licence": "Licence",
    "bureau_record": "Standard name registered by the bureau",
    "as_of": "As it stood on {date}",
    "show_current": "Show the current record",
    "at_label": "As it stood on",
    "at_submit": "Show",
    "synthetic": "Demonstration data, not a real record",
    "geojson": "GeoJSON",
    "change_history": "Change history (JSON)",
    "version": "Version",
    "not_found_title": "Not found",
    "bad_request_title": "Bad request",
    "not_found": "No public place-name record has the code {code}.",
    "page_not_found": "There is no such page.",
    "not_on_date": "Place {code} did not exist on {date} (not yet established, or abolished).",
    "bad_date": "Dates are written YYYY-MM-DD; got {value}.",
    "back_home": "Back to the place-name search",
    "levels": {
        "city": "prefecture-level city",
        "district": "district",
        "county": "county",
        "county_city": "county-level city",
        "subdistrict": "subdistrict",
        "town": "town",
        "township": "township",
        "community": "community",
        "village": "village",
        "statistical": "statistical unit",
    },
    "name_kinds": {
        "standard": "standard name",
        "former": "former name",
        "alias": "alias",
        "short": "short name",
        "map": "map name",
    },
    "match_forms": {
        "hanzi": "characters",
        "pinyin": "pinyin",
        "initials": "initials",
        "traditional": "traditional characters",
        "fuzzy": "approximate",
        "context": "with its unit",
    },
    "statuses": {"in_use": "in use", "historical": "historical", "proposed": "proposed"},
    "record_changes": "Changes to this record",
    "heritage": "Place-name heritage",
    "heritage_listed": "listed",
    "record_created": "Registered",
    "names_began": "Name added",
    "names_ended": "Name ended",
    "empty_value": "(none)",
    "history_fields": {
        "name": "Standard name",
        "category": "Category",
        "unit": "Administrative unit",
        "romanization": "Romanization",
        "status": "Status",
        "named_on": "Named on",
        "valid_from": "Valid from",
        "valid_to": "Valid to",
        "meaning": "Meaning",
        "origin": "Origin",
        "history": "History",
        "description": "Description",
        "sources_text": "Documentary sources",
        "heritage_listed_on": "Listed as place-name heritage",
        "heritage_reason": "Why listed",
        "elevation_m": "Elevation (m)",
    },
}

STRINGS = {"zh": ZH, "en": EN}


def language_of(request) -> str:
    """``?lang=`` if it names a language, else the cookie, else Chinese."""
    for value in (request.GET.get("lang"), request.COOKIES.get(COOKIE)):
        if value in STRINGS:
            return value
    return DEFAULT


def strings(request) -> dict:
    return STRINGS[language_of(request)]


def _switch_url(request, other: str) -> str:
    """The current page in the other language, its other query parameters kept."""
    params = [(k, v) for k, values in request.GET.lists() if k != "lang" for v in values]
    return request.path + "?" + urlencode([*params, ("lang", other)])


def portal_context(request) -> dict:
    """Context processor: the language, its strings and the link that switches language."""
    lang = language_of(request)
    other = "en" if lang == "zh" else "zh"
    return {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "t": STRINGS[lang],
        "lang_switch_url": _switch_url(request, other),
    }


def remember_language(view):
    """A page view that keeps a ``?lang=`` choice in the cookie, so that it holds across pages."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        chosen = request.GET.get("lang")
        if chosen in STRINGS and request.COOKIES.get(COOKIE) != chosen:
            response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax")
        return response

    return wrapper
