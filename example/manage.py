#!/usr/bin/env python
"""Django's command-line utility for the drf-scim example project.

Run it from anywhere, e.g. from the repository root: ``python example/manage.py migrate``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

EXAMPLE_DIR = Path(__file__).resolve().parent
REPO_ROOT = EXAMPLE_DIR.parent


def main() -> None:
    # The checkout's drf_scim wins over an installed copy, so the example always runs the
    # code beside it, installed or not.
    sys.path[:0] = [str(EXAMPLE_DIR), str(REPO_ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
