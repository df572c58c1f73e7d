"""The portal and the Open API as one Starlette application (``regional-econ portal``).

Pages are server-rendered (Jinja2) and Korean first; the map and charts are drawn in the browser
by plotly.js, served from the installed ``plotly`` package (no CDN). Products are read from the
warehouse opened read-only and downloads from the files the catalog lists; nothing else on disk
is served, except a center's own contract reports to a key of that center.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from regional_econ.marts import MARTS, describe, label
from regional_econ.reference import table
from regional_econ.serve import api, founder, measures
from regional_econ.serve.geo import boundaries, si_gun
from regional_econ.serve.keys import KeyStore
from regional_econ.serve.openapi import description
from regional_econ.storage import paths

PREVIEW_ROWS = 50


@dataclass(frozen=True)
class Site:
    publish: Path
    warehouse: Path
    reports: Path
    store: KeyStore
    lake: str | None = None

    @classmethod
    def from_environment(cls) -> Site:
        root = paths.data_root()
        lake = str(paths.lake_root()) if paths.is_remote(paths.lake_root()) else None
        return cls(
            paths.publish_root(), paths.warehouse_path(), paths.reports_root(), KeyStore(root / "serve" / "portal.sqlite"), lake
        )

    def catalog(self) -> dict:
        path = self.publish / "catalog.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"products": []}

    def product(self, name: str) -> dict | None:
        return next((p for p in self.catalog()["products"] if p["product"] == name), None)


TEMPLATES = Environment(loader=PackageLoader("regional_econ.serve", "templates"), autoescape=select_autoescape())


def _page(template: str, request: Request, status: int = 200, **context) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(request=request, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def _site(request: Request) -> Site:
    return request.app.state.site


async def catalog_page(request: Request) -> HTMLResponse:
    site, search = _site(request), request.query_params.get("q", "").strip().lower()
    usage = site.store.usage()
    products = []
    for product in site.catalog()["products"]:
        text = " ".join([product["product"], product.get("title_ko", ""), product.get("title_en", ""), product["description"]])
        if search and search not in text.lower():
            continue
        products.append(product | {"usage": usage.get(product["product"], 0)})
    return _page(
        "catalog.html", request, products=products, q=request.query_params.get("q", ""), release=site.catalog().get("release_id")
    )


def _preview(site: Site, name: str, product: dict, params) -> tuple[list[str], list[dict], int, str | None]:
    columns = [c["name"] for c in product["schema"]]
    resource = api.resources()[name]
    chosen = {k: v for k, v in params.items() if k.upper() in {f.upper() for f in resource.filters} and v}
    sort = params.get("sort") if params.get("sort") in columns else None
    try:
        filters = api.filters(resource, {k.upper(): v for k, v in chosen.items()})  # the API's own validation
        total, rows = api.query(site.warehouse, resource, filters, 1, PREVIEW_ROWS, lake=site.lake,
                                order_by=(sort, params.get("desc") == "1") if sort else None)  # fmt: skip
        return columns, rows, total, None
    except api.Problem as problem:
        return columns, [], 0, api.CODES[problem.code][1]


async def product_page(request: Request) -> HTMLResponse:
    site, name = _site(request), request.path_params["name"]
    product = site.product(name)
    if product is None:
        return _page("missing.html", request, 404, what=name)
    columns, rows, total, problem = _preview(site, name, product, request.query_params)
    dims = MARTS[name].publish.dims
    usage = site.store.usage().get(name, 0)
    return _page("product.html", request, product=product | {"usage": usage}, columns=columns, rows=rows, total=total,
                 problem=problem, dims=dims, params=request.query_params, labels={c: label(c, MARTS[name]) for c in columns})  # fmt: skip


async def download(request: Request) -> Response:
    site, name, file = _site(request), request.path_params["name"], request.path_params["file"]
    product = site.product(name)
    listed = {Path(f["path"]).name: f["path"] for p in (product or {}).get("periods", []) for f in p["files"]}
    if file not in listed:  # only what the catalog lists: no path from the request reaches the disk
        return _page("missing.html", request, 404, what=file)
    site.store.log(None, name, 0, "INFO-000")
    media = "text/csv; charset=utf-8" if file.endswith(".csv") else "application/vnd.apache.parquet"
    return FileResponse(site.publish / listed[file], media_type=media, filename=file)


async def map_page(request: Request) -> HTMLResponse:
    site = _site(request)
    chosen = measures.MEASURES.get(request.query_params.get("measure", ""), measures.MEASURES["net_amount"])
    months = measures.months(site.warehouse, chosen.product)
    month = request.query_params.get("month") if request.query_params.get("month") in months else (months[-1] if months else None)
    values = measures.map_values(site.warehouse, chosen, month) if month else {}
    areas = si_gun()
    return _page("map.html", request, measures=measures.MEASURES, chosen=chosen, months=months, month=month,
                 values=values, areas=areas)  # fmt: skip


async def charts_page(request: Request) -> HTMLResponse:
    site = _site(request)
    months = measures.months(site.warehouse, "spending_by_time")
    month = request.query_params.get("month") if request.query_params.get("month") in months else (months[-1] if months else None)
    areas = si_gun()
    flows = [(areas.get(h, {}).get("name_ko", h), areas.get(m, {}).get("name_ko", m), v)
             for h, m, v in (measures.top_flows(site.warehouse, month) if month else [])]  # fmt: skip
    return _page("charts.html", request, series=measures.monthly_series(site.warehouse), months=months, month=month,
                 rhythm=measures.rhythm(site.warehouse, month) if month else [], flows=flows)  # fmt: skip


def _months_of(files: list[Path]) -> pl.DataFrame:
    """A product's monthly files as one frame; months published before a column was added or
    moved to another product keep their own columns (absent ones are null)."""
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")


async def founder_page(request: Request) -> HTMLResponse:
    site = _site(request)
    categories = table("merchant_categories").select("category_cd", "name_ko", "name_en").rows()
    category = request.query_params.get("category") or categories[0][0]
    found, churn = (sorted((site.publish / name).glob("*/*.parquet")) for name in ("sme_indicators", "sme_churn"))
    lights = founder.lights(_months_of(found), category, _months_of(churn) if churn else None) if found else []
    names = dict(zip(table("areas")["sigungu_cd"], table("areas")["name_ko"], strict=True))
    return _page("founder.html", request, categories=categories, category=category, lights=lights, names=names,
                 rule=(founder.RULE_KO, founder.RULE_EN), colours=founder.LIGHTS)  # fmt: skip


async def center_page(request: Request) -> HTMLResponse:
    """A center's deliveries and contract reports, for its key (given in a form, never in a link)."""
    site = _site(request)
    if request.method == "GET":
        return _page("center.html", request, key=None)
    form = await request.form()
    key = site.store.authenticate(str(form.get("KEY", "")))
    if key is None or not key.reaches("center"):
        return _page("center.html", request, 401, key=None, problem=api.CODES["ERROR-290"][1])
    center = key.center
    resource = api.resources()["deliveries"]
    try:
        total, rows = api.query(site.warehouse, resource, [], 1, api.MAX_PAGE, center=center, lake=site.lake)
    except api.Problem as problem:
        total, rows = 0, []
        site.store.log(key, "deliveries", 0, problem.code)
    else:
        site.store.log(key, "deliveries", len(rows), "INFO-000")
    reports = sorted(p.relative_to(site.reports).as_posix() for p in (site.reports / center).rglob("*.html")) if center else []
    # The key goes back only into this page's report buttons (a form field, never a link or a log).
    return _page("center.html", request, key=key, secret=str(form.get("KEY")), rows=rows, total=total, reports=reports)


async def api_route(request: Request) -> Response:
    site = _site(request)
    result = api.answer(site.store, site.warehouse, request.path_params["name"], dict(request.query_params), site.lake)
    return Response(result.body, status_code=result.status, media_type=result.media_type)


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(description())


async def api_page(request: Request) -> HTMLResponse:
    return _page("api.html", request, resources=api.resources(), codes=api.CODES, max_page=api.MAX_PAGE)


async def boundaries_json(request: Request) -> JSONResponse:
    return JSONResponse(boundaries(), headers={"Cache-Control": "max-age=86400"})


@cache
def _web_font(data: bytes) -> bytes:
    """The font without its hinting-source tables (TSI*): browsers' font sanitizer rejects the empty one."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    for tag in [t for t in font.keys() if t.startswith("TSI")]:
        del font[tag]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# Served from installed packages (no CDN, nothing vendored): plotly.js, and the Korean font.
PACKAGED = {
    "plotly.min.js": ("plotly", "package_data/plotly.min.js", "text/javascript", bytes),
    "fonts/NanumGothic.ttf": ("koreanize_matplotlib", "fonts/NanumGothic.ttf", "font/ttf", _web_font),
}


def _packaged(name: str) -> Route:
    package, inside, media, prepare = PACKAGED[name]

    async def serve(request: Request) -> Response:
        data = prepare(files(package).joinpath(*inside.split("/")).read_bytes())
        return Response(data, media_type=media, headers={"Cache-Control": "max-age=86400"})

    return Route(f"/static/{name}", serve)


async def center_report(request: Request) -> Response:
    """One of the key's center's contract reports (staff: any center's)."""
    site, wanted = _site(request), request.path_params["path"]
    form = await request.form()
    key = site.store.authenticate(str(form.get("KEY", "")))
    if key is None or not key.reaches("center"):
        return _page("center.html", request, 401, key=None, problem=api.CODES["ERROR-290"][1])
    centers = [key.center] if key.tier == "center" else sorted(p.name for p in site.reports.iterdir() if p.is_dir())
    listed = {p.relative_to(site.reports).as_posix(): p for c in centers for p in (site.reports / c).rglob("*.html")}
    if wanted not in listed:  # only the reports listed for this key: no path from the request reaches the disk
        site.store.log(key, "contract_reports", 0, "ERROR-320")
        return _page("missing.html", request, 404, what=wanted)
    site.store.log(key, "contract_reports", 1, "INFO-000")
    return HTMLResponse(listed[wanted].read_text(encoding="utf-8"))


def create_app(site: Site | None = None) -> Starlette:
    routes = [
        Route("/", catalog_page),
        Route("/products/{name}", product_page),
        Route("/download/{name}/{file}", download),
        Route("/map", map_page),
        Route("/charts", charts_page),
        Route("/founder", founder_page),
        Route("/center", center_page, methods=["GET", "POST"]),
        Route("/api", api_page),
        Route("/api/openapi.json", openapi_json),
        Route("/api/{name:path}", api_route),
        Route("/geo/si_gun.json", boundaries_json),
        Route("/center/reports/{path:path}", center_report, methods=["POST"]),
        *[_packaged(name) for name in PACKAGED],
        Mount("/static", StaticFiles(packages=[("regional_econ.serve", "static")]), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.site = site or Site.from_environment()
    return app


TEMPLATES.globals.update(describe=describe, json=json.dumps)
