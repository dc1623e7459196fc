"""References between files, resolved against the batch and what is already stored.

A reference is satisfied by a row of the batch or by a stored row; only the values the batch
does not hold are looked up, in chunks, so a self-contained batch costs no queries.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.apps import apps
from django.utils.translation import gettext as _

from medins.interchange import FILES_BY_NAME
from settlement.batch.common import TypedFile, errors_where, file_error, no_errors

CHUNK = 5_000  # values per IN (...): far below SQLite's 32,766 parameters, few round trips

# (file, column) -> (file, column) it refers to.
REFERENCES = (
    ("divisions", "prnt_admdvs", "divisions", "admdvs"),
    ("practitioners", "fixmedins_code", "institutions", "fixmedins_code"),
    ("settlements", "psn_no", "persons", "psn_no"),
    ("settlements", "fixmedins_code", "institutions", "fixmedins_code"),
    ("diagnoses", "mdtrt_id", "settlements", "mdtrt_id"),
    ("fee_details", "setl_id", "settlements", "setl_id"),
    ("fee_details", "psn_no", "persons", "psn_no"),
    ("fee_details", "fixmedins_code", "institutions", "fixmedins_code"),
    ("fee_details", "med_list_codg", "catalog", "med_list_codg"),
    ("bed_checks", "mdtrt_id", "settlements", "mdtrt_id"),
)
# A fee line repeats these columns of its settlement; they must agree.
LINE_AGREES_WITH_SETTLEMENT = ("mdtrt_id", "psn_no", "fixmedins_code")
# Files only the insurance bureau maintains: an institution's batch may not carry them.
REGISTRY_FILES = ("divisions", "institutions", "catalog")


def stored(file: str, columns: Iterable[str], where: str, values: list) -> pl.DataFrame:
    """Stored rows of file whose `where` column is one of values, with national column names."""
    spec = FILES_BY_NAME[file]
    model = apps.get_model(spec.model)
    names = [where, *[name for name in columns if name != where]]
    fields = [spec.column(name).field for name in names]
    rows: list[tuple] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        rows.extend(model.objects.filter(**{f"{fields[0]}__in": chunk}).values_list(*fields))
    schema = dict.fromkeys(names, pl.String)
    return pl.DataFrame(rows, schema=schema, orient="row").unique()


def _known(files: dict[str, TypedFile], file: str, column: str, wanted: pl.Series) -> pl.Series:
    """Which of the wanted values the batch's file or the database holds in that column."""
    if file in files and column in files[file].frame.columns:
        in_batch = files[file].frame[column].drop_nulls().unique()
        rest = wanted.filter(~wanted.is_in(in_batch.implode()))
    else:
        in_batch, rest = pl.Series(column, [], pl.String), wanted
    in_store = stored(file, [column], column, rest.to_list())[column] if len(rest) else rest
    return pl.concat([in_batch.cast(pl.String), in_store.cast(pl.String)])


def _missing_references(files: dict[str, TypedFile]) -> list[pl.DataFrame]:
    found = []
    for file, column, target, target_column in REFERENCES:
        if file not in files or not files[file].complete or column not in files[file].present:
            continue
        if target in files and target_column not in files[target].present:
            continue  # the target file lacks the column: already an error of its own
        source = files[file]
        wanted = source.frame[column].drop_nulls().unique()
        known = _known(files, target, target_column, wanted)
        reason = _("no such %(column)s in %(file)s of the batch or in the database") % {
            "column": target_column,
            "file": target,
        }
        bad = pl.col(column).is_not_null() & ~pl.col(column).is_in(known.implode())
        found.append(
            errors_where(source.frame, bad, file=source.label, column=column, reason=reason)
        )
    return found


def _line_settlements(files: dict[str, TypedFile]) -> pl.DataFrame:
    columns = ["setl_id", *LINE_AGREES_WITH_SETTLEMENT]
    wanted = files["fee_details"].frame["setl_id"].drop_nulls().unique()
    if "settlements" in files:
        in_batch = files["settlements"].frame.select(columns)
        wanted = wanted.filter(~wanted.is_in(in_batch["setl_id"].implode()))
    else:
        in_batch = pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    in_store = stored("settlements", columns, "setl_id", wanted.to_list())
    return pl.concat([in_batch, in_store.select(columns)]).unique("setl_id", keep="first")


def _disagreements(files: dict[str, TypedFile]) -> list[pl.DataFrame]:
    """A fee line's mdtrt_id, psn_no and fixmedins_code must be its settlement's."""
    if "fee_details" not in files or not files["fee_details"].complete:
        return []
    lines = files["fee_details"]
    settlements = _line_settlements(files).rename(
        {name: f"__setl_{name}" for name in LINE_AGREES_WITH_SETTLEMENT}
    )
    joined = lines.frame.join(settlements, on="setl_id", how="inner")
    found = []
    for column in LINE_AGREES_WITH_SETTLEMENT:
        theirs = pl.col(f"__setl_{column}")
        reason = pl.format(_("disagrees with settlement {}, whose {} is {}"),
                           pl.col("setl_id"), pl.lit(column), theirs)  # fmt: skip
        bad = pl.col(column) != theirs
        found.append(errors_where(joined, bad, file=lines.label, column=column, reason=reason))
    return found


def _taken_elsewhere(files: dict[str, TypedFile]) -> list[pl.DataFrame]:
    """A unique column (certno, mdtrt_id) already stored under another key."""
    found = []
    for file, column in (("persons", "certno"), ("settlements", "mdtrt_id")):
        if file not in files or not files[file].complete:
            continue
        typed, key = files[file], FILES_BY_NAME[file].key[0]
        values = typed.frame[column].drop_nulls().unique().to_list()
        others = stored(file, [key], column, values).rename({key: "__stored_key"})
        joined = typed.frame.join(others, on=column, how="inner")
        reason = pl.format(_("already stored for {} {}"), pl.lit(key), pl.col("__stored_key"))
        bad = pl.col("__stored_key") != pl.col(key)
        found.append(errors_where(joined, bad, file=typed.label, column=column, reason=reason))
    return found


def _scope_errors(files: dict[str, TypedFile], institution_code: str) -> list[pl.DataFrame]:
    """An institution's batch carries only its own rows and no registry file."""
    found = []
    for name, typed in files.items():
        if name in REGISTRY_FILES:
            reason = _("an institution's batch may not carry %(file)s") % {"file": name}
            found.append(file_error(typed.label, reason))
        elif "fixmedins_code" in typed.present:
            reason = _("belongs to another institution than %(code)s") % {"code": institution_code}
            bad = pl.col("fixmedins_code") != institution_code
            found.append(
                errors_where(typed.frame, bad, file=typed.label, column="fixmedins_code",
                             reason=reason)
            )  # fmt: skip
    return found


def reference_errors(
    files: dict[str, TypedFile], *, institution_code: str | None
) -> list[pl.DataFrame]:
    """Missing references, fee lines disagreeing with their settlement, unique values taken."""
    found = [no_errors(), *_missing_references(files), *_disagreements(files)]
    found.extend(_taken_elsewhere(files))
    if institution_code:
        found.extend(_scope_errors(files, institution_code))
    return found
