"""gunicorn settings, read from the environment (docs/configuration.md).

https://gunicorn.org/reference/settings/
"""

import os

from myapp.env import env_int, env_str, exit_on_env_error
from myapp.request_context import FORWARDED_ALLOW_IPS, GUNICORN_DEFAULT_FORWARDED_ALLOW_IPS, trusted_proxy_networks

# A bad value stops gunicorn with one line that names the variable, not a traceback.
with exit_on_env_error("gunicorn"):
    wsgi_app = "myapp.wsgi:application"
    bind = [env_str("GUNICORN_BIND", "0.0.0.0:8000")]

    # A container sees the host's cores (gunicorn#2028), so the worker count is always explicit.
    workers = env_int("WEB_CONCURRENCY", default=2, minimum=1, maximum=64)
    # gthread keeps connections alive; nginx buffers requests and responses, so slow clients cost no thread.
    worker_class = "gthread"
    threads = env_int("GUNICORN_THREADS", default=4, minimum=1, maximum=256)
    # Longer than nginx's upstream keepalive_timeout (60s), so that nginx always closes an idle connection first.
    keepalive = env_int("GUNICORN_KEEPALIVE", default=75, minimum=1)
    timeout = env_int("GUNICORN_TIMEOUT", default=30, minimum=1)
    # Below ECS's stopTimeout (30s by default): in-flight requests finish before SIGKILL.
    graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", default=25, minimum=1)

    # The heartbeat file on tmpfs: fchmod on a slow disk (or overlayfs) can stall workers.
    worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # noqa: S108 - private heartbeat files

    # Trust X-Forwarded-Proto only from nginx. The Django side reads the same variable (myapp.request_context).
    trusted_proxy_networks()  # fails at start, naming the variable, on a malformed value
    forwarded_allow_ips = os.environ.get(FORWARDED_ALLOW_IPS) or ",".join(GUNICORN_DEFAULT_FORWARDED_ALLOW_IPS)
    # Only the header nginx sets; nginx also clears the other spellings a client could send.
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

    loglevel = env_str("GUNICORN_LOG_LEVEL", "info")

# Django writes one JSON line per request (myapp.request_context), so gunicorn's access log stays off.
accesslog = None
errorlog = "-"

# The control socket (gunicornc) is unused and would need a writable $HOME.
control_socket_disable = True
proc_name = "myapp"


def on_starting(server: object) -> None:
    """In the master, before any worker: load the settings (errors stop start-up here, once), seed SQLite, and
    say at once when PostgreSQL cannot be reached. That does not stop start-up: liveness needs no database,
    pages answer 503 and /readyz names the database until it answers, and the site recovers by itself."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myapp.settings")
    from pathlib import Path

    from django.conf import settings

    from myapp.database import connection_problem, seed_sqlite_database

    with exit_on_env_error("gunicorn"):
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, where a bad value is refused
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        if settings.SQLITE_SEED:
            seed_sqlite_database(Path(settings.DATABASES["default"]["NAME"]), Path(settings.SQLITE_SEED))
        return
    if problem := connection_problem("default"):
        server.log.error(  # type: ignore[attr-defined]
            "DATABASE_URL: %s. Starting anyway: pages answer 503 and /readyz names the database until it answers.",
            problem,
        )
