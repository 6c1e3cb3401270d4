#!/bin/sh
# Checks NGINX_UPSTREAM_RESOLVE before nginx starts: the template maps any other value to 'start'.
set -o errexit -o nounset

case "${NGINX_UPSTREAM_RESOLVE:-}" in
    start|runtime) ;;
    *)
        echo "$(basename "$0"): ERROR: NGINX_UPSTREAM_RESOLVE='${NGINX_UPSTREAM_RESOLVE:-}' must be 'start'" \
            "(IPs, /etc/hosts, ECS links) or 'runtime' (DNS names that can move, as in compose)." >&2
        exit 1
        ;;
esac
