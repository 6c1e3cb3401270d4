"""`python -m native` (make run): reads PORT, APP_PORT and Django's settings, then runs the stack."""

import os
import sys
from pathlib import Path

from native.errors import StackError
from native.run import run
from native.stack import NativeStack


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myapp.settings")
    from django.conf import settings

    from myapp.env import EnvError, env_int, env_str

    try:
        # Django's settings are the one home of the static root and the body limit; nginx gets the same.
        stack = NativeStack(
            static_root=Path(settings.STATIC_ROOT),
            max_request_body_mb=settings.MAX_REQUEST_BODY_MB,
            port=env_int("PORT", default=8080, minimum=1, maximum=65535),
            app_port=env_int("APP_PORT", default=8000, minimum=1, maximum=65535),
            trusted_proxies=env_str("NGINX_TRUSTED_PROXIES", "") or None,
        )
        return run(stack)
    except (StackError, EnvError) as error:
        print(f"make run: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
