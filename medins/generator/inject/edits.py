"""The changes line-level injections make to a chunk, applied in one go at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from medins.generator.encounters import DAY
from medins.generator.inject import Injector

LINE_SCHEMA = {
    "enc": pl.Int64,
    "line": pl.Int64,
    "item": pl.Int32,
    "t": pl.Int64,
    "cnt": pl.Int64,
    "pric": pl.Int64,
    "prd": pl.Int32,
    "kind": pl.Int8,
}


@dataclass
class Edits:
    job: Injector
    encounters: pl.DataFrame
    lines: pl.DataFrame  # with item facts: family, charge type, day, setting, psn
    diagnoses: pl.DataFrame
    checks: pl.DataFrame
    enc: dict[str, np.ndarray]
    total: np.ndarray  # fen per encounter
    used: np.ndarray  # encounters an injection has taken
    next_line: int
    added: list[dict] = field(default_factory=list)
    changed: dict[int, dict] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)
    new_diagnoses: list[dict] = field(default_factory=list)
    new_checks: list[dict] = field(default_factory=list)

    @classmethod
    def start(cls, job, encounters, lines, diagnoses, checks) -> Edits:
        enc = {name: encounters.get_column(name).to_numpy() for name in encounters.columns}
        items = job.run.catalog.items
        facts = pl.DataFrame(
            {
                "item": np.arange(items.height, dtype=np.int32),
                "family": items.get_column("family"),
                "charge": items.get_column("med_chrgitm_type"),
                "cap": items.get_column("pric_uplmt_amt"),
                "max_supply": items.get_column("max_supply_days"),
            }
        )
        lines = lines.join(facts, on="item", how="left", maintain_order="left").with_columns(
            day=pl.col("t") // DAY,
            psn=pl.Series(enc["psn"]).gather(lines["enc"]),
            setting=pl.Series(enc["setting"]).gather(lines["enc"]),
            med_type=pl.Series(enc["med_type"]).gather(lines["enc"]),
        )
        total = np.bincount(
            lines["enc"].to_numpy(),
            weights=(lines["cnt"] * lines["pric"]).to_numpy(),
            minlength=encounters.height,
        ).astype(np.int64)
        used = job.used[enc["psn"]] | (enc["tag"] >= 0) | enc["inflate"]
        return cls(
            job,
            encounters,
            lines,
            diagnoses,
            checks,
            enc,
            total,
            used,
            int(lines["line"].max() or 0) + 1,
        )

    def pick(self, candidates: np.ndarray, n: int, *, whole_person: bool = False) -> np.ndarray:
        """Up to n unused encounters of `candidates`; with whole_person, their persons too."""
        candidates = np.unique(candidates)
        free = candidates[~self.used[candidates] & ~self.job.used[self.enc["psn"][candidates]]]
        chosen = self.job.rng.permutation(free)[:n] if n else free[:0]
        self.used[chosen] = True
        if whole_person:
            self.job.used[self.enc["psn"][chosen]] = True
            self.used |= self.job.used[self.enc["psn"]]
        return chosen

    def house(self, family: str, enc: int) -> int:
        catalog = self.job.run.catalog
        return catalog.first(family) + int(self.enc["inst"][enc]) % catalog.size(family)

    def lines_item(self, line: int) -> int:
        return int(self.lines.filter(pl.col("line") == line).get_column("item")[0])

    def price(self, item: int) -> int:
        return int(self.job.run.catalog.items["price"][item])

    def add(
        self,
        enc: int,
        item: int,
        t: int,
        *,
        cnt: int = 1,
        prd: int | None = None,
        pric: int | None = None,
    ) -> int:
        line = self.next_line
        self.next_line += 1
        self.added.append(
            {
                "enc": int(enc),
                "line": line,
                "item": int(item),
                "t": int(t),
                "cnt": cnt,
                "pric": self.price(item) if pric is None else pric,
                "prd": prd,
                "kind": 3,
            }
        )
        return line

    def change(self, line: int, **values) -> None:
        self.changed.setdefault(int(line), {}).update(values)

    def age_on(self, enc: int) -> int:
        """Whole years on the encounter's day, birthday reached counting."""
        birth = self.job.persons.birth[self.enc["psn"][enc]].astype("datetime64[D]").item()
        day = (
            self.job.run.period.start + np.timedelta64(int(self.enc["t0"][enc] // DAY), "D").item()
        )
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

    def apply(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        lines = self.lines.select(list(LINE_SCHEMA)).filter(
            ~pl.col("line").is_in(list(self.removed))
        )
        if self.changed:
            patch = pl.DataFrame(
                [{"line": k, **v} for k, v in self.changed.items()],
                schema={
                    "line": pl.Int64,
                    "t": pl.Int64,
                    "cnt": pl.Int64,
                    "pric": pl.Int64,
                    "prd": pl.Int32,
                },
            )
            lines = (
                lines.join(patch, on="line", how="left", suffix="_new")
                .with_columns(
                    *(pl.coalesce(f"{c}_new", c).alias(c) for c in ("t", "cnt", "pric", "prd"))
                )
                .select(list(LINE_SCHEMA))
            )
        lines = pl.concat([lines, pl.DataFrame(self.added, schema=LINE_SCHEMA)])
        diagnoses = pl.concat(
            [self.diagnoses, pl.DataFrame(self.new_diagnoses, schema=self.diagnoses.schema)]
        )
        checks = pl.concat([self.checks, pl.DataFrame(self.new_checks, schema=self.checks.schema)])
        return lines, diagnoses, checks
