# Stand-in for nginxinc/nginx-unprivileged, built from Debian bookworm's nginx-light (1.22). It offers
# what the Dockerfile's nginx stage relies on: the templates mechanism (/docker-entrypoint.sh running
# /docker-entrypoint.d), NGINX_LOCAL_RESOLVERS, uid 101, port 8080, pid and temp paths in /tmp,
# logs to stdout/stderr, curl, and SIGQUIT as the stop signal.
ARG DEBIAN_IMAGE=standin/debian:bookworm
FROM ${DEBIAN_IMAGE}
# Unpinned on purpose: the stand-in takes bookworm's current security updates, and a pinned version
# disappears from the mirror at the next one, which would break the build.
# hadolint ignore=DL3008
RUN echo "deb http://deb.debian.org/debian-security bookworm-security main" >>/etc/apt/sources.list \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        nginx-light gettext-base curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
    && groupadd --system --gid 101 nginx \
    && useradd --system --uid 101 --gid 101 --home-dir /nonexistent --shell /usr/sbin/nologin nginx \
    && sed -i -e '/^user /d' -e 's|^pid .*|pid /tmp/nginx.pid;|' \
        -e 's|^http {|http {\n\tproxy_temp_path /tmp/proxy_temp;\n\tclient_body_temp_path /tmp/client_temp;\n\tfastcgi_temp_path /tmp/fastcgi_temp;\n\tuwsgi_temp_path /tmp/uwsgi_temp;\n\tscgi_temp_path /tmp/scgi_temp;|' \
        /etc/nginx/nginx.conf \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log \
    && mkdir -p /docker-entrypoint.d /etc/nginx/templates \
    && chown -R 101:0 /etc/nginx/conf.d /var/lib/nginx /var/log/nginx
COPY nginx-entrypoint/docker-entrypoint.sh /docker-entrypoint.sh
COPY nginx-entrypoint/15-local-resolvers.envsh nginx-entrypoint/20-envsubst-on-templates.sh /docker-entrypoint.d/
EXPOSE 8080
STOPSIGNAL SIGQUIT
USER 101
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
