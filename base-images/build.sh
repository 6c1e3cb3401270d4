#!/usr/bin/env bash
# Builds stand-in base images from Debian packages, for hosts that cannot pull from an image registry
# (`make base-images`, as root: debootstrap needs it). Then writes PYTHON_IMAGE, NGINX_IMAGE,
# POSTGRES_IMAGE and EXTRA_CA_CERTS into .env so that `docker compose up --build` uses them (ENV_FILE names
# another file; the tests use that). docs/base-images.md lists how the stand-ins differ from the official
# images.
set -o errexit -o nounset -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
rootfs_image=standin/debian:bookworm
python_image=standin/python:3.11-bookworm
nginx_image=standin/nginx-unprivileged:1.22-bookworm
postgres_image=standin/postgres:15-bookworm
export DOCKER_BUILDKIT=0  # the classic builder: these hosts have no buildx

if ! docker image inspect "$rootfs_image" >/dev/null 2>&1; then
    if [[ $(id -u) != 0 ]]; then
        echo "base-images: debootstrap needs root: run \`sudo make base-images\`." >&2
        exit 1
    fi
    if ! command -v debootstrap >/dev/null; then
        echo "base-images: debootstrap is missing: \`sudo make base-images\` installs it on Debian/Ubuntu." >&2
        exit 1
    fi
    workdir=$(mktemp -d)
    trap 'rm -rf "$workdir"' EXIT
    echo "base-images: debootstrap bookworm from $mirror (about a minute)"
    debootstrap --variant=minbase bookworm "$workdir/rootfs" "$mirror" >"$workdir/debootstrap.log" 2>&1 \
        || { tail -20 "$workdir/debootstrap.log" >&2; exit 1; }
    # The downloaded packages and indexes are not part of an image: drop them, as official images do.
    rm -rf "$workdir/rootfs"/var/cache/apt/archives/*.deb "$workdir/rootfs"/var/lib/apt/lists/*
    tar -C "$workdir/rootfs" -c . | docker import - "$rootfs_image" >/dev/null
fi

docker build --quiet --build-arg "DEBIAN_IMAGE=$rootfs_image" --tag "$python_image" \
    --file "$here/python.Dockerfile" "$here" >/dev/null
docker build --quiet --build-arg "DEBIAN_IMAGE=$rootfs_image" --tag "$nginx_image" \
    --file "$here/nginx.Dockerfile" "$here" >/dev/null
docker build --quiet --build-arg "DEBIAN_IMAGE=$rootfs_image" --tag "$postgres_image" \
    --file "$here/postgres.Dockerfile" "$here" >/dev/null
echo "base-images: built $python_image, $nginx_image and $postgres_image"

# This host's CA bundle, which includes any CA that re-signs TLS here, for pip inside the build. certs/ is
# git-ignored and kept by `make clean`, so the EXTRA_CA_CERTS written below keeps pointing at a file.
mkdir -p "$repo/certs"
cp /etc/ssl/certs/ca-certificates.crt "$repo/certs/host-ca-certificates.crt"

set_env() {
    local file="${ENV_FILE:-$repo/.env}"
    touch "$file"
    if grep -q "^$1=" "$file"; then
        sed -i "s|^$1=.*|$1=$2|" "$file"
    else
        echo "$1=$2" >>"$file"
    fi
}
set_env PYTHON_IMAGE "$python_image"
set_env NGINX_IMAGE "$nginx_image"
set_env POSTGRES_IMAGE "$postgres_image"
set_env EXTRA_CA_CERTS certs/host-ca-certificates.crt
echo "base-images: wrote PYTHON_IMAGE, NGINX_IMAGE, POSTGRES_IMAGE and EXTRA_CA_CERTS to ${ENV_FILE:-.env}"
