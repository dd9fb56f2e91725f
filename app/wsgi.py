"""The WSGI application for a production server: ``gunicorn --workers 2 'app.wsgi:app'``.

Settings come from the ``PALMAP_*`` variables, as for the ``palmap`` command. Each worker imports
the map pages' modules here, before its first request (:func:`app.preload_server_modules`).
"""

from __future__ import annotations

from app import create_app, preload_server_modules

app = create_app()
preload_server_modules()
