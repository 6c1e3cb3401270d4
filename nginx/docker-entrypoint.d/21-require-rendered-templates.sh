#!/bin/sh
# Stops start-up when the templates did not render properly. The image's envsubst step only logs an
# error when its output directory is read-only, leaves ${NGINX_...} in place when a variable is unset,
# and renders an empty value as nothing at all: `alias /;` would serve the whole filesystem.
set -o errexit -o nounset

ME=$(basename "$0")
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:?NGINX_ENVSUBST_OUTPUT_DIR must be set}"

if [ ! -s "$output_dir/nginx.conf" ]; then
    echo "$ME: ERROR: $output_dir/nginx.conf was not rendered. $output_dir must be writable: mount a tmpfs" \
        "(compose) or a task volume (ECS) there when the root filesystem is read-only." >&2
    exit 1
fi

missing=""
# shellcheck disable=SC2016 # a pattern that matches `${NGINX_...}` literally
for name in $(grep -rhoE '\$\{NGINX_[A-Z0-9_]+\}' "$template_dir" | tr -d '${}' | sort -u); do
    eval "value=\${$name:-}"
    # shellcheck disable=SC2154 # value is set by eval
    [ -n "$value" ] || missing="$missing \${$name}"
done
if [ -n "$missing" ]; then
    echo "$ME: ERROR: these template variables are unset or empty; set them in the environment:$missing" >&2
    exit 1
fi
