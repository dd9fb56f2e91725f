"""gunicorn's settings for palmap: ``gunicorn -c python:app.gunicorn_conf 'app.wsgi:app'``.

gunicorn answers some requests itself, without palmap's security headers (docs/SECURITY.md):
a request line longer than its ``limit_request_line`` (at most 8190 bytes; 4094 by default) gets
gunicorn's own 414. Here the line is not limited by gunicorn, so a long query reaches palmap,
which answers anything over :data:`app.security.MAX_QUERY_BYTES` with its own 414 and every
header. What stays bounded: a request that has not arrived after ``timeout`` seconds is
dropped with its worker, and the reverse proxy in front limits the line too (nginx:
``large_client_header_buffers``; see README, "Running on a server", for its header lines).
gunicorn's ``Server`` header says ``gunicorn`` with no version (gunicorn 20 and later).
"""

from __future__ import annotations

#: 0: no limit of gunicorn's (palmap answers a query that is too long itself, with its headers).
limit_request_line = 0
#: Seconds a worker may spend on one request, reading it included.
timeout = 30
