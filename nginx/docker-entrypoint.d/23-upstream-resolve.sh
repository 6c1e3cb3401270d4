#!/bin/sh
# Checks NGINX_UPSTREAM_RESOLVE before nginx starts: a typo would otherwise give 500 on every request.
set -o errexit -o nounset

case "${NGINX_UPSTREAM_RESOLVE:-}" in
    start|runtime) ;;
    *)
        echo "$(basename "$0"): ERROR: NGINX_UPSTREAM_RESOLVE='${NGINX_UPSTREAM_RESOLVE:-}' must be 'start'" \
            "(IPs, /etc/hosts, ECS links) or 'runtime' (DNS names that can move, as in compose)." >&2
        exit 1
        ;;
esac
if [ "$NGINX_UPSTREAM_RESOLVE" = runtime ] && [ -z "${NGINX_LOCAL_RESOLVERS:-}" ]; then
    echo "$(basename "$0"): ERROR: NGINX_UPSTREAM_RESOLVE=runtime needs a DNS server, but /etc/resolv.conf" \
        "lists none (NGINX_LOCAL_RESOLVERS is empty)." >&2
    exit 1
fi
