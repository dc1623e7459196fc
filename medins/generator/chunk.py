"""One chunk of persons, start to finish: persons, encounters, lines, injections, money, rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from medins.generator import national
from medins.generator.casemix import INPATIENT
from medins.generator.catalog import Catalog
from medins.generator.clean import prune_lines, secondary_diagnoses
from medins.generator.encounters import DAY, HOUR, Period, candidate_encounters
from medins.generator.inject import Injector, inject_encounters, inject_lines
from medins.generator.lines import build_lines
from medins.generator.money import settle
from medins.generator.persons import CertnoSequencer, make_persons
from medins.generator.registry import Registry

BED_CHECK_SHARE = 0.10  # of stays of two nights or more, checked once (present)


@dataclass(frozen=True)
class Run:
    """What every chunk shares."""

    seed: int
    rate: float
    period: Period
    catalog: Catalog
    registry: Registry
    sequencer: CertnoSequencer


def generate_chunk(run: Run, *, index: int, first: int, count: int) -> dict[str, pl.DataFrame]:
    """The national rows of chunk `index` (persons `first`…), keyed by file name."""
    rng = np.random.default_rng([run.seed, index])
    persons = make_persons(
        rng, run.registry, run.sequencer, first=first, count=count, start=run.period.start
    )
    job = Injector(rng=rng, run=run, persons=persons, chunk=index)
    encounters = candidate_encounters(rng, persons, run.registry, run.period)
    encounters = inject_encounters(job, encounters.with_columns(tag=pl.lit(-1, pl.Int64)))
    encounters = _number(encounters, run.registry)
    diagnoses = secondary_diagnoses(rng, persons, encounters)
    lines = build_lines(rng, run.catalog, run.registry, persons, encounters)
    lines = lines.with_row_index("line").with_columns(pl.col("line").cast(pl.Int64))
    lines = prune_lines(
        lines, encounters, diagnoses, persons, run.registry, run.catalog, run.period.start
    )
    checks = _bed_checks(rng, encounters)
    lines, diagnoses, checks = inject_lines(job, encounters, lines, diagnoses, checks)
    money = settle(rng, encounters, lines, run.catalog, run.registry, persons.insutype)
    encounters = encounters.join(money.select("enc"), on="enc", how="semi")
    return _rows(job, persons, encounters, money, lines, diagnoses, checks, index)


def _number(encounters: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """Final order (person, time) and the inflation flag of anomalous subjects."""
    peers = pl.DataFrame(
        [(inst, dept) for inst, dept in registry.peer_anomalies],
        schema={"inst": pl.Int32, "dept": pl.Int8},
        orient="row",
    ).with_columns(peer=pl.lit(True))
    doctors = pl.Series(registry.practitioner_anomalies.astype(np.int32))
    return (
        encounters.sort("psn", "t0", "tag", "t1", "setting", "inst", "cat", "dr")
        .with_row_index("enc")
        .with_columns(pl.col("enc").cast(pl.Int64))
        .join(peers, on=["inst", "dept"], how="left", maintain_order="left")
        .with_columns(
            inflate=pl.col("peer").fill_null(False) | pl.col("dr").is_in(doctors.implode())
        )
        .drop("peer")
    )


def _bed_checks(rng: np.random.Generator, encounters: pl.DataFrame) -> pl.DataFrame:
    stays = encounters.filter(
        (pl.col("setting") == INPATIENT) & (pl.col("t1") // DAY - pl.col("t0") // DAY >= 2)
    )
    checked = stays.filter(pl.Series(rng.random(stays.height) < BED_CHECK_SHARE))
    return checked.select("enc", t=(pl.col("t0") // DAY + 1) * DAY + 15 * HOUR, result=pl.lit("1"))


def _rows(
    job, persons, encounters, money, lines, diagnoses, checks, index
) -> dict[str, pl.DataFrame]:
    naming = national.Naming(
        index, job.run.period.start, job.run.catalog, job.run.registry, persons
    )
    fees = national.fee_details(naming, lines, encounters)
    keys = fees.select("line", "feedetl_sn").join(lines.select("line", line_enc="enc"), on="line")
    truth, near = job.findings(encounters)
    return {
        "persons": persons.frame,
        "settlements": national.settlements(naming, encounters, money, job.run.registry),
        "diagnoses": national.diagnoses(naming, diagnoses),
        "fee_details": fees.drop("line"),
        "bed_checks": national.bed_checks(naming, checks),
        "truth": national.findings(naming, truth, encounters, keys),
        "near_misses": national.findings(naming, near, encounters, keys),
    }
