"""Errors raised by :mod:`mapping`.

Every message says what was expected, what was found and how to fix it, so that the CLI and the
web app can show it to a user unchanged.

A message the web pages show in their own language is written with :func:`msg`: an English
template with named ``{placeholders}`` (``str.format`` syntax) and the values that fill them.
The English text (``str()``) is what the CLI prints and the report files hold; the web app
translates the template (``app/translations``) and fills in the same values. ``msg`` is also
the marker that ``tests/app/test_finding_messages.py`` finds every template by, to check that
each has its Polish translation with the same placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "CRSError",
    "ConfigurationError",
    "ConflictError",
    "DatabaseBusyError",
    "DatabaseDamagedError",
    "DatabaseNotReadyError",
    "MappingError",
    "Message",
    "NotFoundError",
    "RefusedInputError",
    "ValidationError",
    "msg",
]


@dataclass(frozen=True, eq=False)
class Message:
    """A template with named ``{placeholders}`` and their values; ``str()`` gives the English text.

    A value may itself be a :class:`Message` (a word the page translates too, such as "line").

    Examples
    --------
    >>> str(Message("expected a number, got {value!r}", {"value": "x"}))
    "expected a number, got 'x'"
    """

    template: str
    args: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.args)

    def with_args(self, **args: object) -> Message:
        """The same template with more values (those given win).

        >>> str(msg("got {value!r}").with_args(value="y"))
        "got 'y'"
        """
        return Message(self.template, {**self.args, **args})


def msg(template: str, /, **args: object) -> Message:
    """A translatable message: ``template`` (a literal, so that tests can find it) and its values.

    Never format a value into the template itself: pass it as an argument.

    Examples
    --------
    >>> str(msg("expected at most {limit} characters", limit=2000))
    'expected at most 2000 characters'
    """
    return Message(template, args)


class MappingError(ValueError):
    """Base class of every error that a user can fix by changing the input or the settings.

    Raised with a :class:`Message`, the error keeps it as :attr:`translatable` (the web app shows it
    in the page's language); ``str(error)`` is the English text either way.
    """

    #: HTTP status the web app answers with; the CLI maps it to an exit status.
    status_code: int = 400

    def __init__(self, *args: object) -> None:
        first = args[0] if len(args) == 1 else None
        #: The message as a template and its values, when the error was raised with one.
        self.translatable: Message | None = first if isinstance(first, Message) else None
        super().__init__(*(str(a) if isinstance(a, Message) else a for a in args))


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
