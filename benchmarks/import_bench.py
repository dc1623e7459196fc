"""Import speed: read, validate and load a synthetic batch of N fee lines.

`python -m benchmarks.import_bench [--lines N] [--again]` builds (or reuses) a referentially
consistent CSV batch in bench-data/import-<N>/ (N/10 settlements, N/20 persons, 1,000 catalog
items, 40 institutions), removes earlier bench rows (keys start with BX) from the database the
environment configures, imports the batch, and prints seconds per stage and lines/s. With
--again it imports the same batch a second time (every row unchanged). Prints, never asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path("bench-data")
TODAY = date(2026, 4, 1)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medins.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(prog="import_bench")
    parser.add_argument("--lines", type=int, default=1_000_000, help="fee lines (default 1M)")
    parser.add_argument("--again", action="store_true", help="re-import: the no-op path")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    folder = DATA / f"import-{args.lines}"
    if not (folder / "fee_details.csv").is_file():
        started = time.perf_counter()
        synthesize(folder, lines=args.lines)
        print(f"synthesized {args.lines:,} fee lines in {time.perf_counter() - started:.1f} s")
    _forget_bench_rows()
    _measure(folder, args.lines, label="first import")
    if args.again:
        _measure(folder, args.lines, label="re-import")


def _measure(folder: Path, lines: int, *, label: str) -> None:
    from django.db import connection, transaction

    from settlement.batch.load import load_batch
    from settlement.batch.read import batch_files, read_text
    from settlement.batch.validate import validate_batch

    started = time.perf_counter()
    texts = {f.spec.name: (f.label, read_text(f)) for f in batch_files(folder)}
    read_at = time.perf_counter()
    validation = validate_batch(texts, today=TODAY, institution_code=None)
    validated_at = time.perf_counter()
    if validation.errors.height:
        print(validation.errors.head(10))
        raise SystemExit(f"the synthetic batch has {validation.errors.height} errors")
    with transaction.atomic():
        counts = load_batch(validation.files, validation.catalog_plan)
    done = time.perf_counter()
    total = done - started
    print(
        f"{label} on {connection.vendor}: {lines:,} fee lines in {total:.1f} s "
        f"({lines / total:,.0f} lines/s): read {read_at - started:.1f} s, "
        f"validate {validated_at - read_at:.1f} s, load {done - validated_at:.1f} s"
    )
    print(f"  fee_details: {counts['fee_details.csv']}")


def _forget_bench_rows() -> None:
    """Earlier bench rows go, so the first import measures inserts; other data stays."""
    from django.db import connection, transaction

    from medins.models import CatalogItem, Institution, Person
    from settlement.models import FeeLine, Settlement

    with transaction.atomic():
        FeeLine.objects.filter(line_id__startswith="BX").delete()
        Settlement.objects.filter(setl_id__startswith="BX").delete()
        Person.objects.filter(psn_no__startswith="BX").delete()
        CatalogItem.objects.filter(code__startswith="BX").delete()
        Institution.objects.filter(code__startswith="BX").delete()
    if connection.vendor == "postgresql":  # measure inserts into tables without dead rows
        with connection.cursor() as cursor:
            for model in (FeeLine, Settlement, Person, CatalogItem, Institution):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _money(fen: pl.Expr) -> pl.Expr:
    cents = (fen % 100).cast(pl.String).str.pad_start(2, "0")
    return pl.concat_str((fen // 100).cast(pl.String), pl.lit("."), cents)


def _line_ids() -> pl.Expr:
    return pl.format("BXF{}", pl.int_range(pl.len()).cast(pl.String).str.pad_start(12, "0"))


def _certnos(first17: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        first17.str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate(_WEIGHTS)
    )
    check = (total % 11).replace_strict(dict(enumerate(_CHECK_CHARS)), return_dtype=pl.String)
    return pl.concat_str(first17, check)


def synthesize(folder: Path, *, lines: int, seed: int = 7) -> Path:
    """A valid batch: every line's settlement, person, institution and item exist."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_settlements, n_persons, n_items, n_institutions = lines // 10, max(lines // 20, 1), 1000, 40
    institutions = pl.DataFrame({"i": np.arange(n_institutions)}).select(
        fixmedins_code=pl.format("BXH{}", pl.col("i").cast(pl.String).str.pad_start(9, "0")),
        fixmedins_name=pl.format("Bench hospital {}", pl.col("i")),
        fixmedins_type=pl.lit("1"),
        hosp_lv=pl.lit("05"),
        admdvs=pl.lit("370102"),
        open_bed_cnt=pl.lit("300"),
    )
    institutions.write_csv(folder / "institutions.csv")
    _persons(folder, rng, n_persons)
    prices = rng.integers(100, 20_000, n_items)  # fen
    catalog = pl.DataFrame({"i": np.arange(n_items), "price": prices}).select(
        med_list_codg=pl.format("BX{}", pl.col("i").cast(pl.String).str.pad_start(13, "0")),
        name=pl.format("Bench item {}", pl.col("i")),
        list_type=pl.lit("201"),
        med_chrgitm_type=pl.lit("05"),
        chrgitm_lv=pl.lit("01"),
        pric_uplmt_amt=_money(pl.col("price") * 2),
        effective_from=pl.lit("2024-01-01"),
    )
    catalog.write_csv(folder / "catalog.csv")
    _settlements_and_lines(folder, rng, lines, n_settlements, n_persons, prices, n_institutions)
    return folder


def _persons(folder: Path, rng: np.random.Generator, n_persons: int) -> None:
    births = rng.integers(0, 365 * 80, n_persons)
    persons = pl.DataFrame({"i": np.arange(n_persons), "days": births}).with_columns(
        brdy=pl.lit(date(1940, 1, 1)) + pl.duration(days=pl.col("days"))
    )
    first17 = pl.concat_str(
        pl.lit("370102"),
        pl.col("brdy").dt.strftime("%Y%m%d"),
        (pl.col("i") % 1000).cast(pl.String).str.pad_start(3, "0"),
    )
    persons = persons.with_columns(certno=_certnos(first17)).filter(
        pl.col("certno").is_first_distinct()
    )
    persons.select(
        psn_no=pl.format("BX{}", pl.col("i").cast(pl.String).str.pad_start(12, "0")),
        certno=pl.col("certno"),
        psn_name=pl.lit("测试"),
        gend=pl.when(pl.col("i") % 1000 % 2 == 1).then(pl.lit("1")).otherwise(pl.lit("2")),
        brdy=pl.col("brdy").dt.strftime("%Y-%m-%d"),
        insutype=pl.lit("310"),
        psn_type=pl.lit("1101"),
        insuplc_admdvs=pl.lit("370102"),
    ).write_csv(folder / "persons.csv")


def _settlements_and_lines(
    folder: Path,
    rng: np.random.Generator,
    lines: int,
    n_settlements: int,
    n_persons: int,
    prices: np.ndarray,
    n_institutions: int,
) -> None:
    persons = pl.read_csv(folder / "persons.csv", columns=["psn_no"])["psn_no"]
    per_line = pl.DataFrame(
        {
            "s": np.arange(lines) % max(n_settlements, 1),
            "item": rng.integers(0, len(prices), lines),
            "cnt": rng.integers(1, 6, lines),
        }
    )
    per_line = per_line.with_columns(price=pl.Series("p", prices).gather(per_line["item"]))
    per_line = per_line.with_columns(amount=pl.col("cnt") * pl.col("price"))
    setl = pl.DataFrame({"s": np.arange(n_settlements)}).with_columns(
        person=pl.Series(rng.integers(0, len(persons), n_settlements)),
        inst=pl.Series(rng.integers(0, n_institutions, n_settlements)),
        minute=pl.Series(rng.integers(0, 60 * 24 * 90, n_settlements)),
    )
    setl = setl.with_columns(
        setl_id=pl.format("BXS{}", pl.col("s").cast(pl.String).str.pad_start(10, "0")),
        mdtrt_id=pl.format("BXM{}", pl.col("s").cast(pl.String).str.pad_start(10, "0")),
        psn_no=persons.gather(setl["person"]),
        fixmedins_code=pl.format("BXH{}", pl.col("inst").cast(pl.String).str.pad_start(9, "0")),
        begin=pl.datetime(2026, 1, 1) + pl.duration(minutes=pl.col("minute")),
    )
    totals = per_line.group_by("s").agg(pl.col("amount").sum().alias("total"))
    setl = setl.join(totals, on="s", how="left").with_columns(pl.col("total").fill_null(0))
    _write_settlements(folder, setl)
    _write_lines(folder, per_line, setl)


TIME_TEXT = "%Y-%m-%d %H:%M:%S"


def _write_settlements(folder: Path, setl: pl.DataFrame) -> None:
    setl.select(
        "setl_id", "mdtrt_id", "psn_no", "fixmedins_code",
        insutype=pl.lit("310"), med_type=pl.lit("11"),
        begntime=pl.col("begin").dt.strftime(TIME_TEXT),
        endtime=(pl.col("begin") + pl.duration(hours=1)).dt.strftime(TIME_TEXT),
        dise_codg=pl.lit("J06.900"),
        medfee_sumamt=_money(pl.col("total")), fulamt_ownpay_amt=pl.lit("0.00"),
        inscp_scp_amt=_money(pl.col("total")), hifp_pay=_money(pl.col("total") // 2),
        acct_pay=pl.lit("0.00"), psn_cash_pay=_money(pl.col("total") - pl.col("total") // 2),
        setl_time=(pl.col("begin") + pl.duration(hours=1)).dt.strftime(TIME_TEXT),
        refd_setl_flag=pl.lit("0"),
    ).write_csv(folder / "settlements.csv")  # fmt: skip


def _write_lines(folder: Path, per_line: pl.DataFrame, setl: pl.DataFrame) -> None:
    per_line.join(setl, on="s").select(
        feedetl_sn=_line_ids(),
        setl_id="setl_id", mdtrt_id="mdtrt_id", psn_no="psn_no", fixmedins_code="fixmedins_code",
        fee_ocur_time=pl.col("begin").dt.strftime(TIME_TEXT),
        med_list_codg=pl.format("BX{}", pl.col("item").cast(pl.String).str.pad_start(13, "0")),
        med_chrgitm_type=pl.lit("05"),
        cnt=pl.col("cnt").cast(pl.String), pric=_money(pl.col("price")),
        det_item_fee_sumamt=_money(pl.col("amount")), chrgitm_lv=pl.lit("01"),
    ).write_csv(folder / "fee_details.csv")  # fmt: skip


if __name__ == "__main__":
    main()
