#!/bin/sh
# Stops start-up when the templates did not render: the image's envsubst step only logs an error when
# its output directory is read-only, and leaves ${NGINX_...} in place when a variable is not set.
set -o errexit -o nounset

ME=$(basename "$0")
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:?NGINX_ENVSUBST_OUTPUT_DIR must be set}"

if [ ! -s "$output_dir/nginx.conf" ]; then
    echo "$ME: ERROR: $output_dir/nginx.conf was not rendered. $output_dir must be writable: mount a tmpfs" \
        "(compose) or a task volume (ECS) there when the root filesystem is read-only." >&2
    exit 1
fi

leftovers=$(grep -rnoE '\$\{?NGINX_[A-Z0-9_]+\}?' "$output_dir/nginx.conf" "$output_dir/conf.d" || true)
if [ -n "$leftovers" ]; then
    echo "$ME: ERROR: these template variables are not set (file:line:variable); set them in the environment:" >&2
    echo "$leftovers" >&2
    exit 1
fi
