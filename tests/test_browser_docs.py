"""The API documentation and open-data pages in headless Chromium against the production server.

Swagger UI comes from the project's static files and reads the local OpenAPI document: every request
to a host other than the server fails the test (the ``page`` fixture of tests.browser), and so does any
script error."""

from __future__ import annotations

import pytest

from config.api import openapi_document as document
from tests.live_server import PROJECT_DIR

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

OPERATIONS = ".opblock"


def documented_operations() -> set[tuple[str, str]]:
    return {(method, path) for path, item in document()["paths"].items() for method in item}


def test_the_api_docs_list_every_operation_from_local_files_only(page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page.origin + "/api/docs")
    page.wait_for_selector(f"{OPERATIONS} [data-path]", timeout=20_000)
    # Swagger UI renders the operations' blocks as the reader scrolls (a long document is not drawn at
    # once), so the operations it read are asked of its model; the drawn blocks are among them.
    rows = page.evaluate("""() => window.ui.specSelectors.operations().toJS().map(o => [o.method, o.path])""")
    shown = {tuple(row) for row in rows}
    assert len(rows) == len(shown)  # each operation once
    assert shown == documented_operations()
    drawn = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).map(block => [
            block.querySelector('.opblock-summary-method').textContent.trim().toLowerCase(),
            block.querySelector('[data-path]').getAttribute('data-path'),
        ])""",
        OPERATIONS,
    )
    assert drawn and {tuple(row) for row in drawn} <= shown
    assert ("get", "/api/v1/places/search") in shown and ("get", "/api/v1/open-data/places.gpkg") in shown
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("牡丹江市地名与行政区划信息系统 API")
    tags = page.evaluate("""() => window.ui.specSelectors.taggedOperations().keySeq().toJS()""")
    assert tags.count("officers") == 1
    assert any(url.endswith("/api/v1/openapi.json") for url in requests)
    assert all(url.startswith(page.origin) or url.startswith("data:") for url in requests)
    page.screenshot(path=str(PROJECT_DIR / "var" / "screenshot-api-docs.png"), full_page=False)


def test_an_operation_opens_with_its_parameters_and_responses(page):
    page.goto(page.origin + "/api/docs#/search/searchPlaces")  # deep link: drawn and scrolled to
    block = page.locator("#operations-search-searchPlaces")
    block.wait_for(timeout=20_000)
    if "is-open" not in (block.get_attribute("class") or ""):  # the deep link opens it
        block.locator(".opblock-summary").click()
    block.locator(".parameters").wait_for()
    parameters = block.locator(".parameters .parameter__name").all_inner_texts()
    assert {"q", "limit", "unit", "category", "near", "at"} <= {p.split()[0].rstrip("*") for p in parameters}
    statuses = block.locator(".responses-table .response-col_status").all_inner_texts()
    assert {"200", "400", "429"} <= {s.strip() for s in statuses}


def test_the_open_data_page_lists_the_files_and_the_geonames_licence(page):
    page.goto(page.origin + "/open-data")
    assert page.locator("h1").inner_text().startswith("开放数据")
    formats = page.locator("#files tbody tr").evaluate_all("rows => rows.map(r => r.dataset.format)")
    assert formats == ["csv", "geojson", "gpkg"]
    assert "GeoNames (www.geonames.org), CC BY 4.0" in page.locator("#licences").inner_text()
    assert "OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY" in page.locator("#withheld").inner_text()
    page.screenshot(path=str(PROJECT_DIR / "var" / "screenshot-open-data.png"), full_page=True)
    with page.expect_download() as download:
        page.locator('#files a[href$="places.geojson"]').click()
    assert download.value.suggested_filename.endswith(".geojson")
