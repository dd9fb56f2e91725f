"""palmap's geospatial core: files, geometry, statistics, maps and the database.

This package never imports Flask, never reads environment variables and never prints;
callers (``app/``, the CLI, notebooks) pass every setting in.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
