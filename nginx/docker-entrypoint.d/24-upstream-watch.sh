#!/bin/sh
# NGINX_UPSTREAM_RESOLVE=watch (compose): nginx keeps its connections to gunicorn alive, and follows the app's
# name when it moves. This script resolves NGINX_UPSTREAM_HOST itself (IPv4, as gunicorn listens on 0.0.0.0;
# the name taken as absolute, so that no search domain of the host can stand in for a stopped app), writes
# one `server <address>:<port>;` line per address into conf.d/upstream-servers.inc before nginx starts, and
# leaves a watcher behind. Every second the watcher resolves the name again; when the addresses change (a
# recreated app container), it rewrites the file and reloads nginx with SIGHUP, which starts new workers and
# lets the old ones finish their requests. nginx never resolves the name itself, so a reload cannot fail on
# DNS. The watcher ends with nginx, and says so in the log whenever it ends.
set -o errexit -o nounset

[ "${NGINX_UPSTREAM_RESOLVE:-}" = watch ] || exit 0

ME=$(basename "$0")
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:?NGINX_ENVSUBST_OUTPUT_DIR must be set}"
servers="$output_dir/conf.d/upstream-servers.inc"
pid_file="$output_dir/nginx.pid"
port="$NGINX_UPSTREAM_PORT"
wait_seconds="${NGINX_UPSTREAM_WAIT_SECONDS:-60}"

case "$wait_seconds" in
    ''|*[!0-9]*)
        echo "$ME: ERROR: NGINX_UPSTREAM_WAIT_SECONDS='$wait_seconds' must be a whole number of seconds." >&2
        exit 1
        ;;
esac
# An IPv4 address as it is; a name with a final dot, so that the resolver tries no search domain.
case "$NGINX_UPSTREAM_HOST" in
    *[!0-9.]*) lookup="${NGINX_UPSTREAM_HOST%.}." ;;
    *) lookup="$NGINX_UPSTREAM_HOST" ;;
esac

# Every IPv4 address of the name, sorted, on one line; empty when it does not resolve.
addresses() {
    getent ahostsv4 "$lookup" | while read -r address _; do echo "$address"; done | sort -u | tr '\n' ' '
}

# The upstream's servers for `addresses`, written whole and then renamed, so nginx never reads half a file.
write_servers() {
    for address in $1; do echo "server $address:$port;"; done > "$servers.new"
    mv "$servers.new" "$servers"
}

deadline=$(($(date +%s) + wait_seconds))
said=""
until known="$(addresses)"; [ -n "$known" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "$ME: ERROR: NGINX_UPSTREAM_HOST='$NGINX_UPSTREAM_HOST' did not resolve within ${wait_seconds}s." \
            "Is the app service running on this network? (NGINX_UPSTREAM_WAIT_SECONDS sets the wait.)" >&2
        exit 1
    fi
    [ -n "$said" ] || echo "$ME: waiting for NGINX_UPSTREAM_HOST='$NGINX_UPSTREAM_HOST' to resolve" >&2
    said=yes
    sleep 1
done
write_servers "$known"
echo "$ME: $NGINX_UPSTREAM_HOST is [ $known]; watching it" >&2
# A pid file left by an nginx that was killed would name a process that is not this nginx.
rm -f "$pid_file"

watch_upstream() {
    set +o errexit  # a failed step is reported, never a silent end
    trap 'echo "$ME: the watcher stopped: nginx no longer follows $NGINX_UPSTREAM_HOST" >&2' EXIT
    while [ ! -s "$pid_file" ]; do sleep 0.2; done
    pid="$(cat "$pid_file")"
    while sleep 1; do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = nginx ] || exit 0
        current="$(addresses)"
        if [ -n "$current" ] && [ "$current" != "$known" ]; then
            echo "$ME: $NGINX_UPSTREAM_HOST moved from [ $known] to [ $current]: reloading nginx" >&2
            if write_servers "$current" && kill -HUP "$pid"; then
                known="$current"
            fi
        fi
    done
}

watch_upstream &
