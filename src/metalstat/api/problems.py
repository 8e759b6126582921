"""Errors as RFC 9457 problem details (``application/problem+json``), never cached."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not entitled",
    404: "Not found",
    406: "Not acceptable",
    409: "Conflict",
    422: "Not accepted",
    429: "Too many requests",
}


class Problem(Exception):
    """An answer that is not the data asked for: status, a detail saying why, extras."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = {}


def problem_response(problem: Problem, instance: str) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
        **problem.extra,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=problem.status,
        content_type="application/problem+json",
    )
    response["Cache-Control"] = "no-store"
    for name, value in problem.headers.items():
        response[name] = value
    return response


def not_found(what: str) -> Problem:
    """The one answer for "does not exist" and "not public yet": the same body for both."""
    return Problem(404, f"no {what}")
