"""Health endpoints before host validation, and one JSON log line per request."""

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

from myapp.health import readiness_problems
from myapp.request_context import (
    client_address,
    current_request_id,
    request_id_from,
    trusted_proxy_networks,
)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"

request_log = logging.getLogger("myapp.requests")


class HealthCheckMiddleware:
    """Answers /healthz and /readyz first: load balancers probe with the task's IP as Host, over HTTP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in (LIVENESS_PATH, READINESS_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "method not allowed"}, status=HTTPStatus.METHOD_NOT_ALLOWED)
        if request.path == LIVENESS_PATH:
            # Liveness touches no database: a database outage must not get healthy containers killed.
            return JsonResponse({"status": "ok"})
        problems = readiness_problems()
        if problems:
            return JsonResponse({"status": "unavailable", "problems": problems}, status=HTTPStatus.SERVICE_UNAVAILABLE)
        return JsonResponse({"status": "ready"})


class RequestContextMiddleware:
    """Sets the request id and the client address behind trusted proxies, then logs the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted_networks = trusted_proxy_networks()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request_id = request_id_from(request.headers.get("X-Request-ID"), lambda: uuid.uuid4().hex)
        token = current_request_id.set(request_id)
        peer = request.META.get("REMOTE_ADDR", "")
        request.META["myapp.peer_addr"] = peer
        request.META["REMOTE_ADDR"] = client_address(peer, request.headers.get("X-Real-IP"), self.trusted_networks)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_log.info(
                json.dumps(
                    {
                        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                        "request_id": request_id,
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                        "client": request.META["REMOTE_ADDR"],
                        "peer": peer,
                    }
                )
            )
            return response
        finally:
            current_request_id.reset(token)
