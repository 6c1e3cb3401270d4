#!/bin/sh
# Renders NGINX_TRUSTED_PROXIES (space- or comma-separated IPs and CIDRs) into trusted-proxies.conf:
# nginx passes X-Forwarded-For/-Proto on only from these peers (the load balancer). Empty trusts nobody.
set -o errexit -o nounset
set -f  # the entries are addresses, never file patterns

ME=$(basename "$0")
output="${NGINX_ENVSUBST_OUTPUT_DIR:?NGINX_ENVSUBST_OUTPUT_DIR must be set}/conf.d/trusted-proxies.conf"
proxies=$(printf '%s' "${NGINX_TRUSTED_PROXIES-}" | tr ',\n\t' '   ')

refuse() {
    echo "$ME: ERROR: NGINX_TRUSTED_PROXIES entry '$1' is not an IP address or CIDR" \
        "(example: 10.0.0.0/8 172.16.0.0/12)." >&2
    exit 1
}

# An IPv4 address with octets up to 255 and a prefix up to 32, or an IPv6 address with a prefix up to 128.
valid() {
    address=${1%/*}
    prefix=${1#"$address"}
    prefix=${prefix#/}
    case "$address" in
        *:::*) return 1 ;;
        *::*::*) return 1 ;;
        *:*:*)
            printf '%s' "$address" | grep -qE '^[0-9A-Fa-f:.]+$' || return 1
            limit=128
            ;;
        *.*.*.*)
            printf '%s' "$address" | grep -qE '^[0-9]{1,3}(\.[0-9]{1,3}){3}$' || return 1
            for octet in $(echo "$address" | tr '.' ' '); do
                [ "$octet" -le 255 ] || return 1
            done
            limit=32
            ;;
        *) return 1 ;;
    esac
    [ -z "$prefix" ] || { printf '%s' "$prefix" | grep -qE '^[0-9]{1,3}$' && [ "$prefix" -le "$limit" ]; }
}

for proxy in $proxies; do
    valid "$proxy" || refuse "$proxy"
done

mkdir -p "$(dirname "$output")"
{
    # shellcheck disable=SC2086 # split on purpose: one space between the entries, whatever separated them
    echo "# Rendered by $ME from NGINX_TRUSTED_PROXIES:" $proxies
    for proxy in $proxies; do echo "set_real_ip_from $proxy;"; done
    # shellcheck disable=SC2016 # nginx's variables, written as they are
    echo 'geo $realip_remote_addr $from_trusted_proxy {'
    echo '    default 0;'
    for proxy in $proxies; do echo "    $proxy 1;"; done
    echo '}'
} > "$output"
