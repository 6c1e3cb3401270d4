# Stand-in for python:3.12-slim, built from Debian bookworm's packages (Python 3.11). It offers what
# the Dockerfile's app stages use: `python` on PATH, venv, pip inside a venv, and the CA bundle.
ARG DEBIAN_IMAGE=standin/debian:bookworm
FROM ${DEBIAN_IMAGE}
# Unpinned on purpose: the stand-in takes bookworm's current security updates, and a pinned version
# disappears from the mirror at the next one, which would break the build.
# hadolint ignore=DL3008
RUN echo "deb http://deb.debian.org/debian-security bookworm-security main" >>/etc/apt/sources.list \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["python3"]
