"""The Open API's OpenAPI 3.1 description, derived from the resources and the result codes."""

from __future__ import annotations

from regional_econ.serve import api


def _parameters(resource: api.Resource) -> list[dict]:
    common = [
        {"name": "KEY", "in": "query", "required": True, "schema": {"type": "string"}, "description": "인증키 / API key"},
        {"name": "Type", "in": "query", "schema": {"type": "string", "enum": ["xml", "json"], "default": "xml"}},
        {"name": "pIndex", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {"name": "pSize", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": api.MAX_PAGE, "default": 100}},
    ]
    filters = [
        {"name": f.upper(), "in": "query", "schema": {"type": "string", "maxLength": api.MAX_FILTER_LENGTH},
         "description": f"`{f}` equals this (as text); `{api.TOTAL}` = the total row"}
        for f in resource.filters
    ]  # fmt: skip
    return common + filters


def description() -> dict:
    codes = "\n".join(f"- `{code}` (HTTP {status}): {message}" for code, (status, message) in api.CODES.items())
    paths = {
        f"/api/{name}": {
            "get": {
                "summary": " / ".join(t for t in resource.title if t) or name,
                "description": f"Tier: `{resource.tier}` and above.",
                "parameters": _parameters(resource),
                "responses": {"200": {"description": "INFO-000 or INFO-200"}, "4XX": {"description": "ERROR codes"}},
            }
        }
        for name, resource in api.resources().items()
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "regional-econ Open API", "version": api.API_VERSION,
                 "description": "Gyeonggi regional economy data, in the public-data portals' convention.\n\n" + codes},
        "paths": paths,
    }  # fmt: skip
