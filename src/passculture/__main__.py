"""`python -m passculture <command>`: the project's manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passculture.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0].replace("__main__.py", "passculture"), *sys.argv[1:]])


if __name__ == "__main__":
    main()
