#!/bin/sh
# Renders NGINX_TRUSTED_PROXIES (space- or comma-separated IPs and CIDRs) into trusted-proxies.conf:
# nginx passes X-Forwarded-For/-Proto on only from these peers (the load balancer). Empty trusts nobody.
set -o errexit -o nounset

ME=$(basename "$0")
output="${NGINX_ENVSUBST_OUTPUT_DIR:?NGINX_ENVSUBST_OUTPUT_DIR must be set}/conf.d/trusted-proxies.conf"
proxies=$(echo "${NGINX_TRUSTED_PROXIES-}" | tr ',' ' ')

for proxy in $proxies; do
    if ! echo "$proxy" | grep -qE '^(([0-9]{1,3}\.){3}[0-9]{1,3}(/[0-9]{1,2})?|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?)$'; then
        echo "$ME: ERROR: NGINX_TRUSTED_PROXIES entry '$proxy' is not an IP address or CIDR" \
            "(example: 10.0.0.0/8 172.16.0.0/12)." >&2
        exit 1
    fi
done

mkdir -p "$(dirname "$output")"
{
    echo "# Rendered by $ME from NGINX_TRUSTED_PROXIES='${NGINX_TRUSTED_PROXIES-}'."
    for proxy in $proxies; do echo "set_real_ip_from $proxy;"; done
    echo 'geo $realip_remote_addr $from_trusted_proxy {'
    echo '    default 0;'
    for proxy in $proxies; do echo "    $proxy 1;"; done
    echo '}'
} > "$output"
