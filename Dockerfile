# Both images of the stack, from one file, so that the static files are collected once:
#   docker build --target app   -t myapp-app .     gunicorn serving the Django project
#   docker build --target nginx -t myapp-nginx .   nginx with the templates and the static files
# Builds with the classic builder and with BuildKit. docs/images.md explains the build arguments.

# The bases: python:3.12-slim on Debian bookworm and the unprivileged nginx image (uid 101, port 8080).
# `make base-images` builds stand-ins for hosts that cannot pull them.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.30.4-trixie

FROM ${PYTHON_IMAGE} AS python-deps
# A PEM file in the build context with extra CA certificates, for networks that re-sign TLS (pip).
ARG EXTRA_CA_CERTS=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
# With no EXTRA_CA_CERTS, requirements.txt is simply copied twice. The venv keeps only what the app imports:
# pip (and setuptools, which venv adds on Python < 3.12) go once the requirements are in: 21.6 MB of the
# app image on the Python 3.11 stand-in (docs/benchmarks.md). The base image's own pip stays: `pip --python /opt/venv/bin/python list` reads the venv.
COPY requirements.txt ${EXTRA_CA_CERTS:-requirements.txt} ./
RUN if [ -n "$EXTRA_CA_CERTS" ]; then \
        cat /etc/ssl/certs/ca-certificates.crt "$(basename "$EXTRA_CA_CERTS")" > /build/ca-bundle.pem; \
        export PIP_CERT=/build/ca-bundle.pem; \
    fi \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --requirement requirements.txt \
    && /opt/venv/bin/pip uninstall --yes --quiet pip setuptools
COPY manage.py ./
COPY myapp ./myapp

# The static files, collected once with hashed names; both images copy them from here.
FROM python-deps AS static
RUN DJANGO_STATIC_ROOT=/srv/static /opt/venv/bin/python manage.py collectstatic --noinput -v0

FROM ${NGINX_IMAGE} AS nginx
COPY nginx/templates /etc/nginx/templates
COPY nginx/docker-entrypoint.d/ /docker-entrypoint.d/
COPY nginx/errors /usr/share/nginx/errors
COPY --from=static /srv/static /srv/static
# Rendered config, pid and temp files all go to /tmp, the one writable path under a read-only root.
# The defaults are the `bridge` row of topologies.py (a test checks every shared value); compose and the
# task definitions set their own.
ENV NGINX_ENVSUBST_OUTPUT_DIR=/tmp \
    NGINX_ENVSUBST_FILTER=^NGINX_ \
    NGINX_ENTRYPOINT_LOCAL_RESOLVERS=1 \
    NGINX_LISTEN_ADDRESS=0.0.0.0 \
    NGINX_LISTEN_PORT=8080 \
    NGINX_UPSTREAM_HOST=app \
    NGINX_UPSTREAM_PORT=8000 \
    NGINX_UPSTREAM_RESOLVE=start \
    NGINX_STATIC_ROOT=/srv/static \
    NGINX_ERROR_PAGES_ROOT=/usr/share/nginx/errors \
    NGINX_CLIENT_MAX_BODY_MB=10 \
    NGINX_WORKER_PROCESSES=2 \
    NGINX_LIMIT_CONN_PER_CLIENT=100 \
    NGINX_TRUSTED_PROXIES="10.0.0.0/8 172.16.0.0/12 192.168.0.0/16"
USER 101
VOLUME ["/tmp"]
EXPOSE 8080
STOPSIGNAL SIGQUIT
# The shell form on purpose: it expands NGINX_LISTEN_PORT when the check runs, and `|| exit 1` maps
# curl's many exit codes to the 1 Docker expects.
# hadolint ignore=DL3025
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${NGINX_LISTEN_PORT}/nginx-health" || exit 1
CMD ["nginx", "-e", "stderr", "-c", "/tmp/nginx.conf", "-g", "daemon off;"]

# The migrated SQLite database that the app copies into an empty data volume on its first start.
FROM python-deps AS seed
RUN mkdir /build/seed \
    && DJANGO_SQLITE_PATH=/build/seed/db.sqlite3 /opt/venv/bin/python manage.py migrate --noinput -v0

# The app: the last stage, so it is also what a build without --target gives. The classic builder builds
# every stage before the target (so the app build builds the small nginx stage too); BuildKit builds only
# what the target needs. The nginx stage comes before `seed`, so `--target nginx` never runs migrate.
FROM ${PYTHON_IMAGE} AS app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_STATIC_ROOT=/srv/static \
    DJANGO_SQLITE_PATH=/data/db.sqlite3 \
    DJANGO_SQLITE_SEED=/app/seed/db.sqlite3 \
    GUNICORN_BIND=0.0.0.0:8000
# uid 10001 owns only the data directory; the code and static files stay root-owned and read-only.
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin app \
    && mkdir /data && chown 10001:10001 /data
COPY --from=python-deps /opt/venv /opt/venv
COPY --from=static /srv/static /srv/static
COPY --from=seed /build/seed /app/seed
WORKDIR /app
# The Django project only (its gunicorn config and health probe included); a test checks what /app holds.
COPY manage.py ./
COPY myapp ./myapp
USER 10001:10001
# Writable paths under a read-only root filesystem. ECS (Fargate included) copies a VOLUME's ownership
# from the image into an empty task volume mounted at the same path.
VOLUME ["/data", "/tmp"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["python", "-m", "myapp.probe"]
# gunicorn handles SIGTERM as a graceful stop (GUNICORN_GRACEFUL_TIMEOUT); run with an init (`init: true`,
# ECS initProcessEnabled) so that zombies are reaped and signals are forwarded.
CMD ["gunicorn", "--config", "myapp/gunicorn.conf.py"]
