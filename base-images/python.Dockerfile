# Stand-in for python:3.12-slim, built from Debian bookworm's packages (Python 3.11). It offers what
# the Dockerfile's app stages use: `python` on PATH, venv, pip inside a venv, and the CA bundle.
ARG DEBIAN_IMAGE=standin/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN echo "deb http://deb.debian.org/debian-security bookworm-security main" >>/etc/apt/sources.list \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["python3"]
