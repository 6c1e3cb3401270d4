#!/bin/sh
# Stand-in for the nginx image's entrypoint: when the command is nginx, source /docker-entrypoint.d/*.envsh
# and run /docker-entrypoint.d/*.sh in order (a failing script stops start-up), then exec the command.
set -e

if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
    for script in $(find /docker-entrypoint.d/ -follow -type f | sort -V); do
        if [ ! -x "$script" ]; then
            echo "$0: ignoring $script, not executable" >&2
            continue
        fi
        case "$script" in
            *.envsh) echo "$0: sourcing $script" >&2; . "$script" ;;
            *.sh) echo "$0: running $script" >&2; "$script" ;;
            *) echo "$0: ignoring $script" >&2 ;;
        esac
    done
    echo "$0: configuration complete; ready for start up" >&2
fi

exec "$@"
