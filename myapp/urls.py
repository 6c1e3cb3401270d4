"""URLs. /healthz and /readyz are answered by myapp.health.HealthCheckMiddleware, before routing."""

from django.contrib import admin
from django.urls import include, path

from myapp.inspector import whoami

urlpatterns = [
    path("admin/", admin.site.urls),
    path("whoami", whoami, name="whoami"),
    path("", include("myapp.guestbook.urls")),
]
