"""Uploaded files: checked for type (by content, not just name) and size, stored safely.

`upload_store(file=..., area="evidence")` reads the upload once, in chunks: it counts the
bytes against `settings.UPLOAD_MAX_BYTES`, hashes them (sha256) and checks that the first
bytes match the extension, then moves the file under MEDIA_ROOT as
`<area>/<yyyy>/<mm>/<random hex><ext>`. The uploader's file name never becomes a path; it is
kept, cleaned, for display. MEDIA_ROOT is served by no URL: files go out through views that
check who may see them (`upload_open`).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

SNIFF_BYTES = 8192
AREA_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
NAME_MAX_LENGTH = 120
# What the first bytes of each kind look like.
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".zip": (b"PK\x03\x04", b"PK\x05\x06"),
    ".xlsx": (b"PK\x03\x04",),
    ".parquet": (b"PAR1",),
}
TEXT_EXTENSIONS = frozenset({".csv", ".txt"})
# Any of these at the start of a "text" file means it is something else in disguise.
BINARY_MAGIC = (
    *(magic for magics in MAGIC.values() for magic in magics),
    b"MZ",  # Windows executable
    b"\x7fELF",
)


class UploadRejected(ValueError):
    """An upload that is not stored; the message says why and can be shown as it is."""


@dataclass(frozen=True)
class StoredUpload:
    name: str  # relative to MEDIA_ROOT, e.g. "evidence/2026/03/3f2a…9c.pdf"
    original_name: str  # the uploader's name for it, cleaned; for display only
    size: int
    sha256: str
    extension: str


def safe_filename(name: str) -> str:
    """The last component of `name`, without control characters, traversal or odd dots."""
    name = unicodedata.normalize("NFKC", str(name)).replace("\\", "/")
    base = PurePosixPath(name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[<>:\"|?*/]", "_", base).strip().strip(".")
    if not base:
        raise UploadRejected(_("The file has no usable name."))
    stem, ext = os.path.splitext(base)
    return stem[: NAME_MAX_LENGTH - len(ext)] + ext.lower()


def _extension(name: str, allowed: Iterable[str]) -> str:
    ext = os.path.splitext(name)[1].lower()
    allowed = sorted({extension.lower() for extension in allowed})
    if ext not in allowed:
        raise UploadRejected(
            _("Files of type %(ext)s are not accepted; accepted: %(allowed)s.")
            % {"ext": ext or _("(none)"), "allowed": ", ".join(allowed)}
        )
    return ext


def _content_matches(ext: str, head: bytes, path: Path) -> bool:
    if ext in TEXT_EXTENSIONS:
        if b"\x00" in head or head.startswith(BINARY_MAGIC):
            return False
        sample = head[:-4] if len(head) == SNIFF_BYTES else head  # a character may be cut
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            return True
        return False
    if not head.startswith(MAGIC.get(ext, (b"\x00\x00never",))):
        return False
    if ext == ".xlsx":
        try:
            with zipfile.ZipFile(path) as archive:
                return "[Content_Types].xml" in archive.namelist()
        except zipfile.BadZipFile:
            return False
    if ext == ".parquet":
        with path.open("rb") as stream:
            stream.seek(-4, io.SEEK_END)
            return stream.read(4) == b"PAR1"
    return True


def _chunks(file: IO[bytes]) -> Iterable[bytes]:
    if hasattr(file, "chunks"):  # Django's UploadedFile
        yield from file.chunks()
        return
    while chunk := file.read(64 * 1024):
        yield chunk


def upload_store(
    *,
    file: IO[bytes],
    area: str,
    name: str | None = None,
    allowed_extensions: Iterable[str] | None = None,
    max_bytes: int | None = None,
) -> StoredUpload:
    """Check and store one upload; raises UploadRejected and leaves nothing behind."""
    if not AREA_PATTERN.match(area):
        raise ValueError(f"upload area {area!r} is not a plain lower-case word")
    original = safe_filename(name if name is not None else getattr(file, "name", "") or "")
    ext = _extension(original, allowed_extensions or settings.UPLOAD_EXTENSIONS)
    limit = max_bytes if max_bytes is not None else settings.UPLOAD_MAX_BYTES
    root = Path(settings.MEDIA_ROOT).resolve()
    now = timezone.localtime()
    relative = PurePosixPath(area, f"{now:%Y}", f"{now:%m}", uuid.uuid4().hex + ext)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with partial.open("xb") as out:
            for chunk in _chunks(file):
                size += len(chunk)
                if size > limit:
                    raise UploadRejected(
                        _("The file %(name)s is larger than the limit of %(limit)s bytes.")
                        % {"name": original, "limit": limit}
                    )
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRejected(_("The file %(name)s is empty.") % {"name": original})
        if not _content_matches(ext, head, partial):
            raise UploadRejected(
                _("The content of %(name)s is not a %(ext)s file.") % {"name": original, "ext": ext}
            )
        os.chmod(partial, settings.FILE_UPLOAD_PERMISSIONS or 0o640)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return StoredUpload(
        name=str(relative),
        original_name=original,
        size=size,
        sha256=digest.hexdigest(),
        extension=ext,
    )


def upload_path(name: str) -> Path:
    """The file a stored name refers to; refuses any name that would leave MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or path == root:
        raise UploadRejected(_("No such uploaded file."))
    return path


def upload_open(name: str) -> IO[bytes]:
    """Open a stored upload for reading (the caller checks who may see it first)."""
    path = upload_path(name)
    if not path.is_file():
        raise UploadRejected(_("No such uploaded file."))
    return path.open("rb")
