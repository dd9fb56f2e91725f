"""The loaded data a page core function reads: the frames, small-count suppression, and a memo.

The web app keeps one :class:`PageData` per data version (its memo shares layer values between
requests); the CLI and the notebooks make one with :meth:`PageData.from_analysis`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mapping.analysis import AnalysisData, Method
from mapping.layers import Layer, LayerValues, layer_values
from mapping.privacy import Suppression, suppress

#: ``memo(key, compute)``: ``compute()`` once per key (and data version).
Memo = Callable[[Hashable, Callable[[], Any]], Any]


def _dict_memo() -> Memo:
    kept: dict[Hashable, Any] = {}

    def memo(key: Hashable, compute: Callable[[], Any]) -> Any:
        if key not in kept:
            kept[key] = compute()
        return kept[key]

    return memo


@dataclass(frozen=True)
class PageData:
    """The frames (``analysis``), their suppression at ``min_count``, and ``memo``."""

    analysis: AnalysisData
    suppression: Suppression
    min_count: int
    memo: Memo = field(default_factory=_dict_memo)
    #: The published edition these frames are (its code and day), or None for the live data.
    edition: str | None = None
    published: date | None = None

    def day(self, today: date) -> date:
        """The day a file of this data is dated: an edition's publication day, else ``today``
        (so that a pinned edition's exports keep their bytes)."""
        return self.published or today

    @classmethod
    def from_analysis(cls, analysis: AnalysisData, *, min_count: int = 5) -> PageData:
        """Suppress counts below ``min_count`` (0: none) and keep results in a plain memo."""
        suppression = suppress(analysis.values, analysis.registry, min_count=min_count)
        return cls(analysis, suppression, min_count)

    @property
    def schematic(self) -> bool:
        """Whether any district boundary is schematic (the pages then say so)."""
        districts = self.analysis.districts
        return bool(districts["schematic"].any()) if len(districts) else False

    def values(
        self,
        layer: Layer,
        year: int,
        *,
        weights: Mapping[str, float] | None = None,
        method: Method = "zscore",
    ) -> LayerValues:
        """:func:`mapping.layers.layer_values`, computed once per layer, year and settings."""
        key = (
            "layer",
            layer.code,
            int(year),
            tuple(sorted((weights or {}).items())),
            method,
            self.min_count,
        )
        return self.memo(
            key,
            lambda: layer_values(
                self.analysis,
                layer,
                year=year,
                suppression=self.suppression,
                weights=weights,
                method=method,
            ),
        )
