"""Unpacking a .zip that came from outside without trusting it (zip bombs, path tricks).

Every member is checked before anything is written: its path (no absolute path, drive or
".." step), its kind (no symbolic link), the member count, the total uncompressed size and
each member's compression ratio, against the BATCH_ZIP_* settings. While writing, the bytes
are counted again, since a member's declared size is the archive's own claim.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024
RATIO_FLOOR = 1024 * 1024  # a member smaller than this may compress as well as it likes


class UnsafeArchive(ValueError):
    """The archive breaks a limit or holds a member it must not; the message names both."""

    def __init__(self, message: str, *, member: str = "") -> None:
        super().__init__(message)
        self.member = member


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int
    max_members: int
    max_ratio: int

    @classmethod
    def configured(cls) -> ZipLimits:
        return cls(
            max_bytes=settings.BATCH_ZIP_MAX_BYTES,
            max_members=settings.BATCH_ZIP_MAX_MEMBERS,
            max_ratio=settings.BATCH_ZIP_MAX_RATIO,
        )


def zip_unpack(source: Path, folder: Path, limits: ZipLimits | None = None) -> None:
    """Extract source into folder (a temporary one: a breach found while writing leaves
    what was written for its clean-up). Raises UnsafeArchive for a breach, before writing
    anything when the members' headers show it; zipfile.BadZipFile / OSError when unreadable."""
    limits = limits or ZipLimits.configured()
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        _check(members, limits)
        written = 0
        for member in members:
            target = folder.joinpath(*_parts(member.filename))
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            written = _copy(archive, member, target, written, limits)


def _check(members: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(members) > limits.max_members:
        raise UnsafeArchive(
            _("The archive holds %(count)d members; at most %(limit)d are accepted.")
            % {"count": len(members), "limit": limits.max_members}
        )
    total = 0
    for member in members:
        name = member.filename
        if _is_link(member):
            raise UnsafeArchive(
                _("Member %(member)s is a symbolic link; links are not accepted.")
                % {"member": name},
                member=name,
            )
        _parts(name)
        total += member.file_size
        if total > limits.max_bytes:
            raise _too_big(name, limits)
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise UnsafeArchive(
                _(
                    "Member %(member)s is compressed %(ratio)d:1; at most %(limit)d:1 is "
                    "accepted (BATCH_ZIP_MAX_RATIO)."
                )
                % {"member": name, "ratio": ratio, "limit": limits.max_ratio},
                member=name,
            )


def _parts(name: str) -> tuple[str, ...]:
    """The member's path as safe parts under the folder, or UnsafeArchive."""
    path = PurePosixPath(name.replace("\\", "/"))
    parts = tuple(part for part in path.parts if part not in ("", "."))
    if path.is_absolute() or ".." in parts or (parts and ":" in parts[0]) or "\x00" in name:
        raise UnsafeArchive(
            _(
                "Member %(member)s has an unsafe path (absolute, a drive, or leading out of "
                "the archive with ..)."
            )
            % {"member": name},
            member=name,
        )
    return parts


def _is_link(member: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(member.external_attr >> 16)


def _too_big(name: str, limits: ZipLimits) -> UnsafeArchive:
    return UnsafeArchive(
        _(
            "The archive unpacks to more than %(limit)d bytes (at member %(member)s; "
            "BATCH_ZIP_MAX_BYTES)."
        )
        % {"limit": limits.max_bytes, "member": name},
        member=name,
    )


def _copy(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, written: int, limits: ZipLimits
) -> int:
    """Copy one member, counting what it really unpacks to; the running total."""
    with archive.open(member) as source, target.open("wb") as sink:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > limits.max_bytes:
                raise _too_big(member.filename, limits)
            sink.write(chunk)
    return written
