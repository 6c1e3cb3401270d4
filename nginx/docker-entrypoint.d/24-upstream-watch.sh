#!/bin/sh
# NGINX_UPSTREAM_RESOLVE=watch: nginx resolves NGINX_UPSTREAM_HOST once, when it reads its configuration,
# and keeps connections to gunicorn alive. This script waits until the name resolves (nginx would refuse to
# start without it), then leaves a watcher behind: every second it looks the name up again and, when the
# addresses change (compose recreated the app container), reloads nginx with SIGHUP. A reload re-resolves
# the name, starts new workers and lets the old ones finish their requests: nothing in flight is lost.
# The watcher ends with nginx (the pid file is gone or names no live process).
set -o errexit -o nounset

[ "${NGINX_UPSTREAM_RESOLVE:-}" = watch ] || exit 0

ME=$(basename "$0")
host="$NGINX_UPSTREAM_HOST"
wait_seconds="${NGINX_UPSTREAM_WAIT_SECONDS:-60}"
pid_file="${NGINX_ENVSUBST_OUTPUT_DIR:?NGINX_ENVSUBST_OUTPUT_DIR must be set}/nginx.pid"

case "$wait_seconds" in
    ''|*[!0-9]*)
        echo "$ME: ERROR: NGINX_UPSTREAM_WAIT_SECONDS='$wait_seconds' must be a whole number of seconds." >&2
        exit 1
        ;;
esac

# Every address the name has, sorted, on one line; empty when it does not resolve.
addresses() {
    getent ahosts "$host" | while read -r address _; do echo "$address"; done | sort -u | tr '\n' ' '
}

waited=0
while [ -z "$(addresses)" ]; do
    if [ "$waited" -ge "$wait_seconds" ]; then
        echo "$ME: ERROR: NGINX_UPSTREAM_HOST='$host' did not resolve within ${wait_seconds}s. Is the app" \
            "service running on this network? (NGINX_UPSTREAM_WAIT_SECONDS sets the wait.)" >&2
        exit 1
    fi
    [ "$waited" -gt 0 ] || echo "$ME: waiting for NGINX_UPSTREAM_HOST='$host' to resolve" >&2
    sleep 1
    waited=$((waited + 1))
done

watch_upstream() {
    # nginx writes its pid file once it has read the configuration, so `known` is what it resolved (or newer).
    while [ ! -s "$pid_file" ]; do sleep 0.2; done
    known="$(addresses)"
    while sleep 1; do
        pid="$(cat "$pid_file" 2>/dev/null)" || exit 0
        kill -0 "$pid" 2>/dev/null || exit 0
        current="$(addresses)"
        if [ -n "$current" ] && [ "$current" != "$known" ]; then
            echo "$ME: $host moved from [ $known] to [ $current]: reloading nginx" >&2
            kill -HUP "$pid"
            known="$current"
        fi
    done
}

watch_upstream &
