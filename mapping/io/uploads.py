"""Files uploaded through the web page, kept between the preview and the confirmation.

An upload is stored under a random token in a folder of the instance (never under a name from the
request): ``<token>.bin`` holds the bytes, ``<token>.json`` what the person chose and who they are.
Only the extension of the original name is kept, because the format check compares it with the
content (:mod:`mapping.io.formats`). Uploads older than :data:`MAX_AGE` are removed whenever a new
one is stored.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mapping.errors import NotFoundError, ValidationError, msg

#: Seconds an upload waits for its confirmation.
MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_EXTENSION = re.compile(r"\.(?:shp\.zip|[a-z0-9]{1,8})$")


@dataclass(frozen=True)
class Upload:
    """One stored upload: its token, what it is, who sent it and the options chosen."""

    token: str
    kind: str
    filename: str
    owner: str
    created: float
    options: dict[str, Any] = field(default_factory=dict)


def safe_filename(name: str) -> str:
    """A name for the format check: ``upload`` plus the original's extension (lower case).

    >>> safe_filename("../../etc/Zasoby 2013.XLSX"), safe_filename("dzielnice.shp.zip")
    ('upload.xlsx', 'upload.shp.zip')
    >>> safe_filename("no extension")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: file: expected a name with an extension such as .csv, .xlsx, \
.geojson, .gpkg or .zip, got 'no extension'
    """
    found = _EXTENSION.search(Path(name.replace("\\", "/")).name.lower())
    if not found:
        raise ValidationError(
            msg(
                "file: expected a name with an extension such as .csv, .xlsx, .geojson, .gpkg or "
                ".zip, got {name!r}",
                name=name[:100],
            )
        )
    return "upload" + found.group(0)


class UploadStore:
    """The folder of pending uploads."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _paths(self, token: str) -> tuple[Path, Path]:
        if not _TOKEN.fullmatch(token):
            raise NotFoundError("upload: no such upload (it was confirmed, cancelled or expired)")
        return self.folder / f"{token}.bin", self.folder / f"{token}.json"

    def save(self, data: bytes, *, kind: str, filename: str, owner: str) -> Upload:
        """Store ``data`` under a new token (mode 0600: uploads may hold personal data)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.expire()
        upload = Upload(
            secrets.token_urlsafe(24), kind, safe_filename(filename), owner, time.time()
        )
        body, meta = self._paths(upload.token)
        for path, content in ((body, data), (meta, json.dumps(asdict(upload)).encode())):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
        return upload

    def load(self, token: str, *, owner: str) -> tuple[Upload, bytes]:
        """The upload ``token`` of ``owner`` (another person's is not found, as a missing one)."""
        body, meta = self._paths(token)
        try:
            upload = Upload(**json.loads(meta.read_text(encoding="utf-8")))
            data = body.read_bytes()
        except (OSError, ValueError, TypeError):
            raise NotFoundError(
                "upload: no such upload (it was confirmed, cancelled or expired)"
            ) from None
        if upload.owner != owner or time.time() - upload.created > MAX_AGE:
            raise NotFoundError("upload: no such upload (it was confirmed, cancelled or expired)")
        return upload, data

    def update(self, upload: Upload, **changes: Any) -> Upload:
        """The upload with new ``options`` (or other fields), stored."""
        new = Upload(**{**asdict(upload), **changes})
        _body, meta = self._paths(upload.token)
        meta.write_text(json.dumps(asdict(new)), encoding="utf-8")
        return new

    def delete(self, token: str) -> None:
        """Remove the upload's files (nothing happens when they are gone)."""
        for path in self._paths(token):
            path.unlink(missing_ok=True)

    def expire(self, now: float | None = None) -> int:
        """Remove uploads older than :data:`MAX_AGE`; return how many."""
        now = time.time() if now is None else now
        removed = 0
        for meta in self.folder.glob("*.json"):
            try:
                created = float(json.loads(meta.read_text(encoding="utf-8"))["created"])
            except (OSError, ValueError, KeyError, TypeError):
                created = 0.0
            if now - created > MAX_AGE:
                self.delete(meta.stem)
                removed += 1
        return removed
