"""myapp's URLs plus /slow, a view that takes SLOW_SECONDS: a request that is surely in flight."""

import time

from django.http import HttpRequest, HttpResponse
from django.urls import path

from myapp.urls import urlpatterns as product_urlpatterns

SLOW_SECONDS = 2.0


def slow(request: HttpRequest) -> HttpResponse:
    time.sleep(SLOW_SECONDS)
    return HttpResponse(f"slept {SLOW_SECONDS} s\n", content_type="text/plain")


urlpatterns = [path("slow", slow), *product_urlpatterns]
