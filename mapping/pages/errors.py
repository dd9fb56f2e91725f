"""The two ways a page's query can be wrong, each carrying what would have worked.

* :class:`QueryError` (400): a setting out of range; ``allowed`` lists the values that work, or
  ``low`` and ``high`` bound the numbers that do.
* :class:`UnknownItemError` (404): a layer, year, district or category that does not exist;
  ``known`` lists the items that do, as ``(label, value)`` of the query field ``field``, so that
  the web app can link each one (the same page with ``field=value``) and the CLI can print them.
"""

from __future__ import annotations

from collections.abc import Iterable

from mapping.errors import MappingError, NotFoundError


class QueryError(MappingError):
    """A query setting out of range or malformed (status 400)."""

    status_code = 400
    code = "invalid_setting"

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        allowed: Iterable[object] = (),
        low: float | None = None,
        high: float | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.allowed = tuple(str(value) for value in allowed)
        self.low, self.high = low, high


class UnknownItemError(NotFoundError):
    """An item the query names that does not exist (status 404).

    ``heading`` titles the list of ``known`` ``(label, value)`` items; ``page`` optionally names
    another page whose ``field`` takes those values (such as the indicator map of each year,
    when a comparison has one year only).
    """

    code = "not_found"

    def __init__(
        self,
        message: str,
        *,
        field: str,
        known: Iterable[tuple[str, str]] = (),
        heading: str = "",
        page: str | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.known = tuple((str(label), str(value)) for label, value in known)
        self.heading = heading
        self.page = page
