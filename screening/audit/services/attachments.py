"""Evidence files: size- and type-checked, stored under MEDIA_ROOT by their SHA-256."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import PurePath
from typing import Protocol

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from medins.selectors import AnyUser
from screening.audit.models import Appeal, Attachment, Case
from screening.audit.services.common import AuditError

MAX_BYTES = 10 * 1024 * 1024  # scanned records and photos; larger goes on paper
ZIP = b"PK\x03\x04"
# Extension -> (content type, the bytes such a file starts with; None: UTF-8 text).
ALLOWED = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
}


class Upload(Protocol):
    name: str

    def read(self) -> bytes: ...


def attachment_check(*, name: str, content: bytes) -> str:
    """The file's content type, or AuditError saying why it is refused."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise AuditError(
            _("%(name)s: files of type %(suffix)s are not accepted; use one of %(allowed)s.")
            % {"name": name, "suffix": suffix or "-", "allowed": ", ".join(ALLOWED)}
        )
    if not content:
        raise AuditError(_("%(name)s is empty.") % {"name": name})
    if len(content) > MAX_BYTES:
        raise AuditError(
            _("%(name)s is %(size)s bytes; at most %(most)s are accepted.")
            % {"name": name, "size": len(content), "most": MAX_BYTES}
        )
    content_type, magic = ALLOWED[suffix]
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise AuditError(_("%(name)s is not UTF-8 text.") % {"name": name}) from None
    elif not content.startswith(magic):
        raise AuditError(
            _("%(name)s does not hold what its name says (%(suffix)s).")
            % {"name": name, "suffix": suffix}
        )
    return content_type


def attachment_store(
    *, case: Case, upload: Upload, by: AnyUser, at: datetime, appeal: Appeal | None = None
) -> Attachment:
    """Check and store one uploaded file for the case; the caller holds the transaction."""
    name = PurePath(upload.name or "file").name[:200]
    content = upload.read()
    content_type = attachment_check(name=name, content=content)
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(
        case=case,
        appeal=appeal,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=digest,
        uploaded_by=by,
        uploaded_at=at,
    )
    suffix = PurePath(name).suffix.lower()
    attachment.file.save(f"{case.pk}/{digest}{suffix}", ContentFile(content), save=False)
    attachment.save()
    return attachment
