"""The Open API, in the convention of Gyeonggi's and the national public-data portals.

``GET /api/<resource>?KEY=...&Type=json|xml&pIndex=1&pSize=100&SIGUNGU_CD=41110``: filters are
the resource's declared dimensions in capitals, compared as text and bound as parameters
(``ALL`` asks for the total row, whose dimension is empty). Every answer carries a result code
(``CODES``) and, in JSON, the portals' ``head``/``row`` shape. The tiers: ``public`` reads the
disclosure-controlled products, ``center`` also its own center's deliveries, ``staff`` also the
internal marts. Everything is read from the warehouse, opened read-only for each call.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import duckdb

from regional_econ import names
from regional_econ.marts import MARTS
from regional_econ.serve.keys import Key, KeyStore
from regional_econ.warehouse import register_lake

API_VERSION = "1.0"
MAX_PAGE = 1000
QUERY_SECONDS = 10.0
MAX_FILTER_LENGTH = 64
TOTAL = "ALL"

# code -> (HTTP status, message). Stable: clients branch on them.
CODES: dict[str, tuple[int, str]] = {
    "INFO-000": (200, "정상 처리되었습니다."),
    "INFO-200": (200, "해당하는 데이터가 없습니다."),
    "ERROR-290": (401, "인증키가 유효하지 않습니다. 인증키가 없는 경우, 포털에서 발급받으십시오."),
    "ERROR-300": (400, "필수 값이 누락되어 있습니다. 요청인자를 참고 하십시오."),
    "ERROR-301": (400, "파일타입 값이 누락 혹은 유효하지 않습니다. Type은 json 또는 xml입니다."),
    "ERROR-310": (404, "해당하는 서비스를 찾을 수 없습니다."),
    "ERROR-320": (403, "이 인증키의 등급으로는 읽을 수 없는 서비스입니다."),
    "ERROR-333": (400, "요청위치 값의 타입이 유효하지 않습니다. pIndex와 pSize는 1 이상의 정수입니다."),
    "ERROR-336": (400, f"데이터요청은 한번에 최대 {MAX_PAGE}건을 넘을 수 없습니다."),
    "ERROR-337": (429, "일별 트래픽 제한을 넘은 호출입니다."),
    "ERROR-340": (400, "허용되지 않은 검색 조건입니다. 서비스 설명의 검색 조건만 쓸 수 있습니다."),
    "ERROR-500": (500, "서버 오류입니다."),
    "ERROR-600": (503, "데이터베이스에 연결할 수 없습니다."),
    "ERROR-610": (503, f"조회 시간 제한({QUERY_SECONDS:.0f}초)을 넘었습니다. 검색 조건을 좁히십시오."),
}
RESERVED = ("KEY", "TYPE", "PINDEX", "PSIZE")


@dataclass(frozen=True)
class Resource:
    """What a route serves: a warehouse view, the tier that may read it, its filters and order."""

    name: str
    view: str
    tier: str
    filters: tuple[str, ...]
    order: tuple[str, ...]
    center_scoped: bool = False  # rows of the key's own center only (staff: every center)
    title: tuple[str, str] = ("", "")


def resources() -> dict[str, Resource]:
    found: dict[str, Resource] = {}
    for name, mart in MARTS.items():
        if mart.publish is not None:
            found[name] = Resource(name, names.view(names.PUBLISH, name), "public", mart.publish.dims, mart.publish.dims,
                                   title=mart.publish.title)  # fmt: skip
        found[f"marts/{name}"] = Resource(f"marts/{name}", names.view(names.MARTS, name), "staff", mart.grain, mart.grain)
    found["deliveries"] = Resource(
        "deliveries", "ops.receipts", "center", ("feed", "period", "outcome", "in_force"), ("feed", "period", "file"),
        center_scoped=True, title=("전송 현황", "Deliveries and their receipts"),
    )  # fmt: skip
    return found


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    media_type: str
    code: str
    rows: int = 0


class Problem(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _page(params: Mapping[str, str]) -> tuple[int, int]:
    try:
        index, size = int(params.get("PINDEX", "1")), int(params.get("PSIZE", "100"))
    except ValueError:
        raise Problem("ERROR-333") from None
    if index < 1 or size < 1:
        raise Problem("ERROR-333")
    if size > MAX_PAGE:
        raise Problem("ERROR-336")
    return index, size


def filters(resource: Resource, params: Mapping[str, str]) -> list[tuple[str, str]]:
    allowed = {f.upper(): f for f in resource.filters}
    chosen = []
    for name, value in params.items():
        if name in RESERVED:
            continue
        if name not in allowed or len(value) > MAX_FILTER_LENGTH:
            raise Problem("ERROR-340")
        column = allowed[name]
        if column == "month" and len(value) == len("2026-09"):
            value += "-01"  # a month as people write it
        chosen.append((column, value))
    return chosen


def _where(filters: list[tuple[str, str]], center: str | None) -> tuple[str, list]:
    clauses, bound = [], []
    for column, value in filters:  # column names come from the declarations, values are bound
        if value == TOTAL:
            clauses.append(f'"{column}" IS NULL')
        else:
            clauses.append(f'CAST("{column}" AS VARCHAR) = ?')
            bound.append(value)
    if center is not None:
        clauses.append("feed LIKE ? || '/%'")
        bound.append(center)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", bound


def _plain(value):
    if isinstance(value, bytes):
        return value.hex()  # pseudonymous tokens (staff tier)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def query(warehouse: Path, resource: Resource, filters: list[tuple[str, str]], index: int, size: int,
          center: str | None = None, lake: str | None = None,
          order_by: tuple[str, bool] | None = None) -> tuple[int, list[dict]]:  # fmt: skip
    """(rows matching, the page's rows) from the read-only warehouse; interrupted past ``QUERY_SECONDS``."""
    if not warehouse.exists():
        raise Problem("ERROR-600")
    where, bound = _where(filters, center)
    order = ", ".join(f'"{c}" NULLS FIRST' for c in resource.order)
    if order_by is not None:  # a column the caller checked against the product's schema
        order = f'"{order_by[0]}" {"DESC" if order_by[1] else "ASC"} NULLS LAST, {order}'
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        raise Problem("ERROR-600") from None
    timer = threading.Timer(QUERY_SECONDS, con.interrupt)
    timer.start()
    try:
        register_lake(con, lake)
        total = con.execute(f"SELECT count(*) FROM {resource.view}{where}", bound).fetchone()[0]
        cursor = con.execute(
            f"SELECT * FROM {resource.view}{where} ORDER BY {order} LIMIT ? OFFSET ?", [*bound, size, (index - 1) * size]
        )
        columns = [d[0] for d in cursor.description]
        rows = [{c: _plain(v) for c, v in zip(columns, r, strict=True)} for r in cursor.fetchall()]
    except duckdb.InterruptException:
        raise Problem("ERROR-610") from None
    except duckdb.CatalogException:
        raise Problem("INFO-200") from None  # the view is not built yet: nothing published
    finally:
        timer.cancel()
        con.close()
    return total, rows


def render(service: str, code: str, media: str, total: int = 0, rows: list[dict] | None = None) -> Answer:
    status, message = CODES[code]
    service = service.replace("/", "_")
    head = [{"list_total_count": total}, {"RESULT": {"CODE": code, "MESSAGE": message}}, {"api_version": API_VERSION}]
    if media == "json":
        document = {service: [{"head": head}, {"row": rows}]} if rows else {"RESULT": {"CODE": code, "MESSAGE": message}}
        body = json.dumps(document, ensure_ascii=False).encode()
        return Answer(status, body, "application/json; charset=utf-8", code, len(rows or []))
    root = ElementTree.Element(service if rows else "RESULT")
    if rows:
        head_element = ElementTree.SubElement(root, "head")
        ElementTree.SubElement(head_element, "list_total_count").text = str(total)
        result = ElementTree.SubElement(head_element, "RESULT")
        ElementTree.SubElement(result, "CODE").text, ElementTree.SubElement(result, "MESSAGE").text = code, message
        ElementTree.SubElement(head_element, "api_version").text = API_VERSION
        for row in rows:
            element = ElementTree.SubElement(root, "row")
            for column, value in row.items():
                ElementTree.SubElement(element, column).text = "" if value is None else str(value)
    else:
        ElementTree.SubElement(root, "CODE").text, ElementTree.SubElement(root, "MESSAGE").text = code, message
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Answer(status, body, "application/xml; charset=utf-8", code, len(rows or []))


def answer(store: KeyStore, warehouse: Path, name: str, raw: Mapping[str, str], lake: str | None = None) -> Answer:
    """One API call, checked, answered and logged (key id, resource, rows, code; never the key)."""
    params = {k.upper(): v for k, v in raw.items()}
    media = params.get("TYPE", "xml").lower()
    if media not in ("json", "xml"):
        return render(name, "ERROR-301", "xml")
    key: Key | None = None
    try:
        if not params.get("KEY"):
            raise Problem("ERROR-300")
        key = store.authenticate(params["KEY"])
        if key is None:
            raise Problem("ERROR-290")
        resource = resources().get(name)
        if resource is None:
            raise Problem("ERROR-310")
        if not key.reaches(resource.tier):
            raise Problem("ERROR-320")
        if store.calls_today(key) >= key.daily_quota:
            raise Problem("ERROR-337")
        index, size = _page(params)
        center = key.center if resource.center_scoped and key.tier == "center" else None
        total, rows = query(warehouse, resource, filters(resource, params), index, size, center, lake)
        result = render(name, "INFO-000" if rows else "INFO-200", media, total, rows)
    except Problem as problem:
        result = render(name, problem.code, media)
    except Exception as error:  # noqa: BLE001 - the client gets a code; the log names the type, never a value
        logging.getLogger(__name__).error("ERROR-500 on %s: %s", name, type(error).__name__)
        result = render(name, "ERROR-500", media)
    store.log(key, name, result.rows, result.code)
    return result
