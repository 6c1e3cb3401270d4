"""The request inspector (/whoami): how a request travelled from the client through nginx to Django."""

import socket
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from myapp.request_context import current_request_id

FORWARDING_HEADERS = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP", "X-Request-ID")


def app_address(request: HttpRequest) -> str | None:
    """The address of this app that nginx dialled: localhost in awsvpc, a bridge IP in bridge mode."""
    sock = request.META.get("gunicorn.socket")
    if sock is None:
        return None
    address = sock.getsockname()
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)


def describe_request(request: HttpRequest) -> dict[str, Any]:
    """Everything the inspector shows, as plain data."""
    return {
        "scheme": request.scheme,
        "secure": request.is_secure(),
        "host": request.get_host(),
        "client_address": request.META.get("REMOTE_ADDR"),
        "proxy_address": request.META.get("myapp.peer_addr"),
        "app_address": app_address(request),
        "headers": {name: request.headers.get(name) for name in FORWARDING_HEADERS},
        "request_id": current_request_id.get(),
        "container_hostname": socket.gethostname(),
        "network_mode": settings.NETWORK_MODE,
        "environment": settings.DJANGO_ENV,
    }


def whoami(request: HttpRequest) -> HttpResponse:
    """The inspector page, or its data as JSON for ?format=json; 404 when disabled (always in prod)."""
    if not settings.WHOAMI_ENABLED:
        raise Http404
    details = describe_request(request)
    if request.GET.get("format") == "json":
        return JsonResponse(details)
    return render(request, "whoami.html", {"details": details})


def inspector_link(request: HttpRequest) -> dict[str, Any]:
    """Template context: whether to link to the inspector."""
    return {"whoami_enabled": settings.WHOAMI_ENABLED}
