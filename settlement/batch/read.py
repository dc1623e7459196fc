"""Find the files of a batch (folder, .zip of one, or one CSV/Parquet file) and read them as text.

Every value is read as a string, stripped, with empty cells as null; validation types them.
Each frame carries `__row`, the row a spreadsheet shows: the header is row 1, the first data
row is row 2 (the same for Parquet, so one convention holds for every report).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _

from medins.archives import UnsafeArchive, zip_unpack
from medins.interchange import FILES, FILES_BY_NAME, FileSpec

ROW = "__row"
FIRST_DATA_ROW = 2  # the header is row 1
SUFFIXES = (".csv", ".parquet")


class BatchReadError(ValueError):
    """The batch or one of its files cannot be read; the message says which and why."""

    def __init__(self, message: str, *, file: str = "") -> None:
        super().__init__(message)
        self.file = file


@dataclass(frozen=True)
class BatchFile:
    spec: FileSpec
    path: Path
    label: str  # how reports name the file: its name inside the batch


def unpack_zip(source: Path, folder: Path) -> Path:
    """Extract a .zip into folder and return it; raises BatchReadError if it is no zip or
    breaks a limit (size, members, ratio) or holds an unsafe member (medins/archives.py)."""
    try:
        zip_unpack(source, folder)
    except UnsafeArchive as error:
        raise BatchReadError(
            _("%(archive)s is refused: %(error)s") % {"archive": source.name, "error": error},
            file=f"{source.name}:{error.member}" if error.member else source.name,
        ) from error
    except (zipfile.BadZipFile, OSError) as error:
        raise BatchReadError(
            _("%(path)s is not a readable zip file: %(error)s") % {"path": source, "error": error},
            file=source.name,
        ) from error
    return folder


def batch_files(root: Path) -> list[BatchFile]:
    """The batch files under root (a folder or one file), in import order."""
    if root.is_file():
        return [_single_file(root)]
    if not root.is_dir():
        raise BatchReadError(_("%(path)s does not exist.") % {"path": root}, file=str(root))
    found = _known_files(root)
    subfolders = [entry for entry in root.iterdir() if entry.is_dir() and entry.name[0] not in "._"]
    if not found and len(subfolders) == 1:  # a zip of a folder holds that folder
        return batch_files(subfolders[0])
    if not found:
        names = ", ".join(spec.name for spec in FILES)
        raise BatchReadError(
            _("%(path)s holds no batch file (expected one of: %(names)s, as .csv or .parquet).")
            % {"path": root, "names": names},
            file=str(root),
        )
    return [found[spec.name] for spec in FILES if spec.name in found]


def _single_file(path: Path) -> BatchFile:
    spec = FILES_BY_NAME.get(path.stem)
    if spec is None or path.suffix.lower() not in SUFFIXES:
        names = ", ".join(spec.name for spec in FILES)
        raise BatchReadError(
            _("%(file)s is not a batch file: its name must be one of %(names)s, .csv or .parquet.")
            % {"file": path.name, "names": names},
            file=path.name,
        )
    return BatchFile(spec, path, path.name)


def _known_files(root: Path) -> dict[str, BatchFile]:
    found: dict[str, BatchFile] = {}
    for path in sorted(root.iterdir()):
        spec = FILES_BY_NAME.get(path.stem)
        if spec is None or path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue  # other files (a README, truth.csv) are not part of the contract
        if spec.name in found:
            raise BatchReadError(
                _("%(first)s and %(second)s are the same file kind; keep only one.")
                % {"first": found[spec.name].label, "second": path.name},
                file=path.name,
            )
        found[spec.name] = BatchFile(spec, path, path.name)
    return found


def read_text(batch_file: BatchFile) -> pl.DataFrame:
    """The file's contract columns as stripped strings (empty: null) plus `__row`."""
    try:
        if batch_file.path.suffix.lower() == ".parquet":
            frame = _parquet_as_text(pl.read_parquet(batch_file.path))
        else:
            frame = pl.read_csv(batch_file.path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        raise BatchReadError(
            _("%(file)s cannot be read: %(error)s") % {"file": batch_file.label, "error": error},
            file=batch_file.label,
        ) from error
    frame = frame.rename(lambda name: name.lstrip("\ufeff").strip())  # Excel writes a BOM
    wanted = [name for name in batch_file.spec.nationals if name in frame.columns]
    return frame.select(
        pl.int_range(FIRST_DATA_ROW, pl.len() + FIRST_DATA_ROW, dtype=pl.Int64).alias(ROW),
        *[_clean(name) for name in wanted],
    )


def _clean(name: str) -> pl.Expr:
    stripped = pl.col(name).str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped).alias(name)


def _parquet_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Typed Parquet columns written as the CSV contract spells them."""
    return frame.with_columns(_as_text(name, dtype) for name, dtype in frame.schema.items())


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone:
            column = column.dt.convert_time_zone(settings.TIME_ZONE).dt.replace_time_zone(None)
        return column.dt.strftime("%Y-%m-%d %H:%M:%S")
    if dtype == pl.Boolean:
        return column.cast(pl.Int8).cast(pl.String)
    return column.cast(pl.String)
