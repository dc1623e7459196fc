"""Precision and recall of flags.csv against a generator's truth.csv, per rule.

Each rule is matched on the key of its scope (docs/rules-interpretation.md): a flag and a
truth row agree when they name the same rule and the same fee line, settlement, person,
institution or practitioner. Several flags on one key count once.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from screening.rules import ALL_RULES

KEY_BY_SCOPE = {
    "fee_line": "feedetl_sn",
    "settlement": "setl_id",
    "settlement_pair": "setl_id",
    "person": "psn_no",
    "institution": "fixmedins_code",
    "practitioner": "dr_code",
}
KEYS = tuple(dict.fromkeys(KEY_BY_SCOPE.values()))
RESULT_SCHEMA = {
    "rule_code": pl.String,
    "key": pl.String,
    "tp": pl.Int64,
    "fp": pl.Int64,
    "fn": pl.Int64,
    "precision": pl.Float64,
    "recall": pl.Float64,
}


class EvaluationError(ValueError):
    """A truth or flags file that cannot be evaluated; the message says where."""


def scope_keys() -> dict[str, str]:
    """rule_code -> the column a finding of that rule is matched on."""
    return {module.RULE.code: KEY_BY_SCOPE[module.RULE.scope] for module in ALL_RULES}


def evaluate_files(*, truth: str | Path, flags: str | Path) -> pl.DataFrame:
    """Read both CSV files (all text) and evaluate them."""
    return evaluate(truth=_read(truth), flags=_read(flags))


def evaluate(*, truth: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """One row per rule seen in either file, then a TOTAL row: TP, FP, FN, precision, recall."""
    keys = scope_keys()
    found = _keyed(flags, keys, "flags.csv")
    expected = _keyed(truth, keys, "truth.csv")
    matched = expected.join(
        found, on=["rule_code", "value"], how="full", coalesce=True, nulls_equal=False
    )
    per_rule = (
        matched.group_by("rule_code")
        .agg(
            tp=(pl.col("in_truth") & pl.col("in_flags")).sum(),
            fp=(pl.col("in_truth").is_null() & pl.col("in_flags")).sum(),
            fn=(pl.col("in_truth") & pl.col("in_flags").is_null()).sum(),
        )
        .with_columns(key=pl.col("rule_code").replace_strict(keys, default=None))
        .sort("rule_code")
    )
    total = per_rule.select(
        rule_code=pl.lit("TOTAL"), key=pl.lit(""), tp=pl.sum("tp"), fp=pl.sum("fp"), fn=pl.sum("fn")
    )
    both = pl.concat([per_rule.select("rule_code", "key", "tp", "fp", "fn"), total])
    return both.with_columns(
        precision=_ratio(pl.col("tp"), pl.col("tp") + pl.col("fp")),
        recall=_ratio(pl.col("tp"), pl.col("tp") + pl.col("fn")),
    ).cast(RESULT_SCHEMA)


def _ratio(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    return pl.when(whole > 0).then(part / whole)


def _read(path: str | Path) -> pl.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise EvaluationError(_("%(path)s does not exist.") % {"path": path})
    return pl.read_csv(path, infer_schema=False).with_columns(pl.all().str.strip_chars())


def _keyed(rows: pl.DataFrame, keys: dict[str, str], name: str) -> pl.DataFrame:
    """(rule_code, value) of each row's scope key, unique, with a presence marker."""
    if "rule_code" not in rows.columns:
        raise EvaluationError(_("%(file)s has no rule_code column.") % {"file": name})
    unknown = rows.filter(~pl.col("rule_code").is_in(list(keys))).with_row_index("row", offset=1)
    if unknown.height:
        first = unknown.row(0, named=True)
        raise EvaluationError(
            _("%(file)s row %(row)s: unknown rule_code %(code)r.")
            % {"file": name, "row": first["row"], "code": first["rule_code"]}
        )
    value = pl.lit(None, pl.String)
    for code, key in keys.items():
        value = pl.when(pl.col("rule_code") == code).then(_key_value(rows, key)).otherwise(value)
    keyed = rows.with_row_index("row", offset=1).with_columns(value=value)
    missing = keyed.filter(pl.col("value").is_null() | (pl.col("value") == ""))
    if missing.height:
        first = missing.row(0, named=True)
        raise EvaluationError(
            _("%(file)s row %(row)s: %(code)s needs %(key)s.")
            % {
                "file": name,
                "row": first["row"],
                "code": first["rule_code"],
                "key": keys[first["rule_code"]],
            }
        )
    marker = "in_flags" if name == "flags.csv" else "in_truth"
    return keyed.select("rule_code", "value").unique().with_columns(pl.lit(True).alias(marker))


def _key_value(rows: pl.DataFrame, key: str) -> pl.Expr:
    column = pl.col(key) if key in rows.columns else pl.lit(None, pl.String)
    if key != "dr_code" or "flag_id" not in rows.columns:
        return column
    # flags.csv has no dr_code column: a practitioner finding's subject key starts with it.
    from_flag_id = pl.col("flag_id").str.split(":").list.get(1).str.split("|").list.first()
    return pl.coalesce(pl.when(column != "").then(column), from_flag_id)


def format_table(result: pl.DataFrame) -> str:
    """The result as a fixed-width text table."""
    widths = (24, 16, 7, 7, 7, 11, 9)
    header = ("rule_code", "key", "TP", "FP", "FN", "precision", "recall")
    rows = [header]
    for row in result.iter_rows(named=True):
        counts = (str(row["tp"]), str(row["fp"]), str(row["fn"]))
        ratios = (_percent(row["precision"]), _percent(row["recall"]))
        rows.append((row["rule_code"], row["key"] or "", *counts, *ratios))
    return "\n".join(
        "".join(
            cell.ljust(width) if index < 2 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        for cells in rows
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


SCORE_FILES = (
    ("institution_scores.csv", "fixmedins_code", "PEER_ANOMALY"),
    ("practitioner_scores.csv", "dr_code", "PRACTITIONER_ANOMALY"),
)


def roc_auc(*, truth: pl.DataFrame, scores: pl.DataFrame, key: str, rule_code: str) -> dict:
    """How well risk_score ranks the subjects truth names for rule_code above the others:
    the chance that a named subject scores above an unnamed one (ties count half)."""
    named = truth.filter(pl.col("rule_code") == rule_code)[key].drop_nulls().unique()
    ranked = scores.select(
        pl.col(key), pl.col("risk_score").cast(pl.Float64).rank("average").alias("position")
    ).with_columns(named=pl.col(key).is_in(named.implode()))
    positives = ranked["named"].sum()
    negatives = ranked.height - positives
    auc = None
    if positives and negatives:
        rank_sum = ranked.filter(pl.col("named"))["position"].sum()
        auc = (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
    return {"rule_code": rule_code, "subjects": ranked.height, "named": positives, "roc_auc": auc}


def evaluate_scores(*, truth: str | Path, folder: str | Path) -> list[dict]:
    """ROC-AUC of each score file in folder (institution_scores.csv, practitioner_scores.csv)."""
    rows = _read(truth)
    results = []
    for name, key, rule_code in SCORE_FILES:
        path = Path(folder) / name
        if path.is_file() and key in rows.columns:
            results.append(roc_auc(truth=rows, scores=_read(path), key=key, rule_code=rule_code))
    return results
