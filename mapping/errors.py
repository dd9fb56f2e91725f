"""Errors raised by :mod:`mapping`.

Every message says what was expected, what was found and how to fix it, so that the CLI and the
web app can show it to a user unchanged.
"""

from __future__ import annotations


class MappingError(ValueError):
    """Base class of every error that a user can fix by changing the input or the settings."""

    #: HTTP status the web app answers with; the CLI maps it to an exit status.
    status_code: int = 400


class NotFoundError(MappingError, LookupError):
    """A district, category, indicator, layer or year that does not exist."""

    status_code = 404


class ValidationError(MappingError):
    """Input rows failed validation; nothing was written."""

    status_code = 422


class CRSError(MappingError):
    """A missing, unknown or mixed coordinate reference system."""


class RefusedInputError(MappingError):
    """Input refused as unsafe, unsupported or over a limit; nothing was written."""

    status_code = 413


class ConfigurationError(MappingError):
    """A setting has a value that cannot work (for example an unknown database URL scheme)."""

    status_code = 500


class DatabaseNotReadyError(ConfigurationError):
    """The database exists but has not been migrated (run ``palmap init-db``)."""


class ConflictError(MappingError):
    """A save from a stale copy: someone else changed the record since it was read (409).

    ``current`` holds the record as it is now, so that the person can see the other change
    beside theirs and apply theirs again.
    """

    status_code = 409

    def __init__(self, message: str, *, current: object = None) -> None:
        super().__init__(message)
        self.current = current


class DatabaseBusyError(MappingError):
    """Another writer held the database longer than the wait allowed; nothing was written."""

    status_code = 503


class DatabaseDamagedError(ConfigurationError):
    """The database file is damaged, empty or not a database: palmap neither reads nor writes it
    (restore it from a backup)."""

    status_code = 503
