#!/bin/sh
# Checks NGINX_UPSTREAM_RESOLVE before nginx starts: the template include needs one of the three files.
set -o errexit -o nounset

case "${NGINX_UPSTREAM_RESOLVE:-}" in
    start|runtime|watch) ;;
    *)
        echo "$(basename "$0"): ERROR: NGINX_UPSTREAM_RESOLVE='${NGINX_UPSTREAM_RESOLVE:-}' must be 'start'" \
            "(IPs, /etc/hosts, ECS links), 'watch' (a DNS name that can move, as in compose: resolved at" \
            "start and reloaded when it moves) or 'runtime' (looked up every 5 s, no upstream keep-alive)." >&2
        exit 1
        ;;
esac
