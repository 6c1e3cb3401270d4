# Stand-in for postgres:17-bookworm, built from Debian bookworm's `postgresql` package (PostgreSQL 15). It
# offers what docker-compose.postgres.yml relies on: POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB, initdb
# on an empty PGDATA=/var/lib/postgresql/data, scram-sha-256 for TCP from anywhere, port 5432 on every
# address, the `postgres` user (uid 999, as in the official image), pg_isready on PATH, SIGINT to stop.
ARG DEBIAN_IMAGE=standin/debian:bookworm
FROM ${DEBIAN_IMAGE}
# The user first, with the official image's ids, so that a data volume fits both images' `postgres`.
# Debian's package creates a cluster in /var/lib/postgresql/15/main unless told not to; the entrypoint
# creates the one cluster, in PGDATA. listen_addresses = '*' in the sample, as the official image does.
# Unpinned on purpose: the stand-in takes bookworm's current security updates, and a pinned version
# disappears from the mirror at the next one, which would break the build.
# hadolint ignore=DL3008
RUN groupadd --system --gid 999 postgres \
    && useradd --system --gid postgres --uid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres \
    && install --directory --owner postgres --group postgres --mode 1777 /var/lib/postgresql \
    && echo "deb http://deb.debian.org/debian-security bookworm-security main" >>/etc/apt/sources.list \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-common \
    && sed -ri 's/#(create_main_cluster) .*$/\1 = false/' /etc/postgresql-common/createcluster.conf \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql \
    && rm -rf /var/lib/apt/lists/* \
    && sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" /usr/share/postgresql/15/postgresql.conf.sample \
    && grep -qF "listen_addresses = '*'" /usr/share/postgresql/15/postgresql.conf.sample \
    && install --directory --owner postgres --group postgres --mode 3777 /var/run/postgresql
# The server's own binaries first: /usr/bin's are Debian's pg_wrapper, which looks for clusters elsewhere.
ENV PG_MAJOR=15 \
    PATH=/usr/lib/postgresql/15/bin:$PATH \
    LANG=C.UTF-8 \
    PGDATA=/var/lib/postgresql/data
# 1777 until the entrypoint makes it 0700, as in the official image: a fresh volume then suits `user: postgres`.
RUN install --directory --owner postgres --group postgres --mode 1777 "$PGDATA"
VOLUME /var/lib/postgresql/data
COPY postgres-entrypoint /usr/local/bin/docker-entrypoint.sh
# No USER, as in the official image: the entrypoint starts as root only to hand PGDATA to postgres, then
# steps down (compose sets `user: postgres` anyway). No HEALTHCHECK either: compose's pg_isready is the check.
ENTRYPOINT ["docker-entrypoint.sh"]
# Fast shutdown: new connections refused, open transactions rolled back, data flushed; as the official image.
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
