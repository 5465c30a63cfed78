"""The Django project ``nox -s bench`` serves under gunicorn: three SCIM targets, one database.

* ``/scim/v2/``: drf-scim, as the example project mounts it (``SCIMRouter``);
* ``/floor/``: hand-written views answering the same JSON from ``.values()`` rows, with no
  authentication: the least any implementation must do (``floor.py``);
* ``/scim2/``: django-scim2 0.23.0 on the same ``auth.User``/``auth.Group`` tables
  (``scim2.py``).

Every response carries ``X-Queries``: the SQL statements the request ran
(``middleware.py``).
"""
