"""Backup and restore of the database and the uploaded files, as one archive (docs/backup.md).

An archive is a .tar.gz holding `manifest.json`, the database (`database.dump`, pg_dump's
custom format, on PostgreSQL; `database.sqlite3`, a consistent copy made with SQLite's
backup API, on SQLite) and `uploads/`, a copy of MEDIA_ROOT.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FORMAT = 1
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class BackupManifest:
    format: int
    vendor: str
    created_at: str
    database: str
    uploads: int


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore arguments for Django's connection (the password goes in the env)."""
    params = connection.settings_dict
    args = ["--dbname", params["NAME"]]
    if params.get("HOST"):
        args += ["--host", params["HOST"]]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", params["USER"]]
    environment = dict(os.environ)
    if params.get("PASSWORD"):
        environment["PGPASSWORD"] = params["PASSWORD"]
    return args, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)"
        )
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _dump_database(vendor: str, target: Path) -> None:
    if vendor == "postgresql":
        args, environment = _pg_environment()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args], environment
        )
        return
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # consistent even while others write
    finally:
        copy.close()


def _restore_database(vendor: str, source: Path) -> None:
    if vendor == "postgresql":
        connections.close_all()  # our own sessions must not hold locks on what is dropped
        args, environment = _pg_environment()
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*command, *args, str(source)], environment)
        return
    connection.ensure_connection()
    copy = sqlite3.connect(source)
    try:
        copy.backup(connection.connection)  # replaces every page of the live database
    finally:
        copy.close()


def backup_create(*, out: Path, at: datetime) -> BackupManifest:
    """Write one archive of the database and MEDIA_ROOT to `out` (written whole or not at all)."""
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"backups of {vendor} databases are not supported")
    media = Path(settings.MEDIA_ROOT)
    files = [path for path in media.rglob("*") if path.is_file()] if media.exists() else []
    manifest = BackupManifest(
        format=FORMAT,
        vendor=vendor,
        created_at=at.isoformat(),
        database=DUMP_NAMES[vendor],
        uploads=len(files),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        dump = Path(work) / manifest.database
        _dump_database(vendor, dump)
        (Path(work) / "manifest.json").write_text(json.dumps(manifest.__dict__, indent=2))
        partial = out.with_name(out.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(work) / "manifest.json", arcname="manifest.json")
            archive.add(dump, arcname=manifest.database)
            for path in files:
                archive.add(path, arcname=f"uploads/{path.relative_to(media).as_posix()}")
        partial.replace(out)
    return manifest


def backup_read_manifest(archive_path: Path) -> BackupManifest:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            data = json.loads(member.read()) if member else {}
        manifest = BackupManifest(**data)
    except (OSError, KeyError, TypeError, ValueError, tarfile.TarError) as error:
        raise BackupError(f"{archive_path} is not a medins backup: {error}") from error
    if manifest.format != FORMAT:
        raise BackupError(f"{archive_path} has backup format {manifest.format}, not {FORMAT}")
    return manifest


def backup_restore(*, archive_path: Path) -> BackupManifest:
    """Replace the database and MEDIA_ROOT with the archive's. Stop web and workers first."""
    manifest = backup_read_manifest(archive_path)
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"{archive_path} holds a {manifest.vendor} database; this one is {connection.vendor}"
        )
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media.parent) as work:
        with tarfile.open(archive_path, "r:gz") as archive:
            # filter="data" refuses absolute names, "..", links out of the folder, devices.
            try:
                archive.extractall(work, filter="data")
            except (tarfile.TarError, OSError) as error:
                raise BackupError(
                    f"{archive_path} holds an unsafe or broken entry: {error}"
                ) from error
        _restore_database(manifest.vendor, Path(work) / manifest.database)
        restored = Path(work) / "uploads"
        restored.mkdir(exist_ok=True)
        if media.exists():
            old = Path(work) / "uploads-before-restore"
            media.rename(old)
        restored.rename(media)
    return manifest
