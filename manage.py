#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myapp.settings")
    from django.core.management import execute_from_command_line

    from myapp.env import exit_on_env_error

    with exit_on_env_error("manage.py"):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
