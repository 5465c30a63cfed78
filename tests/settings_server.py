"""Settings of the gunicorn servers that tests/test_scale_out.py starts.

The suite's own settings (the module named in ``DRF_SCIM_SERVER_SETTINGS``), on the
database the running test uses: its connection settings, as JSON, in
``DRF_SCIM_SERVER_DATABASE``. Connections persist, as docs/deployment.md advises.
"""

from __future__ import annotations

import json
import os
from importlib import import_module

_suite = import_module(os.environ.get("DRF_SCIM_SERVER_SETTINGS", "tests.settings"))
globals().update({name: value for name, value in vars(_suite).items() if name.isupper()})

DATABASES = {"default": {**json.loads(os.environ["DRF_SCIM_SERVER_DATABASE"]), "CONN_MAX_AGE": 60}}
