# The app image: gunicorn serving myapp, with the hashed static files and a migrated SQLite seed built in.
# Builds with the classic builder and with BuildKit. README.md, "Images", explains the build arguments.

# The base: python:3.12-slim on Debian bookworm; `make base-images` builds a stand-in for offline hosts.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# A PEM file in the build context with extra CA certificates, for networks that re-sign TLS (pip).
ARG EXTRA_CA_CERTS=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
# With no EXTRA_CA_CERTS, requirements.txt is simply copied twice.
COPY requirements.txt ${EXTRA_CA_CERTS:-requirements.txt} ./
RUN if [ -n "$EXTRA_CA_CERTS" ]; then \
        cat /etc/ssl/certs/ca-certificates.crt "$(basename "$EXTRA_CA_CERTS")" > /build/ca-bundle.pem; \
        export PIP_CERT=/build/ca-bundle.pem; \
    fi \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --requirement requirements.txt
COPY manage.py ./
COPY myapp ./myapp
# Static files are collected here, once, with hashed names; Dockerfile.nginx repeats these steps.
RUN DJANGO_STATIC_ROOT=/srv/static /opt/venv/bin/python manage.py collectstatic --noinput -v0

FROM build AS seed
RUN mkdir /build/seed \
    && DJANGO_SQLITE_PATH=/build/seed/db.sqlite3 /opt/venv/bin/python manage.py migrate --noinput -v0

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
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/static /srv/static
COPY --from=seed /build/seed /app/seed
WORKDIR /app
COPY manage.py ./
COPY myapp ./myapp
USER 10001:10001
# Writable paths under a read-only root filesystem. ECS (Fargate included) copies a VOLUME's ownership
# from the image into an empty task volume mounted at the same path.
VOLUME ["/data", "/tmp"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["python", "-m", "myapp.healthcheck"]
# gunicorn handles SIGTERM as a graceful stop (GUNICORN_GRACEFUL_TIMEOUT); run with an init (`init: true`,
# ECS initProcessEnabled) so that zombies are reaped and signals are forwarded.
CMD ["gunicorn", "--config", "myapp/gunicorn.conf.py"]
