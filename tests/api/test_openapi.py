"""The OpenAPI document lists every route the API answers, with its summary."""

from __future__ import annotations

from metalstat.api.routes import api


def test_every_route_is_in_the_openapi_document_with_a_summary() -> None:
    routed = {f"/api/v1{path}" for _, router in api._routers for path in router.path_operations}
    schema = api.get_openapi_schema()
    assert routed == set(schema["paths"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


def test_the_file_routes_say_which_suffixes_they_take() -> None:
    paths = api.get_openapi_schema()["paths"]
    for path in ("/api/v1/series/{series_id}/observations.{suffix}", "/api/v1/data/{key}/file.{suffix}"):
        summary = paths[path]["get"]["summary"]
        assert all(s in summary for s in (".csv", ".xlsx", ".sdmx.csv", ".sdmx.json")), summary
