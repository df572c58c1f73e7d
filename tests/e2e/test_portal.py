"""The portal and the Open API over HTTP, on a world materialized by the real Dagster graph, and in
a real browser (Playwright driving Debian's Chromium, which ``.ci/run`` installs).

Keys are issued with the CLI as an operator would; the server is ``regional-econ portal`` on
127.0.0.1. Every route is called with a key of every tier; oversized pages, malformed values,
injection strings and a spent quota get their result codes; usage counts follow the calls.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import dagster as dg
import duckdb
import polars as pl
import pytest

from regional_econ.serve.api import CODES, MAX_PAGE, resources
from regional_econ.serve.keys import TIERS
from regional_econ.storage import paths
from regional_econ.synth import generate
from tests.builders import services

BIN = Path(sys.executable).parent
START = date(2026, 9, 1)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "regional-econ"), *args], env=env, capture_output=True, text=True, timeout=120)


def _key(env: dict, *args: str) -> str:
    made = _cli("keys", "create", *args, env=env)
    assert made.returncode == 0, made.stderr
    return re.search(r"^KEY=(\S+)$", made.stdout, re.M).group(1)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal")
    generate(out=root / "landing", start=START, days=2, scale=0.002, seed=3)
    from assets import run

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.DATA_ROOT_ENV, str(root))
        with dg.instance_for_test() as instance:
            run.run_window(START, date(2026, 9, 2), instance, resources_root=root)
    env = os.environ | {paths.DATA_ROOT_ENV: str(root)}
    keys = {
        "public": _key(env, "--tier", "public"),
        "center": _key(env, "--tier", "center", "--center", "kona"),
        "staff": _key(env, "--tier", "staff"),
        "quota": _key(env, "--tier", "public", "--daily-quota", "3"),
        "revoked": _key(env, "--tier", "staff"),
    }
    revoked_id = keys["revoked"].split(".")[0]
    assert _cli("keys", "revoke", revoked_id, env=env).returncode == 0
    port = services.free_port()
    log = (root / "portal.log").open("w")
    server = subprocess.Popen([str(BIN / "regional-econ"), "portal", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        services.wait_for_port(port, timeout=60, process=server)
        yield {"root": root, "url": f"http://127.0.0.1:{port}", "keys": keys, "env": env}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url: str, data: dict | None = None) -> tuple[int, bytes, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body), timeout=60) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def call(portal, name: str, key: str | None, **params) -> tuple[int, dict]:
    query = ({"KEY": key} if key is not None else {}) | {"Type": "json"} | params
    status, body, _ = _get(f"{portal['url']}/api/{name}?{urllib.parse.urlencode(query)}")
    return status, json.loads(body)


def code_of(answer: dict) -> str:
    if "RESULT" in answer:
        return answer["RESULT"]["CODE"]
    (service,) = answer.values()
    return service[0]["head"][1]["RESULT"]["CODE"]


def rows_of(answer: dict) -> list[dict]:
    return [] if "RESULT" in answer else next(iter(answer.values()))[1]["row"]


def _catalog(portal) -> dict:
    return json.loads((portal["root"] / "publish" / "catalog.json").read_text(encoding="utf-8"))


def _published(portal, product: str) -> pl.DataFrame:
    return pl.read_parquet(sorted((portal["root"] / "publish" / product).glob("*/*.parquet")))


# --- the API, tier by tier -------------------------------------------------------------------

ROUTES = sorted(resources())


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("name", ROUTES)
def test_a_tier_reads_its_own_routes_and_nothing_above(portal, tier, name):
    status, answer = call(portal, name, portal["keys"][tier], pSize="5")
    if resources()[name].tier in TIERS[: TIERS.index(tier) + 1]:
        assert code_of(answer) in ("INFO-000", "INFO-200") and status == 200
    else:
        assert (code_of(answer), status) == ("ERROR-320", 403)


def test_a_product_pages_through_every_published_row_once(portal):
    published = _published(portal, "spending_monthly")
    seen, page = [], 1
    while True:
        _, answer = call(portal, "spending_monthly", portal["keys"]["staff"], pIndex=str(page), pSize="100")
        if code_of(answer) == "INFO-200":
            break
        assert next(iter(answer.values()))[0]["head"][0]["list_total_count"] == published.height
        seen += rows_of(answer)
        page += 1
    assert len(seen) == published.height
    keys = {tuple(r[c] for c in ("sigungu_cd", "category_cd")) for r in seen}
    assert len(keys) == published.height  # no row twice
    assert sum(r["net_amount_krw"] or 0 for r in seen) == published["net_amount_krw"].fill_null(0).sum()


def test_xml_carries_the_same_rows_as_json(portal):
    key = portal["keys"]["public"]
    _, answer = call(portal, "spending_flows", key, pSize="20")
    status, body, media = _get(f"{portal['url']}/api/spending_flows?KEY={key}&Type=xml&pSize=20")
    root = ElementTree.fromstring(body)
    assert status == 200 and "xml" in media and root.tag == "spending_flows"
    assert root.find("head/RESULT/CODE").text == code_of(answer)
    assert [r.find("home_sigungu_cd").text or None for r in root.findall("row")] == [
        r["home_sigungu_cd"] for r in rows_of(answer)
    ]


def test_a_filter_on_a_dimension_and_the_total_row(portal):
    key, published = portal["keys"]["public"], _published(portal, "spending_monthly")
    _, answer = call(portal, "spending_monthly", key, SIGUNGU_CD="41110", pSize="1000")
    assert {r["sigungu_cd"] for r in rows_of(answer)} == {"41110"}
    assert len(rows_of(answer)) == published.filter(pl.col("sigungu_cd") == "41110").height
    _, total = call(portal, "spending_monthly", key, SIGUNGU_CD="ALL", CATEGORY_CD="ALL", MONTH="2026-09")
    assert len(rows_of(total)) == 1 and rows_of(total)[0]["sigungu_cd"] is None


def test_a_center_key_sees_its_own_deliveries_only(portal):
    _, own = call(portal, "deliveries", portal["keys"]["center"], pSize="1000")
    assert rows_of(own) and {r["feed"].split("/")[0] for r in rows_of(own)} == {"kona"}
    _, every = call(portal, "deliveries", portal["keys"]["staff"], pSize="1000")
    assert len({r["feed"].split("/")[0] for r in rows_of(every)}) > 1
    _, forged = call(portal, "deliveries", portal["keys"]["center"], FEED="gjf/job_postings")
    assert rows_of(forged) == []


BAD = [
    ({}, "ERROR-300", None),
    ({"KEY": "deadbeef.nottherightone"}, "ERROR-290", None),
    ({"Type": "csv"}, "ERROR-301", "public"),
    ({"pSize": str(MAX_PAGE + 1)}, "ERROR-336", "public"),
    ({"pSize": "0"}, "ERROR-333", "public"),
    ({"pIndex": "1; DROP TABLE x"}, "ERROR-333", "public"),
    ({"PASSWORD": "x"}, "ERROR-340", "public"),
    ({"SIGUNGU_CD;DROP VIEW publish.spending_monthly": "1"}, "ERROR-340", "public"),
    ({"SIGUNGU_CD": "4" * 65}, "ERROR-340", "public"),
    ({"CARDS": "5"}, "ERROR-340", "public"),  # a value is no filter, only a dimension is
]


@pytest.mark.parametrize(("params", "code", "tier"), BAD)
def test_a_bad_request_gets_its_result_code(portal, params, code, tier):
    query = ({"KEY": portal["keys"][tier]} if tier else {}) | {"Type": "json"} | params
    status, body, _ = _get(f"{portal['url']}/api/spending_monthly?{urllib.parse.urlencode(query)}")
    if code == "ERROR-301":
        assert ElementTree.fromstring(body).find("CODE").text == code
    else:
        assert code_of(json.loads(body)) == code
    assert status == CODES[code][0]


INJECTIONS = ["' OR '1'='1", "41110' --", "41110'; DROP VIEW publish.spending_monthly; --", "%", "_____", "41110\x00",
              "\" OR 1=1", "(SELECT sigungu_cd FROM publish.spending_monthly LIMIT 1)", "수원시 장안구", "NULL"]  # fmt: skip


@pytest.mark.parametrize("value", INJECTIONS)
def test_an_injection_in_a_filter_is_a_value_that_matches_nothing(portal, value):
    status, answer = call(portal, "spending_monthly", portal["keys"]["public"], SIGUNGU_CD=value)
    assert (status, code_of(answer)) == (200, "INFO-200")
    with duckdb.connect(str(portal["root"] / "warehouse.duckdb"), read_only=True) as con:
        assert (
            con.execute("SELECT count(*) FROM publish.spending_monthly").fetchone()[0]
            == _published(portal, "spending_monthly").height
        )


def test_a_revoked_key_is_refused(portal):
    assert code_of(call(portal, "spending_monthly", portal["keys"]["revoked"])[1]) == "ERROR-290"


def test_a_spent_quota_is_refused_until_tomorrow(portal):
    codes = [code_of(call(portal, "job_matching", portal["keys"]["quota"])[1]) for _ in range(5)]
    assert codes[:3] == [codes[0]] * 3 and codes[0] in ("INFO-000", "INFO-200")
    assert codes[3:] == ["ERROR-337", "ERROR-337"]


def test_openapi_describes_every_route_and_code(portal):
    status, body, _ = _get(f"{portal['url']}/api/openapi.json")
    spec = json.loads(body)
    assert status == 200 and spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {f"/api/{name}" for name in ROUTES}
    assert all(code in spec["info"]["description"] for code in CODES)


# --- downloads, usage, what is never served --------------------------------------------------


def test_a_download_is_the_published_file_and_counts_as_a_use(portal):
    product = next(p for p in _catalog(portal)["products"] if p["product"] == "credit_risk_by_area")
    listed = product["periods"][0]["files"][1]  # the CSV
    before = _usage_shown(portal, "credit_risk_by_area")
    status, body, media = _get(f"{portal['url']}/download/credit_risk_by_area/{Path(listed['path']).name}")
    assert status == 200 and "text/csv" in media
    assert hashlib.sha256(body).hexdigest() == listed["sha256"]
    assert _usage_shown(portal, "credit_risk_by_area") == before + 1


def _usage_shown(portal, product: str) -> int:
    _, page, _ = _get(f"{portal['url']}/")
    block = page.decode().split(f'data-product="{product}"')[1]
    return int(re.search(r'class="usage-count">(\d+)<', block).group(1))


def test_usage_counts_follow_the_api_calls(portal):
    before = _usage_shown(portal, "currency_circulation")
    answered = [code_of(call(portal, "currency_circulation", portal["keys"]["public"])[1]) for _ in range(4)]
    assert _usage_shown(portal, "currency_circulation") == before + answered.count("INFO-000")


@pytest.mark.parametrize(
    "path",
    ["/download/spending_monthly/..%2F..%2Fwarehouse.duckdb", "/download/spending_monthly/catalog.json",
     "/download/..%2Fserve/portal.sqlite", "/static/..%2F..%2Fcontracts%2Fkona%2Ftransactions.yaml",
     "/download/spending_monthly/%2Fetc%2Fpasswd"],
)  # fmt: skip
def test_nothing_outside_the_published_files_is_served(portal, path):
    status, body, _ = _get(portal["url"] + path)
    assert status == 404 and b"SQLite" not in body and b"root:" not in body


def test_no_key_is_logged_or_stored_in_clear(portal):
    stored = (portal["root"] / "serve" / "portal.sqlite").read_bytes()
    logged = (portal["root"] / "portal.log").read_bytes()
    for secret in portal["keys"].values():
        assert secret.encode() not in stored and secret.encode() not in logged


def test_a_center_page_shows_its_deliveries_and_only_its_reports(portal):
    status, page, _ = _get(f"{portal['url']}/center", {"KEY": portal["keys"]["center"]})
    text = page.decode()
    assert status == 200 and "kona/transactions" in text and "gjf/" not in text
    status, report, _ = _get(f"{portal['url']}/center/reports/kona/index.html", {"KEY": portal["keys"]["center"]})
    assert status == 200 and b"cardholders" in report  # the index of kona's reports
    status, _, _ = _get(f"{portal['url']}/center/reports/gjf/index.html", {"KEY": portal["keys"]["center"]})
    assert status == 404
    status, _, _ = _get(f"{portal['url']}/center/reports/kona/index.html", {"KEY": portal["keys"]["public"]})
    assert status == 401


@pytest.mark.parametrize(
    "page", ["/", "/products/spending_monthly", "/map", "/map?measure=flag_rate", "/charts", "/founder", "/api"]
)
def test_every_page_answers_in_korean(portal, page):
    status, body, media = _get(portal["url"] + page)
    assert status == 200 and "text/html" in media and "경기 지역경제 데이터" in body.decode()


def test_a_preview_filters_and_sorts(portal):
    _, body, _ = _get(f"{portal['url']}/products/spending_monthly?sigungu_cd=41110&sort=approvals&desc=1")
    cells = re.findall(r"<tr>(.*?)</tr>", body.decode().split('class="preview"')[1].split("</table>")[0], re.S)[1:]
    assert cells and all("<td>41110</td>" in c for c in cells)  # the order is read in the browser test


# --- a real browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        services.require("Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
        )
        yield launched
        launched.close()


def test_a_newcomer_browses_the_portal_in_chromium(portal, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(portal["url"] + "/")
    assert page.locator("article.product").count() == len(_catalog(portal)["products"])
    page.fill("#q", "flows")
    page.click("form.search button")
    assert page.locator("article.product").count() == 1
    # Korean renders in the web font the portal serves, not in boxes
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px NanumGothic', '경기 지역경제')")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('NanumGothic') && f.status === 'loaded')")
    # a product page: sort by approvals, descending, and read the column back
    page.goto(portal["url"] + "/products/spending_monthly")
    page.select_option("select[name=sort]", "approvals")
    page.check("input[name=desc]")
    page.click("form.filters button")
    column = [c.strip() for c in page.locator("table.preview tbody tr td:nth-child(7)").all_inner_texts()]
    shown = [int(c) for c in column if c]
    assert shown == sorted(shown, reverse=True) and shown
    with page.expect_download() as download:
        page.locator("ul.downloads a", has_text=".csv").first.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.read_bytes().decode("utf-8-sig").startswith("기준년월")
    # the map draws every si/gun
    page.goto(portal["url"] + "/map")
    page.wait_for_selector("#map[data-drawn]")
    assert page.locator("#map").get_attribute("data-drawn") == "31"
    assert page.evaluate("document.getElementById('map').data[0].locations.length") == 31
    assert page.locator("#map canvas").count() > 0  # drawn by MapLibre, with no tile fetched
    # the founder's view states its rule and gives every area a light
    page.goto(portal["url"] + "/founder?category=C02")
    assert page.locator("p.rule").inner_text().startswith("규칙")
    assert page.locator("table.lights span.light").count() > 0
    # net openings come from sme_churn (by si/gun and category group): read for some area
    net_openings = page.locator("table.lights tbody tr td:nth-child(4)")
    assert net_openings.count() > 0 and net_openings.filter(has_not_text="비공개").count() > 0
    page.goto(portal["url"] + "/charts")
    page.wait_for_selector("#rhythm .main-svg")
    if os.environ.get("REGIONAL_ECON_SCREENSHOT"):
        page.goto(portal["url"] + "/map")
        page.wait_for_selector("#map[data-drawn]")
        page.screenshot(path=os.environ["REGIONAL_ECON_SCREENSHOT"], full_page=False)
    page.close()
