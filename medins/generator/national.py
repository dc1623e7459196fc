"""Turn a chunk's internal frames (indexes, seconds, fen) into the national columns as text."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import polars as pl

from medins.generator.catalog import Catalog
from medins.generator.encounters import DAY
from medins.generator.persons import Persons
from medins.generator.registry import DEPTS, Registry
from medins.generator.write import yuan
from medins.interchange import DATETIME_FORMAT

SETTLED_AFTER = 600  # seconds between the end of an encounter and its settlement


class Naming:
    """IDs of one chunk: sortable, unique across chunks, the same for the same seed."""

    def __init__(
        self, chunk: int, start: date, catalog: Catalog, registry: Registry, persons: Persons
    ) -> None:
        self.prefix = f"3701{chunk:05d}"
        self.start = datetime.combine(start, time())
        self.items = pl.Series(catalog.items.get_column("med_list_codg").to_numpy())
        self.item_types = pl.Series(catalog.items.get_column("med_chrgitm_type").to_numpy())
        self.item_levels = pl.Series(catalog.items.get_column("chrgitm_lv").to_numpy())
        self.insts = pl.Series(registry.inst_codes)
        self.doctors = pl.Series(registry.dr_codes)
        self.depts = pl.Series(list(DEPTS))
        self.psn_nos = persons.frame.get_column("psn_no")
        self.insutype = pl.Series(persons.insutype)

    def key(self, letter: str, column: str, width: int) -> pl.Expr:
        return pl.format(
            f"{letter}{self.prefix}{{}}", pl.col(column).cast(pl.String).str.zfill(width)
        )

    def when(self, seconds: pl.Expr) -> pl.Expr:
        return (pl.lit(self.start) + pl.duration(seconds=seconds)).dt.strftime(DATETIME_FORMAT)


def settlements(
    naming: Naming, encounters: pl.DataFrame, money: pl.DataFrame, registry: Registry
) -> pl.DataFrame:
    pharmacy = pl.col("setting") == "pharm"
    frame = encounters.join(money, on="enc").sort("enc")
    return frame.select(
        setl_id=naming.key("S", "enc", 8),
        mdtrt_id=naming.key("M", "enc", 8),
        psn_no=naming.psn_nos.gather(frame["psn"]),
        fixmedins_code=naming.insts.gather(frame["inst"]),
        insutype=naming.insutype.gather(frame["psn"]),
        med_type="med_type",
        begntime=naming.when(pl.col("t0")),
        endtime=naming.when(pl.col("t1")),
        dise_codg="diag",
        adm_dept_codg=pl.when(~pharmacy).then(naming.depts.gather(frame["dept"].cast(pl.Int64))),
        atddr_no=naming.doctors.gather(frame["dr"]),
        oprn_oprt_code=pl.lit(None, pl.String),  # no day-surgery procedures generated
        rt_course_no=pl.lit(None, pl.String),  # nor radiotherapy courses
        medfee_sumamt=yuan(pl.col("medfee_sumamt")),
        fulamt_ownpay_amt=yuan(pl.col("fulamt_ownpay_amt")),
        inscp_scp_amt=yuan(pl.col("inscp_scp_amt")),
        hifp_pay=yuan(pl.col("hifp_pay")),
        acct_pay=yuan(pl.col("acct_pay")),
        psn_cash_pay=yuan(pl.col("psn_cash_pay")),
        setl_time=naming.when(pl.col("t1") + SETTLED_AFTER),
        refd_setl_flag=pl.lit("0"),
    )


def fee_details(naming: Naming, lines: pl.DataFrame, encounters: pl.DataFrame) -> pl.DataFrame:
    """Lines in their final order (encounter, time, kind): the sequence number follows it."""
    enc = encounters.select("enc", "psn", "inst", "dept", "dr", "setting")
    frame = lines.join(enc, on="enc").sort("enc", "t", "kind", "line")
    frame = frame.with_columns(sn=pl.int_range(pl.len(), dtype=pl.Int64))
    return frame.select(
        "line",
        feedetl_sn=naming.key("F", "sn", 10),
        setl_id=naming.key("S", "enc", 8),
        mdtrt_id=naming.key("M", "enc", 8),
        psn_no=naming.psn_nos.gather(frame["psn"]),
        fixmedins_code=naming.insts.gather(frame["inst"]),
        fee_ocur_time=naming.when(pl.col("t")),
        med_list_codg=naming.items.gather(frame["item"]),
        medins_list_codg=pl.format(
            "{}-{}", pl.col("inst"), pl.col("item").cast(pl.String).str.zfill(5)
        ),
        med_chrgitm_type=naming.item_types.gather(frame["item"]),
        cnt=pl.col("cnt").cast(pl.String),
        pric=yuan(pl.col("pric")),
        det_item_fee_sumamt=yuan(pl.col("cnt") * pl.col("pric")),
        prd_days=pl.col("prd").cast(pl.String),
        bilg_dept_codg=pl.when(pl.col("setting") != "pharm").then(
            naming.depts.gather(frame["dept"].cast(pl.Int64))
        ),
        bilg_dr_codg=naming.doctors.gather(frame["dr"]),
        chrgitm_lv=naming.item_levels.gather(frame["item"]),
    )


def diagnoses(naming: Naming, rows: pl.DataFrame) -> pl.DataFrame:
    return rows.sort("enc", "diag_srt_no").select(
        mdtrt_id=naming.key("M", "enc", 8),
        diag_srt_no=pl.col("diag_srt_no").cast(pl.String),
        diag_code="diag_code",
    )


def bed_checks(naming: Naming, rows: pl.DataFrame) -> pl.DataFrame:
    rows = rows.sort("enc", "t").with_columns(n=pl.int_range(pl.len(), dtype=pl.Int64))
    return rows.select(
        check_id=naming.key("B", "n", 7),
        mdtrt_id=naming.key("M", "enc", 8),
        checked_at=naming.when(pl.col("t")),
        result="result",
    )


def findings(
    naming: Naming, rows: pl.DataFrame, encounters: pl.DataFrame, fee_keys: pl.DataFrame
) -> pl.DataFrame:
    """truth.csv / near_misses.csv rows: the scope's key, and the encounter's keys beside it."""
    enc = encounters.select("enc", e_psn="psn", e_inst="inst")
    rows = rows.join(fee_keys, on="line", how="left", maintain_order="left").with_columns(
        enc=pl.coalesce("enc", "line_enc")
    )
    frame = rows.join(enc, on="enc", how="left", maintain_order="left")
    psn = pl.coalesce("psn", "e_psn")
    inst = pl.coalesce("inst", "e_inst")
    frame = frame.with_columns(psn=psn, inst=inst)
    return frame.select(
        "rule_code",
        setl_id=pl.when(pl.col("enc").is_not_null()).then(naming.key("S", "enc", 8)),
        feedetl_sn="feedetl_sn",
        psn_no=pl.when(pl.col("psn").is_not_null()).then(
            naming.psn_nos.gather(frame["psn"].fill_null(0))
        ),
        fixmedins_code=pl.when(pl.col("inst").is_not_null()).then(
            naming.insts.gather(frame["inst"].fill_null(0))
        ),
        dr_code=pl.when(pl.col("dr").is_not_null()).then(
            naming.doctors.gather(frame["dr"].fill_null(0))
        ),
    )


def day_of(seconds: np.ndarray) -> np.ndarray:
    return seconds // DAY
